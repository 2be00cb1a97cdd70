// LatencyHistogram: Boost.Histogram with a log axis, and percentiles read
// off its cumulative counts. See latency_histogram.h.
#include "model/common/latency_histogram.h"

#include <algorithm>
#include <cmath>

#include <boost/histogram.hpp>

namespace toevp::model {

namespace bh = boost::histogram;

namespace {
using LogAxis = bh::axis::regular<double, bh::axis::transform::log>;
// Counts fit 64 bits; a plain vector keeps the storage small and fast
// (the default unlimited storage grows its cells on demand).
using Histogram = bh::histogram<std::tuple<LogAxis>, bh::storage_adaptor<std::vector<std::uint64_t>>>;
}  // namespace

struct LatencyHistogram::Impl {
  Histogram h;
};

LatencyHistogram::LatencyHistogram(unsigned bins_per_decade)
    : impl_(std::make_unique<Impl>(Impl{bh::make_histogram_with(
          std::vector<std::uint64_t>(),
          LogAxis(std::max(1u, bins_per_decade) * kDecades, kLowestNs, kHighestNs))})),
      bins_per_decade_(std::max(1u, bins_per_decade)) {}

LatencyHistogram::~LatencyHistogram() = default;

LatencyHistogram::LatencyHistogram(const LatencyHistogram& o)
    : impl_(std::make_unique<Impl>(*o.impl_)),
      bins_per_decade_(o.bins_per_decade_),
      count_(o.count_),
      sum_(o.sum_),
      min_(o.min_),
      max_(o.max_) {}

LatencyHistogram& LatencyHistogram::operator=(const LatencyHistogram& o) {
  if (this != &o) {
    *impl_ = *o.impl_;
    bins_per_decade_ = o.bins_per_decade_;
    count_ = o.count_;
    sum_ = o.sum_;
    min_ = o.min_;
    max_ = o.max_;
  }
  return *this;
}

void LatencyHistogram::add(double ns) {
  if (!(ns >= 0)) ns = 0;  // NaN or negative: a bug upstream, still counted
  impl_->h(ns);
  min_ = count_ ? std::min(min_, ns) : ns;
  max_ = count_ ? std::max(max_, ns) : ns;
  sum_ += ns;
  ++count_;
}

double LatencyHistogram::relative_error() const { return std::pow(10.0, 0.5 / bins_per_decade_) - 1.0; }

double LatencyHistogram::quantile(double q) const {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  const auto rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(q * double(count_))));
  if (rank == 1) return min_;
  if (rank >= count_) return max_;
  std::uint64_t seen = 0;
  for (auto&& x : bh::indexed(impl_->h, bh::coverage::all)) {
    seen += *x;
    if (seen < rank) continue;
    if (x.index() < 0) return min_;                           // underflow: below 1 ns
    if (x.index() >= static_cast<int>(impl_->h.axis().size())) return max_;  // overflow
    const double mid = std::sqrt(x.bin().lower() * x.bin().upper());
    return std::clamp(mid, min_, max_);
  }
  return max_;
}

std::vector<LatencyHistogram::Bin> LatencyHistogram::nonempty_bins() const {
  std::vector<Bin> out;
  const int n = static_cast<int>(impl_->h.axis().size());
  for (auto&& x : bh::indexed(impl_->h, bh::coverage::all)) {
    if (*x == 0) continue;
    if (x.index() < 0)
      out.push_back(Bin{0, kLowestNs, *x});
    else if (x.index() >= n)
      out.push_back(Bin{kHighestNs, max_, *x});
    else
      out.push_back(Bin{x.bin().lower(), x.bin().upper(), *x});
  }
  return out;
}

}  // namespace toevp::model
