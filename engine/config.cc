// placeholder: being written (minimal so the tree links)
#include "engine/config.h"
namespace kevy {
struct Config::Impl { std::mutex mu; std::string bind = "* -::*", dir = ".", logfile, pidfile, requirepass, file; };
Config::Config() : impl_(new Impl) {}
Config::~Config() { delete impl_; }
absl::Status Config::LoadFile(const std::string&) { return absl::OkStatus(); }
absl::Status Config::ApplyArgs(const std::vector<std::string>& args) {
  for (size_t i = 0; i + 1 < args.size(); i += 2) {
    auto st = Apply(args[i].substr(2), {args[i + 1]}, true);
    if (!st.ok()) return st;
  }
  return absl::OkStatus();
}
absl::Status Config::Apply(const std::string& name, const std::vector<std::string>& a, bool) {
  if (name == "port") port = std::stoi(a[0]);
  else if (name == "shards") shards = std::stoi(a[0]);
  else if (name == "bind") { std::lock_guard l(impl_->mu); impl_->bind = a[0]; }
  return absl::OkStatus();
}
absl::Status Config::Set(const std::vector<std::pair<std::string, std::string>>&) { return absl::OkStatus(); }
std::vector<std::pair<std::string, std::string>> Config::Get(const std::vector<std::string>&) const { return {}; }
absl::Status Config::Rewrite() const { return absl::OkStatus(); }
std::string Config::config_file() const { return impl_->file; }
std::vector<std::string> Config::TakeWarnings() { return {}; }
std::string Config::bind() const { std::lock_guard l(impl_->mu); return impl_->bind; }
std::string Config::dir() const { std::lock_guard l(impl_->mu); return impl_->dir; }
std::string Config::logfile() const { std::lock_guard l(impl_->mu); return impl_->logfile; }
std::string Config::pidfile() const { std::lock_guard l(impl_->mu); return impl_->pidfile; }
std::string Config::requirepass() const { std::lock_guard l(impl_->mu); return impl_->requirepass; }
}  // namespace kevy
