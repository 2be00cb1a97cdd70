// LatencyHistogram: the distribution of a latency (completion latency, TCB
// miss fill time) in log-spaced bins, kept in a Boost.Histogram, so a run of
// any length needs the same small memory and its percentiles can still be
// read off. The exact count, sum, minimum and maximum are kept beside it.
//
// Bins: `bins_per_decade` equal steps of log10 from 1 ns to 10 s (and an
// underflow bin below 1 ns, an overflow bin from 10 s). A percentile read
// from the histogram is the geometric middle of the bin that holds the
// nearest-rank sample, so it is within a factor 10^(1/(2 x bins_per_decade))
// of the true value: 1.2 % at the default 100 bins per decade (the minimum
// and the maximum are exact). Documented in docs/results.md; checked by
// tests/stats against known latencies.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

namespace toevp::model {

class LatencyHistogram {
 public:
  static constexpr double kLowestNs = 1;
  static constexpr double kHighestNs = 1e10;
  static constexpr unsigned kDecades = 10;

  explicit LatencyHistogram(unsigned bins_per_decade = 100);
  ~LatencyHistogram();
  LatencyHistogram(const LatencyHistogram& o);
  LatencyHistogram& operator=(const LatencyHistogram& o);

  void add(double ns);

  std::uint64_t count() const { return count_; }
  double sum() const { return sum_; }
  double mean() const { return count_ ? sum_ / double(count_) : 0.0; }
  double min() const { return count_ ? min_ : 0.0; }
  double max() const { return count_ ? max_ : 0.0; }
  unsigned bins_per_decade() const { return bins_per_decade_; }

  // The latency at quantile q in [0, 1] (nearest rank), from the bins:
  // within the factor above of the exact nearest-rank value; q = 0 and
  // q = 1 give the exact minimum and maximum. 0 when empty.
  double quantile(double q) const;
  // The largest relative error of quantile() (0.0116 at 100 bins per decade).
  double relative_error() const;

  struct Bin {
    double lo_ns, hi_ns;  // [lo, hi); the underflow bin is [0, 1), the overflow bin [1e10, max]
    std::uint64_t count;
  };
  // The bins that hold at least one sample, in increasing order.
  std::vector<Bin> nonempty_bins() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  unsigned bins_per_decade_;
  std::uint64_t count_ = 0;
  double sum_ = 0;
  double min_ = 0;
  double max_ = 0;
};

}  // namespace toevp::model
