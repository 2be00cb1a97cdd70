// The workload generator without a platform: every size distribution,
// spread and arrival process gives what its parameters say, from the seed
// alone; a trace replays row for row; bad traces and bad parameters are
// errors that name the file and line, or the parameter.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <vector>

#include "firmware/examples/message_source.h"
#include "firmware/examples/workload_program.h"

namespace toevp::fw {
namespace {

WorkloadSpec spec(const ProgramParams& p) {
  ParamReader r(p);
  WorkloadSpec w = WorkloadSpec::read(r);
  r.finish("test");
  return w;
}

std::vector<PlannedMessage> draw(const WorkloadSpec& w) {
  MessageSource s(w);
  std::vector<PlannedMessage> out;
  while (s.more()) out.push_back(s.next());
  return out;
}

std::string error_of(const ProgramParams& p) {
  try {
    spec(p);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

// A file in the test's temporary directory with `text` in it.
std::string temp_file(const std::string& name, const std::string& text) {
  const auto dir = std::filesystem::temp_directory_path() / ("toevp_workload_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = (dir / name).string();
  std::ofstream(path) << text;
  return path;
}

std::string trace_error(const std::string& text) {
  try {
    MessageTrace::parse(text, "t.csv");
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

TEST_CASE("fixed sizes and round robin: message i of size message_bytes on connection i mod n") {
  const auto m = draw(spec({{"connections", "3"}, {"messages", "10"}, {"message_bytes", "1000"}}));
  REQUIRE(m.size() == 10);
  for (std::size_t i = 0; i < m.size(); ++i) {
    CHECK(m[i].seq == i);
    CHECK(m[i].conn == i % 3);
    CHECK(m[i].bytes == 1000);
    CHECK(m[i].arrival_ns == 0);  // closed loop
  }
}

TEST_CASE("uniform sizes stay within [size_min, size_max], reach both ends and have the mean (min + max) / 2") {
  const auto w = spec({{"messages", "20000"}, {"sizes", "uniform"}, {"size_min", "100"}, {"size_max", "199"}});
  const auto m = draw(w);
  std::map<std::uint32_t, int> seen;
  double sum = 0;
  for (const auto& x : m) {
    REQUIRE(x.bytes >= 100);
    REQUIRE(x.bytes <= 199);
    ++seen[x.bytes];
    sum += x.bytes;
  }
  CHECK(seen.size() == 100);  // every size appears
  CHECK(w.mean_bytes() == 149.5);
  // Standard error of the mean: 28.9 / sqrt(20000) = 0.2 B.
  CHECK(sum / double(m.size()) == Approx(149.5).margin(1.0));
}

TEST_CASE("bimodal sizes: only the two sizes, the large one with probability bimodal_large_fraction") {
  const auto w = spec({{"messages", "20000"}, {"sizes", "bimodal"}, {"bimodal_small", "64"}, {"bimodal_large", "9000"},
                       {"bimodal_large_fraction", "0.25"}});
  int large = 0;
  for (const auto& x : draw(w)) {
    REQUIRE((x.bytes == 64 || x.bytes == 9000));
    large += x.bytes == 9000;
  }
  // Binomial(20000, 0.25): standard deviation 61 messages.
  CHECK(large == Approx(5000).margin(300));
  CHECK(w.mean_bytes() == Approx(0.75 * 64 + 0.25 * 9000));
}

TEST_CASE("the same seed gives the same sequence; another seed another; the aspects draw from separate streams") {
  const ProgramParams base{{"messages", "500"}, {"connections", "16"}, {"sizes", "uniform"}, {"spread", "uniform"},
                           {"arrival", "poisson"}};
  auto with = [&](std::initializer_list<std::pair<const std::string, std::string>> extra) {
    ProgramParams p = base;
    for (const auto& [k, v] : extra) p[k] = v;
    return draw(spec(p));
  };
  auto same = [](const std::vector<PlannedMessage>& a, const std::vector<PlannedMessage>& b, auto field) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                      [&](const PlannedMessage& x, const PlannedMessage& y) { return field(x) == field(y); });
  };
  const auto bytes = [](const PlannedMessage& m) { return m.bytes; };
  const auto conn = [](const PlannedMessage& m) { return m.conn; };
  const auto arrival = [](const PlannedMessage& m) { return m.arrival_ns; };
  const auto a = with({{"seed", "7"}}), b = with({{"seed", "7"}}), c = with({{"seed", "8"}});
  CHECK(same(a, b, bytes));
  CHECK(same(a, b, conn));
  CHECK(same(a, b, arrival));
  CHECK_FALSE(same(a, c, bytes));
  CHECK_FALSE(same(a, c, conn));
  CHECK_FALSE(same(a, c, arrival));
  // Changing the spread leaves sizes and arrival times as they were.
  const auto d = with({{"seed", "7"}, {"spread", "zipf"}});
  CHECK(same(a, d, bytes));
  CHECK(same(a, d, arrival));
  CHECK_FALSE(same(a, d, conn));
}

TEST_CASE("uniform spread reaches every connection about equally") {
  const auto m = draw(spec({{"messages", "16000"}, {"connections", "16"}, {"spread", "uniform"}}));
  std::vector<int> n(16);
  for (const auto& x : m) ++n.at(x.conn);
  for (int k : n) CHECK(k == Approx(1000).margin(150));  // sd 31
}

TEST_CASE("zipf spread: connection i gets a share proportional to 1 / (i + 1)^s") {
  const auto m = draw(spec({{"messages", "40000"}, {"connections", "100"}, {"spread", "zipf"}, {"zipf_s", "1.2"}}));
  std::vector<int> n(100);
  for (const auto& x : m) ++n.at(x.conn);
  double h = 0;
  for (int i = 1; i <= 100; ++i) h += 1 / std::pow(i, 1.2);
  for (int i : {0, 1, 9}) {
    const double expected = 40000 / std::pow(i + 1, 1.2) / h;
    INFO("connection " << i);
    CHECK(n[i] == Approx(expected).epsilon(0.08));
  }
  CHECK(std::is_sorted(n.begin(), n.begin() + 4, std::greater<>()));
}

TEST_CASE("hot set spread: the first ceil(hot_fraction x n) connections get hot_traffic of the messages") {
  const auto m = draw(spec({{"messages", "20000"}, {"connections", "50"}, {"spread", "hot_set"},
                            {"hot_fraction", "0.1"}, {"hot_traffic", "0.8"}}));
  int hot = 0;
  std::vector<int> n(50);
  for (const auto& x : m) {
    hot += x.conn < 5;
    ++n.at(x.conn);
  }
  CHECK(hot == Approx(16000).margin(300));
  CHECK(std::count(n.begin(), n.end(), 0) == 0);  // the cold ones still get some
}

TEST_CASE("fixed arrivals are exactly mean size x 8 / offered_gbps apart; poisson ones have that mean") {
  // 1250 B at 10 Gb/s: 1000 ns between messages.
  const auto f = draw(spec({{"messages", "1000"}, {"message_bytes", "1250"}, {"arrival", "fixed"}, {"offered_gbps", "10"}}));
  for (std::size_t i = 0; i < f.size(); ++i) CHECK(f[i].arrival_ns == i * 1000);
  const auto w = spec({{"messages", "10000"}, {"message_bytes", "1250"}, {"arrival", "poisson"}, {"offered_gbps", "10"}});
  CHECK(w.mean_interval_ns() == 1000);
  const auto p = draw(w);
  CHECK(p.front().arrival_ns == 0);
  CHECK(std::is_sorted(p.begin(), p.end(), [](auto& a, auto& b) { return a.arrival_ns < b.arrival_ns; }));
  // Mean of 9999 exponential gaps: standard error 1 %.
  CHECK(double(p.back().arrival_ns) / double(p.size() - 1) == Approx(1000).epsilon(0.04));
  // An absurdly slow rate saturates (2^62 ns) instead of overflowing.
  const auto slow = draw(spec({{"messages", "1000"}, {"message_bytes", "1073741824"}, {"arrival", "fixed"},
                               {"offered_gbps", "0.000001"}}));
  CHECK(slow[1].arrival_ns == 8589934592000000ull);
  CHECK(slow.back().arrival_ns == 1ull << 62);
  // Exponential gaps: about 1 - 1/e of them are shorter than the mean.
  int shorter = 0;
  for (std::size_t i = 1; i < p.size(); ++i) shorter += p[i].arrival_ns - p[i - 1].arrival_ns < 1000;
  CHECK(shorter / double(p.size() - 1) == Approx(1 - std::exp(-1.0)).margin(0.02));
}

TEST_CASE("a trace replays row for row: sizes, connections, times and responses; 0 messages is one pass") {
  const std::string path = temp_file("replay.csv",
                                     "# a comment\n"
                                     "time_ns, bytes ,conn,response_bytes\r\n"
                                     "\n"
                                     "0,100,1,7\n"
                                     "500,\"2000\",0,0\n"
                                     "# another comment\n"
                                     "1500,30,2,70000\n");
  const auto w = spec({{"messages", "0"}, {"connections", "3"}, {"kind", "request_response"}, {"sizes", "trace"},
                       {"response_sizes", "trace"}, {"spread", "trace"}, {"arrival", "trace"}, {"trace_file", path}});
  const auto m = draw(w);
  REQUIRE(m.size() == 3);
  CHECK(m[0].bytes == 100);
  CHECK(m[0].conn == 1);
  CHECK(m[0].response_bytes == 7);
  CHECK(m[1].bytes == 2000);
  CHECK(m[1].arrival_ns == 500);
  CHECK(m[2].arrival_ns == 1500);
  CHECK(m[2].response_bytes == 70000);
  CHECK(w.mean_bytes() == Approx(2130.0 / 3));
  CHECK(w.trace->rows()[2].line == 7);
  // More messages than rows: the trace starts again, each pass shifted by
  // its span plus its mean gap (1500 + 750 ns).
  auto p = ProgramParams{{"messages", "7"}, {"connections", "3"}, {"sizes", "trace"}, {"spread", "trace"},
                         {"arrival", "trace"}, {"trace_file", path}};
  const auto r = draw(spec(p));
  REQUIRE(r.size() == 7);
  CHECK(r[3].bytes == 100);
  CHECK(r[3].arrival_ns == 2250);
  CHECK(r[5].arrival_ns == 1500 + 2250);
  CHECK(r[6].arrival_ns == 4500);
  CHECK(r[6].conn == 1);
}

TEST_CASE("bad trace files name the file, the line and what is wrong") {
  CHECK(trace_error("bytes,conn\n100,0\n1x0,1\n") == "t.csv:3: column 'bytes': value '1x0' is not an integer in [1, 1073741824]");
  CHECK(trace_error("bytes\n0\n") == "t.csv:2: column 'bytes': value '0' is not an integer in [1, 1073741824]");
  CHECK(trace_error("bytes\n-5\n") == "t.csv:2: column 'bytes': value '-5' is not an integer in [1, 1073741824]");
  CHECK(trace_error("bytes,conn\n100\n") == "t.csv:2: 1 fields, the header row has 2");
  CHECK(trace_error("# x\nbytes,size\n1,2\n") ==
        "t.csv:2: unknown column 'size' in the header row (expected bytes, conn, time_ns, response_bytes)");
  CHECK(trace_error("bytes,bytes\n1,2\n") == "t.csv:1: column 'bytes' appears twice in the header row");
  CHECK(trace_error("conn\n1\n").rfind("t.csv:1: the header row has no 'bytes' column", 0) == 0);
  CHECK(trace_error("bytes,time_ns\n1,10\n1,9\n") ==
        "t.csv:3: time_ns 9 is before the previous row's 10 (rows are in arrival order)");
  CHECK(trace_error("bytes\n# nothing\n\n") == "t.csv:3: no message rows after the header row");
  CHECK(trace_error("") == "t.csv:0: no header row (expected a line like: bytes,conn,time_ns,response_bytes)");
  CHECK(trace_error("bytes\n\"12\n").rfind("t.csv:2: malformed CSV", 0) == 0);
  CHECK(trace_error("bytes\n99999999999999999999\n").rfind("t.csv:2: column 'bytes'", 0) == 0);
}

TEST_CASE("trace checks that need the other parameters name the file and line too") {
  const std::string path = temp_file("conns.csv", "bytes,conn\n10,0\n10,5\n");
  CHECK(error_of({{"connections", "4"}, {"spread", "trace"}, {"trace_file", path}}) ==
        path + ":3: column 'conn': value '5' is not below workload.connections (4)");
  CHECK(error_of({{"arrival", "trace"}, {"trace_file", path}}) ==
        path + ":1: the header row has no 'time_ns' column, which arrival = trace needs");
  CHECK(error_of({{"sizes", "trace"}, {"trace_file", "/nonexistent/t.csv"}}) ==
        "/nonexistent/t.csv: cannot open the workload trace file");
  CHECK(error_of({{"sizes", "trace"}, {"trace_file", "/dev/zero"}}) == "/dev/zero: the workload trace is not a regular file");
  CHECK(error_of({{"sizes", "trace"}, {"trace_file", "/"}}) == "/: the workload trace is not a regular file");
  CHECK(error_of({{"sizes", "trace"}}) ==
        "parameter trace_file=: a trace file is needed: sizes, response_sizes, spread or arrival is 'trace'");
}

TEST_CASE("bad workload parameters name the parameter, the value and what is allowed") {
  CHECK(error_of({{"sizes", "normal"}}) == "parameter sizes=normal: expected one of fixed, uniform, bimodal, trace");
  CHECK(error_of({{"sizes", "uniform"}, {"size_min", "2000"}, {"size_max", "1000"}}) ==
        "parameter size_min=2000: larger than size_max=1000");
  CHECK(error_of({{"message_bytes", "0"}}) == "parameter message_bytes=0: expected 1 .. 1073741824 bytes");
  CHECK(error_of({{"bimodal_large_fraction", "1.5"}}) == "parameter bimodal_large_fraction=1.5: expected a fraction in [0, 1]");
  CHECK(error_of({{"arrival", "poisson"}, {"offered_gbps", "0"}}) ==
        "parameter offered_gbps=0: expected a rate in (0, 10000] Gb/s");
  CHECK(error_of({{"kind", "rpc"}}) == "parameter kind=rpc: expected one of bulk, request_response");
  CHECK(error_of({{"messages", "0"}}) == "parameter messages=0: 0 (one pass over the trace) needs a trace file");
  CHECK_THROWS_WITH(make_program("workload", {{"sizes", "fixed"}, {"colour", "red"}}), "unknown parameter 'colour' for workload");
}

}  // namespace
}  // namespace toevp::fw
