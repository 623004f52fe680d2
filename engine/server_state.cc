#include "engine/server_state.h"

#include "persist/aof_manager.h"

namespace kevy {

aof::AofManager& ServerState::AofDir() {
  std::lock_guard<std::mutex> lock(aof_dir_mu_);
  if (!aof_dir_) {
    std::string dir = config.GetValueOr("appenddirname", "appendonlydir");
    aof_dir_ = std::make_shared<aof::AofManager>(dir, config.GetValueOr("appendfilename", "appendonly.aof"));
  }
  return *aof_dir_;
}

}  // namespace kevy
