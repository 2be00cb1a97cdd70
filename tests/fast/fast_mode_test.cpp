// Fast mode (sim.mode = fast) against cycle mode on the same design point:
// the peer must receive the same bytes on every connection (stream_digest),
// every message must complete exactly once with the same status, and each
// connection must see the same completions in the same order
// (completion_stream_digest), while every invariant of a run holds in both
// (peer data check, scoreboard, no context left). On a lossless single
// connection that the host keeps ahead of the wire, even the frames are the
// same in both directions except for the TCP timestamp values (and so the
// checksum): docs/timing.md, "Fast mode", says why.
//
// Each run is the toevp executable in its own process (SystemC elaborates
// once per process), as a user would run the two modes.
#include <catch2/catch.hpp>

#include <cstring>
#include <fstream>
#include <iterator>

#include "tests/platform/toevp_cli.h"

namespace toevp::tb::test {
namespace {

struct ModeRun {
  CliResult cli;
  // Frames of the run's pcap, by sender, TCP timestamp values and TCP
  // checksum zeroed (only with pcap).
  std::vector<std::vector<std::uint8_t>> from_nic, from_peer;
};

std::vector<std::uint8_t> read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::uint32_t le32(const std::uint8_t* p) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);  // the writer's byte order (the same host)
  return v;
}

// Frames of a nanosecond pcap (testbench/pcap_writer.h) with the parts that
// carry time masked: TSval and TSecr (NOP, NOP, Timestamps) and the TCP
// checksum that covers them.
void read_pcap(const std::filesystem::path& path, ModeRun& run) {
  const std::vector<std::uint8_t> d = read_file(path);
  REQUIRE(d.size() >= 24);
  REQUIRE(le32(d.data()) == 0xA1B23C4D);
  const std::uint8_t nic_mac[6] = {0x02, 0, 0, 0, 0, 0x01};
  for (std::size_t off = 24; off + 16 <= d.size();) {
    const std::uint32_t len = le32(d.data() + off + 8);
    off += 16;
    REQUIRE(off + len <= d.size());
    std::vector<std::uint8_t> f(d.begin() + static_cast<std::ptrdiff_t>(off),
                                d.begin() + static_cast<std::ptrdiff_t>(off + len));
    off += len;
    if (f.size() >= 54 && f[12] == 0x08 && f[13] == 0x00 && f[23] == 6) {
      const std::size_t tcp = 14 + std::size_t(f[14] & 0x0F) * 4;
      const std::size_t doff = std::size_t(f[tcp + 12] >> 4) * 4;
      f[tcp + 16] = f[tcp + 17] = 0;
      if (doff == 32 && f[tcp + 20] == 1 && f[tcp + 21] == 1 && f[tcp + 22] == 8 && f[tcp + 23] == 10)
        std::fill(f.begin() + static_cast<std::ptrdiff_t>(tcp + 24), f.begin() + static_cast<std::ptrdiff_t>(tcp + 32), 0);
    }
    (std::memcmp(f.data() + 6, nic_mac, 6) == 0 ? run.from_nic : run.from_peer).push_back(std::move(f));
  }
}

ModeRun run_mode(const std::string& mode, const std::vector<std::string>& sets, bool pcap = false) {
  std::string args = "run --quiet --set sim.mode=" + mode;
  for (const auto& s : sets) args += " --set " + s;
  static int n = 0;
  const auto pcap_path = cli_temp_dir() / ("fast_mode_" + std::to_string(n++) + ".pcap");
  if (pcap) args += " --pcap '" + pcap_path.string() + "'";
  ModeRun r;
  r.cli = run_toevp(args, true);
  if (pcap && r.cli.exit_code == 0) read_pcap(pcap_path, r);
  return r;
}

// Everything a finished run promises, in either mode.
void check_run(const ModeRun& run, const std::string& mode, std::uint64_t messages) {
  const nlohmann::json& j = run.cli.json;
  INFO(mode << " mode:\n" << run.cli.out << run.cli.err);
  REQUIRE(run.cli.exit_code == 0);
  CHECK(j["mode"] == mode);
  CHECK(j["timing"] == (mode == "fast" ? "approximate" : "cycle-accurate"));
  CHECK(j["peer_data_ok"].get<bool>());
  CHECK(j["firmware_ok"].get<bool>());
  CHECK(j["messages_posted"].get<std::uint64_t>() == messages);
  CHECK(j["messages_completed"].get<std::uint64_t>() == messages);
  CHECK(j["scoreboard"]["violations"].get<std::uint64_t>() == 0);
  CHECK(j["scoreboard"]["send_done_checked"].get<std::uint64_t>() == messages);
  CHECK(j["context_table"]["in_use_at_end"].get<std::uint64_t>() == 0);
  CHECK_FALSE(j["timed_out"].get<bool>());
}

