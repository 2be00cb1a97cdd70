// Entry point of a fuzz target built without libFuzzer: replays inputs (the
// kept corpus, a crash file) through LLVMFuzzerTestOneInput in one process,
// as libFuzzer would, and writes the target's seed corpus.
//
//   <target>_replay FILE|DIR...          run every input; exit 1 if none found
//   <target>_replay --write-seeds DIR    write the seeds (tests/fuzz/corpus/<target>)
//
// libsystemc owns main() and calls sc_main(), so this is sc_main.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <systemc>

#include "tests/fuzz/fuzz_support.h"

namespace fs = std::filesystem;

namespace {

int write_seeds(const fs::path& dir) {
  fs::create_directories(dir);
  for (const auto& [name, bytes] : toevp::fuzz::seeds()) {
    std::ofstream out(dir / name, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!out) {
      std::fprintf(stderr, "cannot write %s\n", (dir / name).c_str());
      return 1;
    }
  }
  std::printf("wrote %zu seeds to %s\n", toevp::fuzz::seeds().size(), dir.c_str());
  return 0;
}

std::vector<fs::path> inputs(int argc, char** argv) {
  std::vector<fs::path> files;
  for (int i = 1; i < argc; ++i) {
    const fs::path p(argv[i]);
    if (fs::is_directory(p)) {
      std::vector<fs::path> in_dir;
      for (const auto& e : fs::directory_iterator(p))
        if (e.is_regular_file()) in_dir.push_back(e.path());
      std::sort(in_dir.begin(), in_dir.end());  // a fixed order: runs are repeatable
      files.insert(files.end(), in_dir.begin(), in_dir.end());
    } else if (fs::is_regular_file(p)) {
      files.push_back(p);
    } else {
      std::fprintf(stderr, "no such input: %s\n", argv[i]);
    }
  }
  return files;
}

}  // namespace

int sc_main(int argc, char* argv[]) {
  if (argc == 3 && std::string(argv[1]) == "--write-seeds") return write_seeds(argv[2]);
  const std::vector<fs::path> files = inputs(argc, argv);
  if (files.empty()) {
    std::fprintf(stderr, "usage: %s FILE|DIR... | --write-seeds DIR (no inputs found)\n", argv[0]);
    return 1;
  }
  LLVMFuzzerInitialize(&argc, &argv);
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    const std::vector<std::uint8_t> data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::printf("replay %s (%zu bytes)\n", f.c_str(), data.size());
    std::fflush(stdout);
    LLVMFuzzerTestOneInput(data.data(), data.size());
  }
  std::printf("replayed %zu inputs, no invariant broken\n", files.size());
  return 0;
}
