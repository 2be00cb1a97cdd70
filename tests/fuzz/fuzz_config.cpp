// Fuzz target (c): config files and --set values into model::Config
// (docs/robustness.md). The input is a config file, then (after the first
// NUL byte) --set assignments, one per line. load_file(), set_assignment()
// and check_consistency() may reject them only with ConfigError; anything
// else escaping (std::invalid_argument from a number conversion, a Boost
// exception, a crash) is a bug.
//
// Invariants beyond "only ConfigError": whatever was accepted reads back as
// its kind (to_json() converts every key), and a config that passed
// check_consistency() survives a round trip through a config file written
// from its values (what `toevp config` users do with a design point).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "model/common/config.h"
#include "tests/fuzz/fuzz_support.h"

namespace toevp::fuzz {
namespace {

namespace fs = std::filesystem;

// A private file per process: libFuzzer's -fork/-jobs run several at once.
const fs::path& scratch_file() {
  static const fs::path p = fs::temp_directory_path() / ("toevp-fuzz-config-" + std::to_string(getpid()) + ".cfg");
  return p;
}

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

// The config file a design point's values make: one section per prefix.
std::string as_file(const model::Config& c) {
  std::ostringstream os;
  std::string section;
  for (const auto& s : model::Config::schema()) {
    const auto dot = s.key.find('.');
    if (s.key.substr(0, dot) != section) {
      section = s.key.substr(0, dot);
      os << "[" << section << "]\n";
    }
    os << s.key.substr(dot + 1) << " = " << c.get_string(s.key) << "\n";
  }
  return os.str();
}

void run(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const auto nul = input.find('\0');
  const std::string file = input.substr(0, nul);
  const std::string sets = nul == std::string::npos ? "" : input.substr(nul + 1);

  model::Config c;
  write_file(scratch_file(), file);
  try {
    c.load_file(scratch_file());
  } catch (const model::ConfigError&) {
  }
  std::istringstream lines(sets);
  for (std::string line; std::getline(lines, line);) {
    try {
      c.set_assignment(line);
    } catch (const model::ConfigError&) {
    }
  }
  const nlohmann::json values = c.to_json();  // every accepted value reads back as its kind
  bool consistent = true;
  try {
    c.check_consistency();
  } catch (const model::ConfigError&) {
    consistent = false;
  }
  if (!consistent) return;
  model::Config again;
  write_file(scratch_file(), as_file(c));
  try {
    again.load_file(scratch_file());
    again.check_consistency();
  } catch (const model::ConfigError& e) {
    invariant_failed(std::string("an accepted config does not load back from its own values: ") + e.what());
  }
  TOEVP_FUZZ_CHECK(again.to_json() == values, "an accepted config reads back with other values");
}

}  // namespace

// Seeds: the documented defaults file, a sparse design point, --set lines
// (good, bad, odd spellings), broken syntax.
std::vector<std::pair<std::string, Bytes>> seeds() {
  auto seed = [](const std::string& file, const std::string& sets) {
    Writer w;
    w.text(file);
    if (!sets.empty()) w.u8(0).text(sets);
    return w.data();
  };
  return {
      {"seed-defaults", seed(model::Config::documented_defaults(), "")},
      {"seed-design-point", seed("[pcie]\ngen = 5\nlanes = 8\n[mac]\nmtu = 9000\n[nic]\ntx_buffer_bytes=65536\n",
                                 "ctx.entries=4096\nnic.core_clock_mhz=322.265625\n")},
      {"seed-sets", seed("", "pcie.mps = 512\ntcb.cache_entries=0x100\ntcb.cache_ways=010\nsim.seed=-1\n"
                             "mac.rate_gbps=400\nlink.a_to_b.loss=1e-3\nworkload.timestamps=off\n=5\nnokey\n")},
      {"seed-inconsistent", seed("[tcb]\ncache_entries = 6\ncache_ways = 4\n", "fw.sq_entries=1000\n")},
      {"seed-syntax", seed("[pcie\nlanes\n= 3\n[]\n.=.\n[x.y]\nz=1\n# comment\n  ; other\n", "")},
  };
}

}  // namespace toevp::fuzz

extern "C" int LLVMFuzzerInitialize(int*, char***) { return 0; }

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  toevp::fuzz::run(data, size);
  return 0;
}
