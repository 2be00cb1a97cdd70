// The statistics pieces on their own, with inputs whose answers are known:
// the latency histogram's percentiles against exact nearest-rank values,
// the occupancy tracker's peak, time-weighted mean and lazily written series
// against hand-computed ones, the SRAM budget against the formula of
// docs/results.md, and CSV quoting.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <sstream>

#include "model/common/latency_histogram.h"
#include "model/common/occupancy.h"
#include "model/nic/sram_budget.h"
#include "testbench/stats/csv_output.h"

namespace toevp::model {
namespace {

constexpr std::uint64_t kNs = 1'000'000;  // fs per ns

// Exact nearest-rank quantile, the definition the histogram approximates.
double exact_quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  const auto rank = std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(q * double(v.size()))));
  return v[std::min(rank, v.size()) - 1];
}

void check_quantiles(const std::vector<double>& latencies, unsigned bins_per_decade) {
  LatencyHistogram h(bins_per_decade);
  for (double x : latencies) h.add(x);
  const double tol = h.relative_error();
  for (double q : {0.5, 0.9, 0.99, 0.999}) {
    const double exact = exact_quantile(latencies, q);
    INFO("q " << q << ": exact " << exact << " ns, histogram " << h.quantile(q) << " ns, tolerance " << tol);
    CHECK(h.quantile(q) >= exact / (1 + tol) * (1 - 1e-12));
    CHECK(h.quantile(q) <= exact * (1 + tol) * (1 + 1e-12));
  }
  CHECK(h.quantile(1.0) == *std::max_element(latencies.begin(), latencies.end()));
  CHECK(h.quantile(0.0) == *std::min_element(latencies.begin(), latencies.end()));
  CHECK(h.count() == latencies.size());
}

TEST_CASE("latency histogram: percentiles of 1..10000 ns are within one half-bin of the exact values",
          "[stats][histogram]") {
  std::vector<double> v;
  for (int i = 1; i <= 10000; ++i) v.push_back(i);
  check_quantiles(v, 100);
  LatencyHistogram h;
  for (double x : v) h.add(x);
  CHECK(h.relative_error() == Approx(0.0116).epsilon(0.01));
  CHECK(h.mean() == Approx(5000.5));
  CHECK(h.quantile(0.5) == Approx(5000).epsilon(0.0116));
  CHECK(h.quantile(0.99) == Approx(9900).epsilon(0.0116));
}

