// The toevp command line on bad configs: every mistake exits with status 2
// and a message that names what is wrong (the key, the value, the allowed
// range, the file), before anything is simulated. And the documented
// defaults never drift: `toevp config --defaults` is the committed
// testbench/configs/default.cfg byte for byte.
#include <catch2/catch.hpp>

#include <fstream>

#include "tests/platform/toevp_cli.h"

namespace toevp::tb::test {
namespace {

using Catch::Matchers::Contains;

TEST_CASE("toevp run with an unknown --set key exits 2 naming the key", "[platform][cli][config]") {
  const CliResult r = run_toevp("run --quiet --set no.such.key=1");
  INFO(r.err);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Contains("'no.such.key'"));
  CHECK(r.out.empty());
}

TEST_CASE("toevp run with pcie.gen=9 exits 2 naming the key and the value and the range", "[platform][cli][config]") {
  const CliResult r = run_toevp("run --quiet --set pcie.gen=9");
  INFO(r.err);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Contains("'pcie.gen'"));
  CHECK_THAT(r.err, Contains("'9'"));
  CHECK_THAT(r.err, Contains("[1, 5]"));
}

TEST_CASE("toevp run with a value outside a key's choices exits 2 listing the choices", "[platform][cli][config]") {
  const CliResult r = run_toevp("run --quiet --set pcie.lanes=3");
  INFO(r.err);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Contains("'pcie.lanes'"));
  CHECK_THAT(r.err, Contains("1 2 4 8 16 32"));
}

TEST_CASE("toevp run with a config file holding an unknown key exits 2 naming the file and the key",
          "[platform][cli][config]") {
  const auto path = cli_temp_dir() / "typo.cfg";
  std::ofstream(path) << "[pcie]\nlanes = 8\nbogus_width = 3\n";
  const CliResult r = run_toevp("run --quiet --config '" + path.string() + "'");
  INFO(r.err);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Contains(path.string()));
  CHECK_THAT(r.err, Contains("pcie.bogus_width"));
}

TEST_CASE("toevp run with tcb.cache_ways=3 exits 2: the ways must divide the cache entries",
          "[platform][cli][config]") {
  const CliResult r = run_toevp("run --quiet --set tcb.cache_ways=3");
  INFO(r.err);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Contains("'tcb.cache_ways' (3)"));
  CHECK_THAT(r.err, Contains("'tcb.cache_entries' (256)"));
}

TEST_CASE("toevp with an unknown command exits 2 with the usage", "[platform][cli]") {
  const CliResult r = run_toevp("fly");
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Contains("usage: toevp run"));
}

TEST_CASE("toevp config --defaults prints the committed testbench/configs/default.cfg", "[platform][cli][config]") {
  const CliResult r = run_toevp("config --defaults");
  CHECK(r.exit_code == 0);
  CHECK(r.err.empty());
  const std::string committed = slurp(std::filesystem::path(TOEVP_SOURCE_DIR) / "testbench/configs/default.cfg");
  REQUIRE(!committed.empty());
  CHECK(r.out == committed);
}

TEST_CASE("toevp run --config of the committed default.cfg is the default design point", "[platform][cli][config]") {
  const std::string cfg = (std::filesystem::path(TOEVP_SOURCE_DIR) / "testbench/configs/default.cfg").string();
  const CliResult r = run_toevp("run --quiet --config '" + cfg + "' --set workload.messages=20", true);
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.json["config"]["pcie"]["gen"].get<int>() == 4);
  CHECK(r.json["messages_completed"].get<int>() == 20);
}

}  // namespace
}  // namespace toevp::tb::test
