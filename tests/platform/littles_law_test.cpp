// Little's law on the message-context table (DESIGN.md, reference design
// point: the table must cover rate x hold time). A context is held from its
// SEND to the ACK of its last byte, T; with E contexts the NIC can have at
// most E messages in flight, so goodput <= E x message x 8 / T, and the line
// caps it too. The test measures T with one message on an idle platform,
// then checks that runs with a small table reach min(line goodput,
// E x message x 8 / T) within 10 % - context-limited and line-limited.
//
// Each figure needs its own platform (SystemC elaborates once per process),
// so the test runs the toevp executable, as a user sizing the table would.
//
// Initial window: T must be the hold time of the regime it predicts. A lone
// message on a fresh connection with the default 10-segment initial window
// spends extra round trips in slow start (17.4 us for 64 KiB) that a
// back-to-back stream no longer pays (10.6 us), so every run here starts
// with a window of 64 segments (> 64 KiB), the same in both measurements.
#include <catch2/catch.hpp>

#include <algorithm>

#include "tests/platform/toevp_cli.h"

namespace toevp::tb::test {
namespace {

constexpr int kSeed = 1;  // sim.seed of every run (the default)

std::vector<std::string> base_sets(std::uint32_t message_bytes) {
  return {"pe.initial_cwnd_segments=64", "workload.message_bytes=" + std::to_string(message_bytes),
          "sim.seed=" + std::to_string(kSeed)};
}

// T: the context hold time of one message alone on an idle platform, in ns.
double hold_time_ns(std::uint32_t message_bytes) {
  auto sets = base_sets(message_bytes);
  sets.insert(sets.end(), {"workload.messages=1", "workload.outstanding_per_conn=1"});
  const CliResult r = run_design_point(sets);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  REQUIRE(r.json["peer_data_ok"].get<bool>());
  REQUIRE(r.json["messages_completed"].get<int>() == 1);
  return r.json["context_table"]["hold_time_mean_ns"].get<double>();
}

void check_entries(std::uint32_t message_bytes, double T, unsigned entries, unsigned messages) {
  auto sets = base_sets(message_bytes);
  sets.insert(sets.end(), {"ctx.entries=" + std::to_string(entries), "workload.outstanding_per_conn=64",
                           "workload.messages=" + std::to_string(messages)});
  const CliResult r = run_design_point(sets);
  INFO("seed " << kSeed << ", " << message_bytes << "-byte messages, ctx.entries=" << entries << ", T = " << T
               << " ns\n" << r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const nlohmann::json& j = r.json;
  const double line = j["theoretical_goodput_gbps"].get<double>();
  const double by_contexts = entries * double(message_bytes) * 8 / T;  // bits per ns = Gb/s
  const double expected = std::min(line, by_contexts);
  const double goodput = j["goodput_gbps"].get<double>();
  INFO("goodput " << goodput << " Gb/s, expected min(" << line << ", " << by_contexts << ") = " << expected);
  CHECK(goodput == Approx(expected).epsilon(0.10));
  CHECK(j["peer_data_ok"].get<bool>());
  CHECK(j["messages_completed"].get<unsigned>() == messages);
  CHECK(j["context_table"]["peak_used"].get<unsigned>() == entries);
  CHECK(j["context_table"]["full_stalls"].get<std::uint64_t>() > 0);  // the table really was the limit
}

TEST_CASE("claim 10: Little's law - 64 KiB messages reach the smaller of line goodput and entries x message / hold time",
          "[platform][littles law][claim 10]") {
  const double T = hold_time_ns(65536);
  INFO("T = " << T << " ns");
  REQUIRE(T > 5'000);  // at least the message's own wire time
  check_entries(65536, T, 1, 100);  // context-limited: ~50 Gb/s
  check_entries(65536, T, 4, 200);  // line-limited
  check_entries(65536, T, 8, 200);
}

TEST_CASE("claim 10: Little's law - 16 KiB messages reach the smaller of line goodput and entries x message / hold time",
          "[platform][littles law][claim 10]") {
  const double T = hold_time_ns(16384);
  INFO("T = " << T << " ns");
  REQUIRE(T > 1'300);
  check_entries(16384, T, 1, 200);  // context-limited: ~20 Gb/s
  check_entries(16384, T, 4, 400);  // context-limited: ~82 Gb/s
  check_entries(16384, T, 8, 400);  // line-limited
}

}  // namespace
}  // namespace toevp::tb::test
