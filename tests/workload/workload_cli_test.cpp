// The workload through the toevp executable, as a user runs it: the default
// bulk workload is bulk_sender bit for bit, the report names the workload it
// ran, the sample config files run, and a bad trace file or contradictory
// workload keys stop the run with exit status 2 and a message naming the
// file and line, or the key and value.
#include <catch2/catch.hpp>

#include <fstream>

#include "tests/platform/toevp_cli.h"

namespace toevp::tb::test {
namespace {

const std::string kConfigs = std::string(TOEVP_SOURCE_DIR) + "/testbench/configs/";

std::string write(const std::string& name, const std::string& text) {
  const auto path = (cli_temp_dir() / name).string();
  std::ofstream(path) << text;
  return path;
}

TEST_CASE("one connection, fixed sizes, closed loop: the workload program posts exactly what bulk_sender posts",
          "[workload][cli]") {
  const std::vector<std::string> sets = {"workload.messages=300", "workload.message_bytes=20000",
                                         "workload.outstanding_per_conn=16"};
  auto with = [&](const char* program) {
    auto s = sets;
    s.push_back(std::string("fw.program=") + program);
    return run_design_point(s);
  };
  const CliResult bulk = with("bulk_sender"), workload = with("workload");
  INFO(bulk.err << workload.err);
  REQUIRE(bulk.exit_code == 0);
  REQUIRE(workload.exit_code == 0);
  // Same completions at the same femtosecond, same bytes on the wire.
  CHECK(workload.json["completion_digest"] == bulk.json["completion_digest"]);
  CHECK(workload.json["wire_digest"] == bulk.json["wire_digest"]);
  CHECK(workload.json["completion_latency_ns"] == bulk.json["completion_latency_ns"]);
  CHECK(workload.json["workload"]["program"] == "workload");
  CHECK(bulk.json["workload"]["description"] ==
        "bulk_sender: 300 messages of 20000 B over 1 connection, closed loop, 16 outstanding per connection");
}

TEST_CASE("the summary and the JSON report state the workload: kind, sizes, mean size, spread, arrival",
          "[workload][cli]") {
  const CliResult r = run_toevp("run --set workload.messages=200 --set workload.connections=2 --set workload.sizes=uniform "
                                "--set workload.size_min=1000 --set workload.size_max=3000 --set workload.arrival=poisson "
                                "--set workload.offered_gbps=2",
                                true);
  INFO(r.err << r.out);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("  workload           bulk, 200 messages over 2 connections (round_robin), sizes uniform [1000, "
                   "3000] B (mean 2000 B), open loop poisson at 2 Gb/s\n") != std::string::npos);
  CHECK(r.out.find("  open loop          2 Gb/s (125000 msg/s) offered, ") != std::string::npos);
  const auto& w = r.json["workload"];
  CHECK(w["kind"] == "bulk");
  CHECK(w["sizes"] == "uniform");
  CHECK(w["spread"] == "round_robin");
  CHECK(w["arrival"] == "poisson");
  CHECK(w["mean_bytes"] == 2000.0);
  CHECK(w["offered_gbps"] == 2.0);
}

TEST_CASE("the sample trace config replays every row as request/response, its trace found beside it",
          "[workload][cli][trace]") {
  const CliResult r = run_toevp("run --quiet --config " + kConfigs + "trace_replay.cfg", true);
  INFO(r.err << r.out);
  REQUIRE(r.exit_code == 0);
  CHECK(r.json["messages_completed"] == 64);  // the rows of sample_trace.csv
  CHECK(r.json["workload"]["kind"] == "request_response");
  CHECK(r.json["workload"]["response_bytes_received"] == r.json["workload"]["response_bytes_expected"]);
  CHECK(r.json["config"]["workload"]["trace_file"] == kConfigs + "sample_trace.csv");
}

TEST_CASE("a bad trace file stops the run with exit status 2, naming the file and the line", "[workload][cli][trace]") {
  const std::string bad = write("bad.csv", "bytes,conn\n1448,0\n\n1448,zero\n");
  CliResult r = run_toevp("run --quiet --set workload.sizes=trace --set workload.trace_file=" + bad);
  CHECK(r.exit_code == 2);
  CHECK(r.err == "toevp: " + bad + ":4: column 'conn': value 'zero' is not an integer in [0, 65534]\n");
  const std::string conns = write("conns.csv", "bytes,conn\n1448,0\n1448,2\n");
  r = run_toevp("run --quiet --set workload.spread=trace --set workload.trace_file=" + conns);
  CHECK(r.exit_code == 2);
  CHECK(r.err == "toevp: " + conns + ":3: column 'conn': value '2' is not below workload.connections (1)\n");
  r = run_toevp("run --quiet --set workload.sizes=trace --set workload.trace_file=/nonexistent/trace.csv");
  CHECK(r.exit_code == 2);
  CHECK(r.err == "toevp: /nonexistent/trace.csv: cannot open the workload trace file\n");
  // A relative path given with --set is the run directory's, kept absolute.
  r = run_toevp("run --quiet --set workload.sizes=trace --set workload.trace_file=no_such_trace.csv");
  CHECK(r.exit_code == 2);
  CHECK(r.err == "toevp: " + (std::filesystem::current_path() / "no_such_trace.csv").string() +
                     ": cannot open the workload trace file\n");
}

TEST_CASE("contradictory or out-of-range workload keys: exit status 2 naming the key, the value and the rule",
          "[workload][cli][config]") {
  auto err = [](const std::string& sets) {
    const CliResult r = run_toevp("run --quiet " + sets);
    CHECK(r.exit_code == 2);
    return r.err;
  };
  CHECK(err("--set workload.zipf_s=11") ==
        "toevp: config key 'workload.zipf_s': value '11' is not allowed; expected a number in [0, 10] exponent\n");
  CHECK(err("--set workload.sizes=lognormal") ==
        "toevp: config key 'workload.sizes': value 'lognormal' is not allowed; expected one of fixed uniform bimodal trace\n");
  CHECK(err("--set workload.sizes=uniform --set workload.size_min=5000 --set workload.size_max=100") ==
        "toevp: config key 'workload.size_min' (5000) must not exceed config key 'workload.size_max' (100)\n");
  CHECK(err("--set fw.program=bulk_sender --set workload.arrival=poisson") ==
        "toevp: config key 'workload.arrival' (poisson) is read by fw.program = workload only; fw.program is bulk_sender\n");
  CHECK(err("--set workload.sizes=trace") ==
        "toevp: config key 'workload.trace_file' is empty, but workload.sizes, response_sizes, spread or arrival is trace\n");
  CHECK(err("--set workload.messages=0") ==
        "toevp: config key 'workload.messages' (0): 0 (one pass over the trace) needs workload.trace_file\n");
  CHECK(err("--set workload.kind=request_response --set peer.response_bytes=100")
            .rfind("toevp: config keys 'peer.request_bytes' and 'peer.response_bytes' give the peer a fixed framing", 0) == 0);
  CHECK(err("--set workload.sizes=uniform --set workload.size_max=1073741824 --set workload.connections=4")
            .rfind("toevp: config key 'host.memory_mb' (256) is too small for workload.connections x "
                   "workload.outstanding_per_conn x (largest message) = ", 0) == 0);
}

TEST_CASE("docs/config.md ends with the generated table of every key (scripts/gen_config_doc.sh)", "[workload][cli][config]") {
  const CliResult r = run_toevp("config --markdown");
  REQUIRE(r.exit_code == 0);
  const std::string doc = slurp(std::string(TOEVP_SOURCE_DIR) + "/docs/config.md");
  const std::string marker =
      "<!-- Generated from model/common/config_schema.cpp by scripts/gen_config_doc.sh: do not edit below. -->\n\n";
  const auto at = doc.find(marker);
  REQUIRE(at != std::string::npos);
  INFO("docs/config.md is stale: run scripts/gen_config_doc.sh");
  CHECK(doc.substr(at + marker.size()) == r.out);
  CHECK(r.out.find("| `workload.sizes` | `fixed` | one of fixed uniform bimodal trace |") != std::string::npos);
}

}  // namespace
}  // namespace toevp::tb::test