TEST_CASE("latency histogram: a bimodal distribution's p99.9 lands in the slow mode", "[stats][histogram]") {
  // 99 % at 2 us, 1 % at 350 us: p99 is the fast mode, p99.9 the slow one.
  std::vector<double> v(9900, 2000.0);
  v.insert(v.end(), 100, 350'000.0);
  LatencyHistogram h;
  for (double x : v) h.add(x);
  CHECK(h.quantile(0.5) == Approx(2000).epsilon(h.relative_error()));
  CHECK(h.quantile(0.99) == Approx(2000).epsilon(h.relative_error()));
  CHECK(h.quantile(0.999) == Approx(350'000).epsilon(h.relative_error()));
  CHECK(h.max() == 350'000);
  check_quantiles(v, 100);
}

TEST_CASE("latency histogram: random latencies (seed 5), coarse and fine bins", "[stats][histogram]") {
  const unsigned seed = 5;
  INFO("seed " << seed);
  std::mt19937_64 rng(seed);
  std::lognormal_distribution<double> dist(std::log(20'000.0), 1.0);
  std::vector<double> v;
  for (int i = 0; i < 50'000; ++i) v.push_back(std::round(dist(rng)));
  check_quantiles(v, 10);
  check_quantiles(v, 100);
}

TEST_CASE("latency histogram: bins cover every sample once, including below 1 ns and above 10 s",
          "[stats][histogram]") {
  LatencyHistogram h;
  for (double x : {0.0, 0.5, 3.0, 3.0, 1e6, 2e10}) h.add(x);
  std::uint64_t n = 0;
  for (const auto& b : h.nonempty_bins()) {
    CHECK(b.lo_ns < b.hi_ns);
    n += b.count;
  }
  CHECK(n == 6);
  const auto bins = h.nonempty_bins();
  CHECK(bins.front().lo_ns == 0);
  CHECK(bins.front().count == 2);  // 0 and 0.5: the underflow bin
  CHECK(bins.back().lo_ns == LatencyHistogram::kHighestNs);
  CHECK(bins.back().hi_ns == 2e10);
  CHECK(h.min() == 0);
  CHECK(h.max() == 2e10);
}

TEST_CASE("occupancy: peak and time-weighted mean of a known step function", "[stats][occupancy]") {
  Occupancy o;
  // 0 on [0,10), 2 on [10,30), 1 on [30,60), 3 on [60,100) ns.
  o.change(10 * kNs, +1);
  o.change(10 * kNs, +1);
  o.change(30 * kNs, -1);
  o.change(60 * kNs, +2);
  CHECK(o.peak() == 3);
  CHECK(o.value() == 3);
  // (2*20 + 1*30 + 3*40) / 100 = 1.9
  CHECK(o.mean(100 * kNs) == Approx(1.9));
  CHECK(static_cast<std::uint64_t>(o.integral(100 * kNs)) == 190 * kNs);
}

TEST_CASE("occupancy: the series holds the count at each sample instant and the interval's peak and mean",
          "[stats][occupancy]") {
  Occupancy o;
  o.enable_series(20 * kNs);
  o.change(10 * kNs, +1, 100);  // 1 on [10,25)
  o.change(25 * kNs, +2, 0);    // 3 on [25,27)
  o.change(27 * kNs, -2, 200);  // 1 on [27,40)
  o.change(40 * kNs, -1, 300);  // 0 from 40: a change exactly at a sample instant counts in that sample
  o.finish(95 * kNs);
  const auto& s = o.samples();
  REQUIRE(s.size() == 4);  // 20, 40, 60, 80 ns: floor(95 / 20)
  CHECK(s[0].t_fs == 20 * kNs);
  CHECK(s[0].value == 1);
  CHECK(s[0].peak == 1);
  CHECK(s[0].mean == Approx(0.5));  // 1 over [10,20)
  CHECK(s[0].rises == 1);
  CHECK(s[0].amount == 100);
  CHECK(s[1].t_fs == 40 * kNs);
  CHECK(s[1].value == 0);
  CHECK(s[1].peak == 3);
  CHECK(s[1].mean == Approx((5 * 1 + 2 * 3 + 13 * 1) / 20.0));
  CHECK(s[1].rises == 1);
  CHECK(s[1].falls == 2);
  CHECK(s[1].amount == 500);
  CHECK(s[2].value == 0);
  CHECK(s[2].peak == 0);
  CHECK(s[2].mean == 0);
  CHECK(s[3].t_fs == 80 * kNs);
  // The series integrates to the same total as the tracker.
  double sum = 0;
  for (const auto& x : s) sum += x.mean * 20;
  CHECK(sum == Approx(double(static_cast<std::uint64_t>(o.integral(80 * kNs))) / kNs));
}

TEST_CASE("occupancy: no series unless asked, and a full series counts what it drops", "[stats][occupancy]") {
  Occupancy off;
  off.change(5 * kNs, +1);
  off.finish(1000 * kNs);
  CHECK(off.samples().empty());
  CHECK(off.samples_dropped() == 0);

  Occupancy small;
  small.enable_series(10 * kNs, 10);
  small.change(1 * kNs, +1);
  small.change(150 * kNs, +1);  // samples 10..140 ns are due: 10 kept, 4 counted
  small.finish(1000 * kNs);     // 86 more counted
  CHECK(small.samples().size() == 10);
  CHECK(small.samples_dropped() == 90);
  CHECK(small.samples().back().t_fs == 100 * kNs);
  CHECK(small.mean(1000 * kNs) == Approx((149.0 + 2 * 850.0) / 1000.0));
}

// docs/results.md, "SRAM": bits per context = 257 + ceil(log2(entries + 1));
// bits per TCB cache line = 1024 + ceil(log2(ceil(65536 / sets))) + 2 + ceil(log2(ways)).
std::uint64_t documented_context_bits(std::uint64_t entries) {
  return 257 + static_cast<std::uint64_t>(std::ceil(std::log2(double(entries + 1))));
}
std::uint64_t documented_tcb_line_bits(std::uint64_t entries, std::uint64_t ways) {
  const std::uint64_t sets = entries / ways;
  const double per_set = std::ceil(65536.0 / double(sets));
  return 1024 + static_cast<std::uint64_t>(std::ceil(std::log2(per_set))) + 2 +
         static_cast<std::uint64_t>(std::ceil(std::log2(double(ways))));
}

TEST_CASE("SRAM budget equals the documented formula", "[stats][sram]") {
  struct Point {
    std::uint32_t ctx, tcb, ways;
    std::uint64_t tx;
  };
  for (const Point p : {Point{1024, 256, 4, 16384}, Point{1, 1, 1, 1600}, Point{100, 96, 3, 12288},
                        Point{2048, 16384, 8, 65536}, Point{1 << 20, 1 << 16, 1, 1 << 24}}) {
    INFO("ctx " << p.ctx << ", tcb " << p.tcb << " x " << p.ways << " ways, tx " << p.tx);
    const SramBudget b = sram_budget(p.ctx, p.tcb, p.ways, p.tx);
    CHECK(b.context_bits == documented_context_bits(p.ctx));
    CHECK(b.context_table_bits == p.ctx * documented_context_bits(p.ctx));
    CHECK(b.tcb_line_bits == documented_tcb_line_bits(p.tcb, p.ways));
    CHECK(b.tcb_cache_bits == p.tcb * documented_tcb_line_bits(p.tcb, p.ways));
    CHECK(b.tx_buffer_bits == p.tx * 8);
    CHECK(b.total_bits == b.context_table_bits + b.tcb_cache_bits + b.tx_buffer_bits);
  }
  // The reference design point, spelled out: 268 bits per context
  // (64 + 32 + 32 + 64 + 11 + 16 + 16 + 1 + 32), 1038 bits per TCB line
  // (1024 + 10 + 1 + 1 + 2).
  const SramBudget ref = sram_budget(1024, 256, 4, 16384);
  CHECK(ref.context_bits == 268);
  CHECK(ref.tcb_line_bits == 1038);
  CHECK(ref.total_bits == 1024 * 268 + 256 * 1038 + 16384 * 8);
}

TEST_CASE("CSV: fields with commas, quotes or line breaks are quoted; arrays are left out", "[stats][csv]") {
  using tb::csv_field;
  CHECK(csv_field("plain") == "plain");
  CHECK(csv_field("a,b") == "\"a,b\"");
  CHECK(csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(csv_field("two\nlines") == "\"two\nlines\"");
  const nlohmann::json j = {{"b", {{"x", 1}, {"y", "p,q"}}}, {"a", true}, {"list", {1, 2, 3}}, {"c", 2.5}};
  std::ostringstream os;
  tb::write_figures_csv(os, j);
  CHECK(os.str() == "a,b.x,b.y,c\ntrue,1,\"p,q\",2.5\n");
}

}  // namespace
}  // namespace toevp::model
