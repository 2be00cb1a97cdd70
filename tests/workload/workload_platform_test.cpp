// The `workload` program in the platform, one run per test case (each its
// own process): the sizes the NIC completes are the configured ones (a trace
// exactly, distributions within bounds and with their mean or fraction), an
// open loop posts at the configured rate, a closed loop never exceeds its
// window, request/response gets every response byte, and every run keeps
// the platform's invariants (peer data check, scoreboard, every message
// completed once, no context held at the end).
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <numeric>
#include <set>

#include "firmware/examples/message_trace.h"
#include "testbench/platform.h"
#include "testbench/run_report.h"
#include "testbench/workload.h"
#include "tests/platform/platform_harness.h"

namespace toevp::tb::test {
namespace {

const std::string kSampleTrace = (std::filesystem::path(TOEVP_SOURCE_DIR) / "testbench/configs/sample_trace.csv").string();

struct Run {
  explicit Run(const std::vector<std::string>& sets)
      : config(make_config(sets)), platform(config), log(platform), program(make_workload_program(config, platform)) {
    auto* prog = program.get();
    finished = platform.run([prog](fw::HostInterface& h) { return prog->run(h); });
    report = make_report(platform, program->results());
  }
  const fw::ProgramResults& results() const { return program->results(); }
  // The SEND_DONE (or RECV_DONE) lengths of each connection, in landing order.
  std::map<std::uint16_t, std::vector<std::uint32_t>> lengths(abi::CqeType type) const {
    std::map<std::uint16_t, std::vector<std::uint32_t>> out;
    for (const auto& e : log.entries())
      if (e.cqe.type == type && e.cqe.status == abi::Status::kOk) out[e.cqe.conn_id].push_back(e.cqe.length);
    return out;
  }

