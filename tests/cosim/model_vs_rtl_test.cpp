// The Verilated RTL header generator as a drop-in replacement in the running
// platform: a run with nic.header_gen=rtl must produce byte-identical wire
// traffic (every frame, both directions, at the same femtosecond) and
// identical completions (fields and landing times) to the run with the C++
// model, for the same seed. Each run is its own toevp process (SystemC
// elaborates once per process).
#include <catch2/catch.hpp>

#include "tests/platform/toevp_cli.h"

using toevp::tb::test::run_toevp;

namespace {
void compare(const std::string& scenario) {
  INFO("scenario: " << scenario);
  const auto model = run_toevp("run --quiet --set nic.header_gen=model " + scenario, true);
  const auto rtl = run_toevp("run --quiet --set nic.header_gen=rtl " + scenario, true);
  REQUIRE(model.exit_code == 0);
  REQUIRE(rtl.exit_code == 0);
  CHECK(model.json["header_generator"] == "model");
  CHECK(rtl.json["header_generator"] == "rtl");
  CHECK(model.json["frames"]["nic_to_peer"].get<std::uint64_t>() > 100);
  CHECK(rtl.json["wire_digest"] == model.json["wire_digest"]);
  CHECK(rtl.json["completion_digest"] == model.json["completion_digest"]);
  CHECK(rtl.json["sim_time_ns"] == model.json["sim_time_ns"]);
  CHECK(rtl.json["completion_latency_ns"] == model.json["completion_latency_ns"]);
}
}  // namespace

TEST_CASE("RTL header generator gives the model's wire traffic and completion timing, default point", "[cosim]") {
  compare("--set workload.messages=300 --set sim.seed=7");
}

TEST_CASE("RTL header generator gives the model's wire traffic without timestamps, 4 connections, 1 KiB messages",
          "[cosim]") {
  compare("--set workload.messages=2000 --set workload.connections=4 --set workload.message_bytes=1000 "
          "--set workload.timestamps=false --set sim.seed=11");
}
