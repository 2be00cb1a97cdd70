// The run statistics of the toevp executable (docs/results.md), checked on
// real runs: statistics and progress never change the simulated run (equal
// wire and completion digests), the occupancy series has one sample per
// interval and obeys Little's law at steady state, the CSV outputs parse,
// the SRAM figures follow the documented formula, PCIe tag occupancy is
// bounded by the tags, and progress appears on a terminal only.
//
// Each figure needs its own platform (SystemC elaborates once per process),
// so these tests run the executable, as a user would. Every run uses
// sim.seed=1 (the default).
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <sstream>

#include "tests/platform/toevp_cli.h"

namespace toevp::tb::test {
namespace {

using Catch::Matchers::Contains;

// A short bulk run at line rate: 16 KiB messages, 32 in flight.
const std::string kBulk =
    " --set workload.message_bytes=16384 --set workload.outstanding_per_conn=32 --set workload.messages=600";

// RFC 4180 line split (quoted fields may hold commas and doubled quotes).
std::vector<std::string> csv_split(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        out.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        out.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return out;
}

std::vector<std::vector<std::string>> read_csv(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::vector<std::vector<std::string>> rows;
  for (std::string line; std::getline(in, line);) rows.push_back(csv_split(line));
  return rows;
}

// The same figures, apart from what may differ between two identical runs
// (wall time) and the statistics' own settings.
void check_same_run(const nlohmann::json& a, const nlohmann::json& b) {
  CHECK(a["wire_digest"] == b["wire_digest"]);
  CHECK(a["completion_digest"] == b["completion_digest"]);
  CHECK(a["sim_time_ns"] == b["sim_time_ns"]);
  CHECK(a["frames"] == b["frames"]);
  CHECK(a["completion_latency_ns"] == b["completion_latency_ns"]);
  CHECK(a["context_table"]["mean_used"] == b["context_table"]["mean_used"]);
  CHECK(a["pcie"] == b["pcie"]);
  CHECK(a["retransmitted_segments"] == b["retransmitted_segments"]);
}

TEST_CASE("statistics, time series, CSV and forced progress leave the wire digest unchanged",
          "[stats][cli][determinism]") {
  const auto dir = cli_temp_dir();
  for (const std::string faults : {"", " --set link.a_to_b.loss=0.01 --set link.b_to_a.loss=0.01"}) {
    INFO("seed 1" << faults);
    const CliResult off = run_toevp("run --quiet" + kBulk + faults, true);
    const CliResult on = run_toevp("run --quiet" + kBulk + faults + " --set stats.sample_interval_ns=100 --timeseries '" +
                                       (dir / "det_ts.csv").string() + "' --csv '" + (dir / "det.csv").string() +
                                       "' --progress --progress-period-ms 2",
                                   true);
    INFO(off.err << on.err);
    REQUIRE(off.exit_code == 0);
    REQUIRE(on.exit_code == 0);
    CHECK(on.json["context_table"]["samples"].get<std::uint64_t>() > 1000);
    check_same_run(off.json, on.json);
    if (!faults.empty()) CHECK(on.json["retransmitted_segments"].get<std::uint64_t>() > 0);
  }
}

TEST_CASE("the occupancy series has floor(sim time / interval) samples at multiples of the interval",
          "[stats][cli][timeseries]") {
  const auto ts = cli_temp_dir() / "count_ts.csv";
  const std::uint64_t interval = 7000;  // does not divide the run
  const CliResult r = run_toevp("run --quiet" + kBulk + " --set stats.sample_interval_ns=" + std::to_string(interval) +
                                    " --timeseries '" + ts.string() + "'",
                                true);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto& ct = r.json["context_table"];
  const double sim_ns = r.json["sim_time_ns"].get<double>();
  const auto expected = static_cast<std::uint64_t>(std::floor(sim_ns / double(interval)));
  INFO("sim time " << sim_ns << " ns, interval " << interval << " ns");
  CHECK(ct["samples"].get<std::uint64_t>() == expected);
  CHECK(ct["sample_interval_ns"].get<double>() == double(interval));
  const auto rows = read_csv(ts);
  REQUIRE(rows.size() == expected + 1);
  CHECK(rows[0] == std::vector<std::string>{"t_ns", "ctx_used", "ctx_peak", "ctx_mean", "ctx_allocated", "ctx_freed",
                                            "freed_bytes", "freed_gbps"});
  std::uint64_t allocated = 0, freed = 0, peak = 0;
  double integral_ns = 0;
  for (std::size_t k = 1; k < rows.size(); ++k) {
    REQUIRE(rows[k].size() == 8);
    CHECK(std::stoull(rows[k][0]) == k * interval);
    const auto used = std::stoull(rows[k][1]), pk = std::stoull(rows[k][2]);
    const double mean = std::stod(rows[k][3]);
    CHECK(used <= pk);
    CHECK(mean <= double(pk) + 1e-9);
    allocated += std::stoull(rows[k][4]);
    freed += std::stoull(rows[k][5]);
    CHECK(std::stod(rows[k][7]) == Approx(std::stod(rows[k][6]) * 8 / double(interval)).margin(1e-3));
    peak = std::max<std::uint64_t>(peak, pk);
    integral_ns += mean * double(interval);
  }
  CHECK(peak == ct["peak_used"].get<std::uint64_t>());
  CHECK(allocated <= ct["allocations"].get<std::uint64_t>());
  CHECK(freed <= ct["frees"].get<std::uint64_t>());
  CHECK(allocated > 0);
  // The series and the run's time-weighted mean count the same contexts:
  // they differ only by the tail after the last sample (< one interval).
  const double run_integral = ct["mean_used"].get<double>() * sim_ns;
  CHECK(std::abs(run_integral - integral_ns) <= double(peak) * double(interval));
}

TEST_CASE("Little's law at steady state: mean contexts in use = frees per ns x mean hold time, within 3 %",
          "[stats][cli][littles law]") {
  // 1500 messages of 16 KiB with 32 in flight: the middle half of the run,
  // between the first and the last free, is steady (32 contexts held).
  const auto ts = cli_temp_dir() / "little_ts.csv";
  const std::uint64_t interval = 2000;
  const CliResult r = run_toevp(
      "run --quiet --set workload.message_bytes=16384 --set workload.outstanding_per_conn=32 --set "
      "workload.messages=1500 --set stats.sample_interval_ns=" +
          std::to_string(interval) + " --timeseries '" + ts.string() + "'",
      true);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto rows = read_csv(ts);
  REQUIRE(rows.size() > 100);
  std::size_t first = 0, last = 0;
  for (std::size_t k = 1; k < rows.size(); ++k)
    if (std::stoull(rows[k][5]) > 0) {
      if (!first) first = k;
      last = k;
    }
  const std::size_t a = first + (last - first) / 4, b = first + 3 * (last - first) / 4;
  REQUIRE(b > a + 50);
  double L = 0;
  std::uint64_t frees = 0;
  for (std::size_t k = a; k < b; ++k) {
    L += std::stod(rows[k][3]);
    frees += std::stoull(rows[k][5]);
  }
  L /= double(b - a);
  const double lambda = double(frees) / (double(b - a) * double(interval));  // per ns
  const double T = r.json["context_table"]["hold_time_mean_ns"].get<double>();
  INFO("samples " << a << ".." << b << ": L = " << L << ", lambda = " << lambda << " /ns, T = " << T << " ns");
  CHECK(L == Approx(lambda * T).epsilon(0.03));
  CHECK(L > 20);  // really loaded
}

TEST_CASE("toevp run --csv writes a header and one row whose values are the JSON report's", "[stats][cli][csv]") {
  const auto path = cli_temp_dir() / "figures.csv";
  const CliResult r = run_toevp("run --quiet" + kBulk + " --csv '" + path.string() + "'", true);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto rows = read_csv(path);
  REQUIRE(rows.size() == 2);
  REQUIRE(rows[0].size() == rows[1].size());
  std::map<std::string, std::string> row;
  for (std::size_t i = 0; i < rows[0].size(); ++i) row[rows[0][i]] = rows[1][i];
  CHECK(row.size() == rows[0].size());  // no column twice
  CHECK(std::stod(row.at("goodput_gbps")) == r.json["goodput_gbps"].get<double>());
  CHECK(std::stoull(row.at("context_table.peak_used")) == r.json["context_table"]["peak_used"].get<std::uint64_t>());
  CHECK(std::stod(row.at("completion_latency_ns.p999")) == r.json["completion_latency_ns"]["p999"].get<double>());
  CHECK(row.at("wire_digest") == r.json["wire_digest"].get<std::string>());
  CHECK(row.at("peer_data_ok") == "true");
  CHECK(row.at("config.workload.message_bytes") == "16384");
  CHECK(row.at("sram.total_bits") == std::to_string(r.json["sram"]["total_bits"].get<std::uint64_t>()));
  CHECK(row.count("completion_latency_histogram.bins") == 0);  // arrays stay in the JSON
}

TEST_CASE("toevp run --timeseries without stats.sample_interval_ns exits 2 naming the key", "[stats][cli][timeseries]") {
  const CliResult r = run_toevp("run --quiet --timeseries '" + (cli_temp_dir() / "x.csv").string() + "'");
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Contains("stats.sample_interval_ns"));
}

TEST_CASE("the report's SRAM bits follow the documented formula for the chosen sizes", "[stats][cli][sram]") {
  const CliResult r = run_toevp(
      "run --quiet --set workload.messages=20 --set workload.outstanding_per_conn=8 --set ctx.entries=100 --set "
      "tcb.cache_entries=96 --set tcb.cache_ways=3 --set nic.tx_buffer_bytes=12288",
      true);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  // docs/results.md, "SRAM": context 257 + ceil(log2(101)) = 264 bits; TCB
  // line 1024 + ceil(log2(ceil(65536 / 32))) + 2 + ceil(log2(3)) = 1024 + 11 + 2 + 2.
  const auto& s = r.json["sram"];
  CHECK(r.json["context_table"]["bits_per_entry"] == 264);
  CHECK(s["context_table_bits"] == 100 * 264);
  CHECK(r.json["tcb_cache"]["line_bits"] == 1039);
  CHECK(s["tcb_cache_bits"] == 96 * 1039);
  CHECK(s["tx_buffer_bits"] == 12288 * 8);
  CHECK(s["total_bits"] == 100 * 264 + 96 * 1039 + 12288 * 8);
  CHECK(s["context_fields"]["next"] == 7);
  CHECK(s["tcb_line_fields"]["tag"] == 11);
}

TEST_CASE("PCIe tag occupancy: the peak never exceeds the tags, and two tags make reads wait",
          "[stats][cli][pcie]") {
  const CliResult wide = run_toevp("run --quiet" + kBulk, true);
  const CliResult narrow = run_toevp("run --quiet" + kBulk + " --set pcie.read_tags=2", true);
  INFO(wide.err << narrow.err);
  REQUIRE(wide.exit_code == 0);
  REQUIRE(narrow.exit_code == 0);
  const auto& w = wide.json["pcie"];
  const auto& n = narrow.json["pcie"];
  CHECK(w["tags_peak"].get<unsigned>() <= 64);
  CHECK(w["tags_peak"].get<unsigned>() > 8);  // line rate needs many reads in flight
  CHECK(w["tags_mean"].get<double>() <= w["tags_peak"].get<double>());
  CHECK(n["tags_peak"] == 2);
  CHECK(n["tags_mean"].get<double>() > 1.0);
  CHECK(n["tags_mean"].get<double>() <= 2.0);
  CHECK(n["tag_waits"].get<std::uint64_t>() > 0);
  CHECK(n["tag_wait_ns"].get<double>() >= n["tag_wait_max_ns"].get<double>());
  CHECK(n["tag_wait_max_ns"].get<double>() > 0);
  // Two tags cannot cover the read round trip: goodput falls, reads slow.
  CHECK(narrow.json["goodput_gbps"].get<double>() < 0.5 * wide.json["goodput_gbps"].get<double>());
  CHECK(n["read_gbps"].get<double>() < w["read_gbps"].get<double>());
  // At line rate the wire from the NIC is busy nearly all of the goodput window.
  const double util = wide.json["link"]["nic_to_peer"]["utilization"].get<double>();
  const double efficiency = wide.json["goodput_gbps"].get<double>() / wide.json["theoretical_goodput_gbps"].get<double>();
  CHECK(util <= 1.0);
  CHECK(util == Approx(efficiency).epsilon(0.01));
}

TEST_CASE("progress: lines when forced, nothing on a file or pipe, in place and erased on a terminal",
          "[stats][cli][progress]") {
  // A period of 2 ms so even a fast machine shows several updates.
  const std::string run = "run" + kBulk + " --progress-period-ms 2";
  const CliResult forced = run_toevp(run + " --progress --quiet");
  INFO(forced.err);
  REQUIRE(forced.exit_code == 0);
  CHECK_THAT(forced.err, Contains("toevp: simulated"));
  CHECK_THAT(forced.err, Contains("frames/s"));
  CHECK(forced.err.find('\r') == std::string::npos);  // a line per update, for logs

  const CliResult piped = run_toevp(run);  // stderr is a file
  INFO(piped.err);
  REQUIRE(piped.exit_code == 0);
  CHECK(piped.err.find("toevp: simulated") == std::string::npos);
  CHECK(piped.err.empty());
  CHECK_THAT(piped.out, Contains("goodput"));  // the summary is still there

  // A terminal: script(1) runs toevp on a pseudo-terminal.
  REQUIRE(std::system("command -v script >/dev/null") == 0);
  const auto typescript = cli_temp_dir() / "tty.txt";
  auto on_tty = [&](const std::string& args) {
    const std::string cmd = "script -qec \"'" + std::string(TOEVP_EXE) + "' " + args + "\" /dev/null > '" +
                            typescript.string() + "' 2>&1 </dev/null";
    REQUIRE(std::system(cmd.c_str()) == 0);
    return slurp(typescript);
  };
  const std::string tty = on_tty(run);
  INFO(tty);
  CHECK_THAT(tty, Contains("\rtoevp: simulated"));
  CHECK_THAT(tty, Contains("\r\033[K"));  // erased before the summary
  CHECK_THAT(tty, Contains("goodput"));
  const std::string quiet_tty = on_tty(run + " --quiet");  // --quiet: nothing at all
  INFO(quiet_tty);
  CHECK(quiet_tty.empty());
}

}  // namespace
}  // namespace toevp::tb::test