// Same bytes to the peer on every connection, same completions per connection.
void check_same_outcome(const ModeRun& cycle, const ModeRun& fast) {
  const nlohmann::json &c = cycle.cli.json, &f = fast.cli.json;
  CHECK(f["stream_digest"] == c["stream_digest"]);
  CHECK(f["completion_stream_digest"] == c["completion_stream_digest"]);
  CHECK(f["peer_bytes_received"] == c["peer_bytes_received"]);
  CHECK(f["bytes_completed"] == c["bytes_completed"]);
  CHECK(f["protocol"]["recv_done"] == c["protocol"]["recv_done"]);
  // The runs differ in time: their exact digests say so.
  CHECK(f["completion_digest"] != c["completion_digest"]);
}

TEST_CASE("fast mode: the default point delivers cycle mode's bytes, completions and frames", "[fast]") {
  const std::vector<std::string> sets = {"workload.messages=300"};
  const ModeRun cycle = run_mode("cycle", sets, true);
  const ModeRun fast = run_mode("fast", sets, true);
  check_run(cycle, "cycle", 300);
  check_run(fast, "fast", 300);
  check_same_outcome(cycle, fast);
  // One connection, no loss, the host always ahead of the wire: the same
  // frames in the same order both ways, timestamps aside.
  CHECK(fast.from_nic.size() == cycle.from_nic.size());
  CHECK(fast.from_peer.size() == cycle.from_peer.size());
  CHECK(fast.from_nic.size() > 13'000);
  CHECK(fast.from_nic == cycle.from_nic);
  CHECK(fast.from_peer == cycle.from_peer);
  // Approximate timing, but not another design point.
  const double gc = cycle.cli.json["goodput_gbps"].get<double>(), gf = fast.cli.json["goodput_gbps"].get<double>();
  CHECK(gf == Approx(gc).epsilon(0.01));
  // Fewer activations of the SystemC kernel: the transmit path runs a burst
  // of frames per activation (a deterministic measure; wall time is in
  // scripts/bench_fast.sh).
  CHECK(fast.cli.json["kernel_delta_cycles"].get<std::uint64_t>() * 2 <
        cycle.cli.json["kernel_delta_cycles"].get<std::uint64_t>());
}

TEST_CASE("fast mode: 8 connections over a link losing 1 % each way deliver cycle mode's bytes and completions",
          "[fast][faults]") {
  const std::vector<std::string> sets = {"workload.messages=160", "workload.connections=8",
                                         "link.a_to_b.loss=0.01", "link.b_to_a.loss=0.01"};
  const ModeRun cycle = run_mode("cycle", sets);
  check_run(cycle, "cycle", 160);
  CHECK(cycle.cli.json["retransmitted_segments"].get<std::uint64_t>() > 0);
  // The default quantum, one shorter than a frame and one of several RTTs.
  for (const char* quantum : {"1000", "100", "20000"}) {
    auto s = sets;
    s.push_back(std::string("sim.quantum_ns=") + quantum);
    const ModeRun fast = run_mode("fast", s);
    INFO("sim.quantum_ns=" << quantum);
    check_run(fast, "fast", 160);
    CHECK(fast.cli.json["quantum_ns"].get<int>() == std::stoi(quantum));
    CHECK(fast.cli.json["retransmitted_segments"].get<std::uint64_t>() > 0);
    check_same_outcome(cycle, fast);
  }
}

TEST_CASE("fast mode: request/response data through POST_RECV gives cycle mode's RECV_DONEs", "[fast]") {
  const std::vector<std::string> sets = {"fw.program=request_response", "workload.messages=50",
                                         "peer.request_bytes=65536", "peer.response_bytes=3000"};
  const ModeRun cycle = run_mode("cycle", sets);
  const ModeRun fast = run_mode("fast", sets);
  check_run(cycle, "cycle", 50);
  check_run(fast, "fast", 50);
  CHECK(cycle.cli.json["protocol"]["rx_data_bytes"].get<std::uint64_t>() == 50 * 3000);
  check_same_outcome(cycle, fast);
}

TEST_CASE("fast mode with the RTL header generator is a config error naming both keys", "[fast][config]") {
  const CliResult r = run_toevp("run --quiet --set sim.mode=fast --set nic.header_gen=rtl");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("sim.mode") != std::string::npos);
  CHECK(r.err.find("nic.header_gen") != std::string::npos);
}

}  // namespace
}  // namespace toevp::tb::test
