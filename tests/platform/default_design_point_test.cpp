// The reference design point of DESIGN.md (100 GbE, PCIe Gen4 x16, 250 MHz
// core, 1500 MTU, 64 KiB messages) run end to end with the example firmware,
// exactly as `toevp run` runs it: the NIC must stream at line rate, deliver
// every byte intact, complete every message once, keep every method promise
// the scoreboard watches, and hold no message context at the end.
#include <catch2/catch.hpp>

#include "model/nic/cut_through_dma.h"
#include "testbench/platform.h"
#include "testbench/run_report.h"
#include "testbench/workload.h"
#include "tests/platform/platform_harness.h"

namespace toevp::tb::test {
namespace {

TEST_CASE("default design point streams 64 KiB messages at line rate with every message completed and nothing held",
          "[platform][claim 1][claim 6][claim 7]") {
  // 1000 x 64 KiB: about 5.6 ms of line time, so slow start and the last
  // RTT (~20 us together) weigh under 0.5 %.
  const model::Config config = make_config({"workload.messages=1000"});
  INFO("seed " << config.get_int("sim.seed"));
  auto program = make_workload_program(config);
  Platform p(config);
  auto* prog = program.get();
  REQUIRE(p.run([prog](fw::HostInterface& h) { return prog->run(h); }));
  const nlohmann::json r = make_report(p, program->results());
  INFO(summary_text(r));

  const double theory = theoretical_goodput_gbps(config);
  CHECK(theory == Approx(94.148).epsilon(1e-4));  // 1448 / (8 + 66 + 1448 + 4 + 12) x 100
  CHECK(r["goodput_gbps"].get<double>() >= 0.99 * theory);
  CHECK(r["goodput_gbps"].get<double>() <= theory * (1 + 1e-9));  // never above the wire
  CHECK(r["peer_data_ok"].get<bool>());
  CHECK(r["firmware_ok"].get<bool>());
  CHECK(r["messages_posted"].get<std::uint64_t>() == 1000);
  CHECK(r["messages_completed"].get<std::uint64_t>() == 1000);
  CHECK(r["peer_bytes_received"].get<std::uint64_t>() == 1000ull * 65536);
  CHECK(r["scoreboard"]["violations"].get<std::uint64_t>() == 0);
  CHECK(r["scoreboard"]["send_done_checked"].get<std::uint64_t>() == 1000);
  // Claim 6: every context was freed; none is still linked to a connection.
  CHECK(p.nic.contexts.used() == 0);
  CHECK(p.nic.pe.contexts_linked() == 0);
  CHECK(p.nic.contexts.stats().allocations == 1000);
  CHECK(p.nic.contexts.stats().frees == 1000);
  CHECK(r["retransmitted_segments"].get<std::uint64_t>() == 0);
}

// nic.tx_buffer_bytes = 0 (the default) sizes the transmit buffer from the
// MTU, line rate and PCIe read latency. A fixed 16 KiB held one 9014-byte
// frame, so each frame's reads waited for the previous frame to leave the
// wire: 37 Gb/s at MTU 9000 (docs/timing.md, "Cut-through DMA").
TEST_CASE("at MTU 9000 the default transmit buffer holds four jumbo frames and the NIC streams at line rate",
          "[platform][tx buffer]") {
  CHECK(model::auto_tx_buffer_bytes(100, 800, 1514) == 16384);      // 9 frames fit in the 16 KiB floor
  CHECK(model::auto_tx_buffer_bytes(100, 800, 9014) == 4 * 9014);   // ceil(10000 / 9014) + 2 frames
  CHECK(model::auto_tx_buffer_bytes(25, 800, 9014) == 3 * 9014);    // ceil(2500 / 9014) + 2
  CHECK(model::auto_tx_buffer_bytes(100, 1600, 1514) == 16 * 1514);  // ceil(20000 / 1514) + 2

  const model::Config config = make_config({"mac.mtu=9000", "workload.messages=300"});
  INFO("seed " << config.get_int("sim.seed"));
  REQUIRE(config.get_int("nic.tx_buffer_bytes") == 0);
  auto program = make_workload_program(config);
  Platform p(config);
  auto* prog = program.get();
  REQUIRE(p.run([prog](fw::HostInterface& h) { return prog->run(h); }));
  const nlohmann::json r = make_report(p, program->results());
  INFO(summary_text(r));
  CHECK(p.nic.dma.params().tx_buffer_bytes == 36056);
  CHECK(r["tx_buffer"]["bytes"].get<unsigned>() == 36056);
  const double theory = theoretical_goodput_gbps(config);  // 8948 / (8 + 66 + 8948 + 4 + 12) x 100
  CHECK(theory == Approx(99.004).epsilon(1e-4));
  CHECK(r["goodput_gbps"].get<double>() >= 0.99 * theory);
  CHECK(r["peer_data_ok"].get<bool>());
  CHECK(r["messages_completed"].get<std::uint64_t>() == 300);
  CHECK(p.nic.dma.stats().peak_reserved <= 36056);
  CHECK(p.nic.dma.stats().peak_reserved > 2 * 9014);  // more than the two frames 16 KiB could not hold
}

}  // namespace
}  // namespace toevp::tb::test