  model::Config config;
  Platform platform;
  CompletionLog log;
  std::unique_ptr<fw::FirmwareProgram> program;
  bool finished = false;
  nlohmann::json report;
};

// What every run must show, whatever its workload.
void check_invariants(const Run& r, std::uint64_t messages) {
  INFO(summary_text(r.report));
  REQUIRE(r.finished);
  CHECK(r.report["firmware_ok"].get<bool>());
  CHECK(r.report["peer_data_ok"].get<bool>());
  CHECK(r.report["messages_posted"].get<std::uint64_t>() == messages);
  CHECK(r.report["messages_completed"].get<std::uint64_t>() == messages);
  CHECK(r.report["scoreboard"]["violations"].get<std::uint64_t>() == 0);
  CHECK(r.report["scoreboard"]["send_done_checked"].get<std::uint64_t>() == messages);
  CHECK(r.report["context_table"]["in_use_at_end"].get<std::uint64_t>() == 0);
  std::uint64_t send_done_bytes = 0;
  for (const auto& [conn, v] : r.lengths(abi::CqeType::kSendDone)) send_done_bytes += std::accumulate(v.begin(), v.end(), 0ull);
  CHECK(send_done_bytes == r.report["peer_bytes_received"].get<std::uint64_t>());
  CHECK(send_done_bytes == r.results().offered.bytes_posted);
}

// The most messages of one connection posted and not done at any moment,
// from the program's post and done times (a done and a post at the same
// nanosecond: the slot was free first).
std::map<std::uint16_t, int> peak_in_flight(const fw::ProgramResults& res) {
  std::map<std::uint16_t, std::vector<std::pair<std::uint64_t, int>>> events;
  for (const auto& m : res.messages) {
    events[m.conn].emplace_back(m.post_ns, +1);
    events[m.conn].emplace_back(m.done_ns, -1);
  }
  std::map<std::uint16_t, int> peak;
  for (auto& [conn, ev] : events) {
    std::sort(ev.begin(), ev.end());
    int n = 0;
    for (const auto& e : ev) peak[conn] = std::max(peak[conn], n += e.second);
  }
  return peak;
}

TEST_CASE("trace replay: the NIC completes exactly the trace's SEND sizes, per connection, in order",
          "[workload][trace]") {
  const fw::MessageTrace trace = fw::MessageTrace::load(kSampleTrace);
  Run r({"workload.sizes=trace", "workload.spread=trace", "workload.trace_file=" + kSampleTrace,
         "workload.messages=0", "workload.connections=4", "workload.outstanding_per_conn=4"});
  check_invariants(r, trace.rows().size());
  std::map<std::uint16_t, std::vector<std::uint32_t>> expected;
  for (const auto& row : trace.rows()) expected[static_cast<std::uint16_t>(row.conn)].push_back(row.bytes);
  CHECK(r.lengths(abi::CqeType::kSendDone) == expected);
  // The peer got each connection's bytes: the sum of its rows.
  for (std::size_t i = 0; i < r.platform.peer.logic().connection_count(); ++i) {
    const auto& pc = r.platform.peer.logic().connection(i);
    const auto& v = expected[static_cast<std::uint16_t>(pc.pattern_key)];
    CHECK(pc.stats.bytes_delivered == std::accumulate(v.begin(), v.end(), 0ull));
  }
  CHECK(r.report["workload"]["mean_bytes"].get<double>() == Approx(trace.mean_bytes()));
  CHECK(r.report["workload"]["description"].get<std::string>().find("sizes trace sample_trace.csv (mean") != std::string::npos);
}

TEST_CASE("trace replay of everything: request/response at the trace's times with the trace's response sizes",
          "[workload][trace][request_response]") {
  const fw::MessageTrace trace = fw::MessageTrace::load(kSampleTrace);
  Run r({"workload.kind=request_response", "workload.sizes=trace", "workload.response_sizes=trace",
         "workload.spread=trace", "workload.arrival=trace", "workload.trace_file=" + kSampleTrace,
         "workload.messages=0", "workload.connections=4"});
  check_invariants(r, trace.rows().size());
  std::map<std::uint16_t, std::vector<std::uint32_t>> sends, responses;
  std::uint64_t response_total = 0;
  for (const auto& row : trace.rows()) {
    sends[static_cast<std::uint16_t>(row.conn)].push_back(row.bytes);
    response_total += row.response_bytes;
  }
  CHECK(r.lengths(abi::CqeType::kSendDone) == sends);
  std::uint64_t received = 0;
  for (const auto& [conn, v] : r.lengths(abi::CqeType::kRecvDone)) received += std::accumulate(v.begin(), v.end(), 0ull);
  CHECK(received == response_total);
  CHECK(r.results().offered.response_bytes_received == response_total);
  // Each request's record carries its trace sizes.
  std::map<std::uint16_t, std::vector<std::uint32_t>> done_sizes;
  for (const auto& m : r.results().messages) done_sizes[m.conn].push_back(m.bytes);
  CHECK(done_sizes == sends);
  // Light load: every request is posted at its arrival time (within the
  // host's own MMIO time), so posts are spaced as the trace's rows.
  const auto& o = r.results().offered;
  CHECK(o.backlogged == 0);
  CHECK(o.post_delay_max_ns < 1000);
  CHECK(o.last_post_ns - o.first_post_ns == Approx(double(trace.rows().back().time_ns - trace.rows().front().time_ns)).margin(1000));
}

TEST_CASE("uniform sizes: every SEND within [size_min, size_max], the mean near (min + max) / 2", "[workload][sizes]") {
  Run r({"workload.sizes=uniform", "workload.size_min=100", "workload.size_max=9000", "workload.messages=400",
         "workload.connections=4", "workload.outstanding_per_conn=8", "sim.seed=3"});
  check_invariants(r, 400);
  std::vector<std::uint32_t> all;
  for (const auto& [conn, v] : r.lengths(abi::CqeType::kSendDone)) all.insert(all.end(), v.begin(), v.end());
  REQUIRE(all.size() == 400);
  CHECK(*std::min_element(all.begin(), all.end()) >= 100);
  CHECK(*std::max_element(all.begin(), all.end()) <= 9000);
  // Standard error of the mean: 2569 / sqrt(400) = 128 B; 3.5 of them.
  const double mean = std::accumulate(all.begin(), all.end(), 0.0) / all.size();
  CHECK(mean == Approx(4550).margin(450));
  CHECK(r.report["workload"]["mean_bytes"].get<double>() == 4550);
  CHECK(r.report["workload"]["mean_bytes_posted"].get<double>() == Approx(mean));
  CHECK(std::set<std::uint32_t>(all.begin(), all.end()).size() > 350);  // not a handful of values
}

TEST_CASE("bimodal sizes: only the two sizes, the large one in bimodal_large_fraction of the messages",
          "[workload][sizes]") {
  Run r({"workload.sizes=bimodal", "workload.bimodal_small=200", "workload.bimodal_large=20000",
         "workload.bimodal_large_fraction=0.2", "workload.messages=1000", "workload.connections=2"});
  check_invariants(r, 1000);
  int large = 0, other = 0;
  for (const auto& [conn, v] : r.lengths(abi::CqeType::kSendDone))
    for (auto len : v) {
      large += len == 20000;
      other += len != 20000 && len != 200;
    }
  CHECK(other == 0);
  CHECK(large == Approx(200).margin(40));  // Binomial(1000, 0.2): sd 12.6
}

TEST_CASE("open loop, fixed interval at light load: posts at the offered rate, no backlog, goodput = offered",
          "[workload][open_loop]") {
  // 8000 B at 10 Gb/s: one message every 6400 ns, a tenth of the line.
  Run r({"workload.arrival=fixed", "workload.offered_gbps=10", "workload.message_bytes=8000", "workload.messages=500",
         "workload.connections=2"});
  check_invariants(r, 500);
  const auto& w = r.report["workload"];
  INFO(w.dump());
  CHECK(w["offered_msgs_per_s"].get<double>() == Approx(1e9 / 6400));
  CHECK(w["posted_msgs_per_s"].get<double>() == Approx(1e9 / 6400).epsilon(0.001));
  CHECK(w["posted_gbps"].get<double>() == Approx(10).epsilon(0.001));
  CHECK(w["backlogged"].get<std::uint64_t>() == 0);
  CHECK(w["post_delay_ns"]["max"].get<std::uint64_t>() < 1000);
  // The peer's goodput over the data's span (n messages in n - 1 intervals plus one).
  CHECK(r.report["goodput_gbps"].get<double>() == Approx(10.0 * 500 / 499).epsilon(0.02));
  // Nothing queues up: each message is done long before the next arrives
  // ... or at most a few are in flight.
  CHECK(r.results().offered.peak_outstanding_per_conn <= 2);
}

TEST_CASE("open loop, poisson at light load: the mean rate is the offered one", "[workload][open_loop]") {
  // 1000 B at 5 Gb/s: 1600 ns mean gap; 2000 gaps give a 2.2 % standard error.
  Run r({"workload.arrival=poisson", "workload.offered_gbps=5", "workload.message_bytes=1000", "workload.messages=2000",
         "workload.connections=8", "workload.spread=uniform", "sim.seed=5"});
  check_invariants(r, 2000);
  const auto& w = r.report["workload"];
  INFO(w.dump());
  CHECK(w["posted_gbps"].get<double>() == Approx(5).epsilon(0.07));
  CHECK(w["backlogged"].get<std::uint64_t>() == 0);
  CHECK(w["post_delay_ns"]["max"].get<std::uint64_t>() < 1000);
}

TEST_CASE("open loop beyond the line rate: the backlog grows and the report says so", "[workload][open_loop]") {
  Run r({"workload.arrival=fixed", "workload.offered_gbps=200", "workload.message_bytes=65536", "workload.messages=300",
         "workload.outstanding_per_conn=8"});
  check_invariants(r, 300);
  const auto& w = r.report["workload"];
  INFO(w.dump());
  CHECK(w["backlogged"].get<std::uint64_t>() > 200);
  CHECK(w["backlog_peak"].get<std::uint64_t>() > 100);
  CHECK(w["posted_gbps"].get<double>() < 100);
  CHECK(r.report["goodput_gbps"].get<double>() > 90);  // the NIC runs at line rate meanwhile
  CHECK(r.results().offered.peak_outstanding_per_conn == 8);
  CHECK(summary_text(r.report).find("messages waited for a free buffer") != std::string::npos);
}

TEST_CASE("closed loop: no connection ever has more than outstanding_per_conn messages in flight", "[workload][closed_loop]") {
  Run r({"workload.connections=4", "workload.outstanding_per_conn=3", "workload.spread=zipf", "workload.zipf_s=1.5",
         "workload.messages=600", "workload.message_bytes=4000", "sim.seed=2"});
  check_invariants(r, 600);
  const auto peak = peak_in_flight(r.results());
  REQUIRE(peak.size() == 4);
  for (const auto& [conn, n] : peak) {
    INFO("connection " << conn);
    CHECK(n <= 3);
  }
  CHECK(peak.at(0) == 3);  // the hot connection fills its window
  CHECK(r.results().offered.peak_outstanding_per_conn == 3);
  CHECK(r.report["context_table"]["peak_used"].get<std::uint64_t>() <= 12);
  // Zipf: connection 0 carries the most messages.
  std::map<std::uint16_t, int> count;
  for (const auto& m : r.results().messages) ++count[m.conn];
  CHECK(count.at(0) > count.at(1));
  CHECK(count.at(1) > count.at(3));
}

TEST_CASE("request/response: every request gets its response, byte for byte, with distributed sizes",
          "[workload][request_response]") {
  Run r({"workload.kind=request_response", "workload.connections=3", "workload.messages=300",
         "workload.outstanding_per_conn=2", "workload.sizes=uniform", "workload.size_min=64", "workload.size_max=3000",
         "workload.response_sizes=bimodal", "workload.response_bimodal_small=100", "workload.response_bimodal_large=20000",
         "workload.response_bimodal_large_fraction=0.3", "sim.seed=4"});
  check_invariants(r, 300);
  const auto& res = r.results();
  std::uint64_t expected = 0;
  for (const auto& m : res.messages) {
    CHECK((m.response_bytes == 100 || m.response_bytes == 20000));
    expected += m.response_bytes;
  }
  CHECK(res.offered.response_bytes_expected == expected);
  CHECK(res.offered.response_bytes_received == expected);
  std::uint64_t recv_done = 0;
  for (const auto& [conn, v] : r.lengths(abi::CqeType::kRecvDone)) recv_done += std::accumulate(v.begin(), v.end(), 0ull);
  CHECK(recv_done == expected);
  CHECK(r.report["protocol"]["rx_data_bytes"].get<std::uint64_t>() == expected);
  // The peer answered each request once.
  std::uint64_t answered = 0;
  for (std::size_t i = 0; i < r.platform.peer.logic().connection_count(); ++i)
    answered += r.platform.peer.logic().connection(i).stats.responses_queued;
  CHECK(answered == 300);
  CHECK(peak_in_flight(res).at(0) <= 2);
  // A request is done only after its response: at least one round trip (2 x 2 us).
  CHECK(res.latency_quantile_ns(0.0) >= 4000);
  CHECK(r.report["workload"]["kind"] == "request_response");
}

}  // namespace
}  // namespace toevp::tb::test
