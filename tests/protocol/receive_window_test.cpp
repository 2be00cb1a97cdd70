// The receive window the NIC advertises, in the running platform with the
// request/response workload: firmware posts exactly one response's worth of
// buffer with each request, so the window may never read as closed while
// response bytes are still due, or the peer sits out its persist timer
// (1 ms) with the rest of a response in hand. Each case once took that 1 ms
// for a different reason (docs/protocol.md, "Window advertised"):
//   - the window scale rounded the last 72 bytes of posted space down to 0;
//   - the edge the handshake promised ran out a few bytes short of a posted
//     buffer, and receiver SWS avoidance (a move of at least one MSS) never
//     let the edge move on to the buffer's end;
//   - buffers smaller than one MSS could never move the edge at all.
// Every case has its own process (ctest entry) and a fixed seed.
#include <catch2/catch.hpp>

#include "testbench/platform.h"
#include "testbench/run_report.h"
#include "testbench/workload.h"
#include "tests/platform/platform_harness.h"
#include "tests/protocol/protocol_harness.h"

namespace toevp::tb::test {
namespace {

const int kSeed = test_seed(11);

struct RequestResponse {
  RequestResponse(std::uint32_t response_bytes, unsigned outstanding, unsigned wscale)
      : config(make_config({"sim.seed=" + std::to_string(kSeed), "sim.time_limit_ms=1000",
                            "workload.kind=request_response", "workload.message_bytes=512",
                            "workload.messages=" + std::to_string(kMessages),
                            "workload.response_bytes=" + std::to_string(response_bytes),
                            "workload.outstanding_per_conn=" + std::to_string(outstanding),
                            "workload.wscale=" + std::to_string(wscale)})),
        platform(config),
        program(make_workload_program(config, platform)) {
    auto* prog = program.get();
    finished = platform.run([prog](fw::HostInterface& h) { return prog->run(h); });
    report = make_report(platform, program->results());
  }

  // What every case checks: all responses arrived, none waited for a
  // persist timer, and the slowest request took about a round trip plus
  // the responses queued ahead of it, nowhere near the peer's 1 ms persist
  // timer.
  void check(std::uint32_t response_bytes, std::uint64_t max_latency_ns) const {
    INFO("seed " << kSeed << "\n" << summary_text(report));
    REQUIRE(finished);
    const fw::ProgramResults& r = program->results();
    CHECK(r.ok);
    CHECK(r.messages_completed == kMessages);
    CHECK(r.offered.response_bytes_received == std::uint64_t{kMessages} * response_bytes);
    const auto& peer = platform.peer.logic().connection(0).stats;
    CHECK(peer.window_probes_sent == 0);
    CHECK(peer.data_timeouts == 0);
    CHECK(platform.nic.pe.stats().rx_no_buffer_bytes == 0);
    CHECK(r.latency_quantile_ns(1.0) < max_latency_ns);
  }

  static constexpr std::uint32_t kMessages = 400;
  model::Config config;
  Platform platform;
  std::unique_ptr<fw::FirmwareProgram> program;
  bool finished = false;
  nlohmann::json report;
};

TEST_CASE("pipelined 16 KiB responses: the last bytes of posted space are never advertised as a zero window",
          "[protocol][window]") {
  // Window scale 7: 456 bytes left read as 3 units, then 72 bytes as 0.
  // 8 outstanding: the 8th request of the first batch waits for 7 responses
  // ahead of it on the link (about 18 us).
  const RequestResponse run(16384, 8, 7);
  run.check(16384, 25'000);
}

TEST_CASE("once the handshake's window is used up, each posted buffer opens the window to its end",
          "[protocol][window]") {
  // 5000-byte responses: the 1 MiB promised at the handshake ends 1424
  // bytes short of a posted buffer's end, a move smaller than the one MSS
  // that receiver SWS avoidance asks for.
  const RequestResponse run(5000, 1, 7);
  run.check(5000, 12'000);
}

TEST_CASE("buffers smaller than one MSS still open the window", "[protocol][window]") {
  // No window scaling: the handshake's 65535 bytes last 128 responses of
  // 512 bytes; every later buffer is the whole receive space.
  const RequestResponse run(512, 1, 0);
  run.check(512, 12'000);
}

}  // namespace
}  // namespace toevp::tb::test
