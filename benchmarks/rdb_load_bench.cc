// Start-up RDB load without the network: rdb_load_bench FILE [SHARDS] [WORKERS] [ROUNDS]
//
// Loads FILE (a dump.rdb) into a fresh set of shards with LoadRdbBuffer, as kevy-server does
// before it serves (WORKERS: insert threads, -1 = as the server picks, 0 = none), and prints
// the keys per shard and the seconds. Meant for profilers (valgrind --tool=callgrind
// --toggle-collect='kevy::LoadRdbBuffer*', perf record) where the server's sockets and
// threads are noise.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "engine/command.h"
#include "engine/shard.h"
#include "persist/loader.h"

using namespace kevy;

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s FILE [SHARDS] [WORKERS] [ROUNDS]\n", argv[0]);
    return 2;
  }
  const int nshards = argc > 2 ? atoi(argv[2]) : 1;
  const int workers = argc > 3 ? atoi(argv[3]) : -1;
  const int rounds = argc > 4 ? atoi(argv[4]) : 1;
  int fd = open(argv[1], O_RDONLY);
  struct stat sb;
  if (fd < 0 || fstat(fd, &sb) != 0 || sb.st_size == 0) {
    perror(argv[1]);
    return 2;
  }
  const size_t size = static_cast<size_t>(sb.st_size);
  void* map = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  close(fd);
  if (map == MAP_FAILED) {
    perror("mmap");
    return 2;
  }
  const std::string_view data(static_cast<const char*>(map), size);
  for (int round = 0; round < rounds; ++round) {
    auto st = std::make_unique<ServerState>();
    RegisterAllCommands(st->commands);
    st->slots = SlotTable(static_cast<uint16_t>(nshards));
    std::vector<std::unique_ptr<Shard>> shards;
    st->shards.resize(nshards);
    for (int i = 0; i < nshards; ++i) {
      shards.push_back(std::make_unique<Shard>(static_cast<uint16_t>(i), st.get()));
      st->shards[i] = shards.back().get();
    }
    LoadReport report;
    auto t0 = std::chrono::steady_clock::now();
    absl::Status s = LoadRdbBuffer(*st, data, argv[1], /*drop_expired=*/true, &report, nullptr,
                                   workers);
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!s.ok()) {
      fprintf(stderr, "%s\n", std::string(s.message()).c_str());
      return 1;
    }
    printf("%llu keys in %.3f s;", static_cast<unsigned long long>(report.keys_loaded), secs);
    for (int i = 0; i < nshards; ++i) {
      size_t n = 0;
      for (int d = 0; d < shards[i]->num_dbs(); ++d) n += shards[i]->db(d).size();
      printf(" shard %d: %zu", i, n);
    }
    printf("\n");
    fflush(stdout);
    // Teardown (freeing every key) is not part of a server's load: leave it out.
    if (round + 1 == rounds) _Exit(0);
  }
  return 0;
}
