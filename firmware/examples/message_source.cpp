// MessageSource: the message sequence of a workload; see message_source.h.
#include "firmware/examples/message_source.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <boost/random/bernoulli_distribution.hpp>
#include <boost/random/exponential_distribution.hpp>
#include <boost/random/uniform_int_distribution.hpp>

namespace toevp::fw {

namespace {

// SplitMix64 (Steele, Lea, Flood 2014): independent-looking seeds for the
// four streams out of the one sim.seed.
std::uint64_t stream_seed(std::uint64_t seed, std::uint64_t stream) {
  std::uint64_t z = seed + 0x9E3779B97F4A7C15ull * (stream + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Arrival times saturate far beyond any run (2^62 ns is 146 years), so an
// absurd rate or trace never overflows.
constexpr std::uint64_t kNeverNs = 1ull << 62;

std::uint64_t saturate(double ns) { return ns >= double(kNeverNs) ? kNeverNs : static_cast<std::uint64_t>(std::floor(ns)); }

std::vector<double> zipf_weights(std::uint32_t n, double s) {
  std::vector<double> w(n);
  for (std::uint32_t i = 0; i < n; ++i) w[i] = 1.0 / std::pow(double(i) + 1.0, s);
  return w;
}

}  // namespace

MessageSource::MessageSource(const WorkloadSpec& spec)
    : spec_(spec),
      total_(spec.total_messages()),
      size_rng_(stream_seed(spec.seed, 0)),
      response_rng_(stream_seed(spec.seed, 1)),
      conn_rng_(stream_seed(spec.seed, 2)),
      arrival_rng_(stream_seed(spec.seed, 3)) {
  if (spec_.spread == Spread::kZipf) {
    const auto w = zipf_weights(spec_.connections, spec_.zipf_s);
    zipf_ = boost::random::discrete_distribution<std::uint32_t>(w.begin(), w.end());
  }
}

std::uint32_t MessageSource::draw_size(const SizeSpec& s, Engine& e, bool response, const MessageTrace::Row* row) {
  switch (s.kind) {
    case SizeSpec::Kind::kFixed: return s.fixed;
    case SizeSpec::Kind::kUniform: return boost::random::uniform_int_distribution<std::uint32_t>(s.min, s.max)(e);
    case SizeSpec::Kind::kBimodal:
      return boost::random::bernoulli_distribution<double>(s.large_fraction)(e) ? s.large : s.small;
    case SizeSpec::Kind::kTrace: return response ? row->response_bytes : row->bytes;
  }
  return s.fixed;
}

std::uint16_t MessageSource::draw_conn(const MessageTrace::Row* row) {
  const std::uint32_t n = spec_.connections;
  using Uniform = boost::random::uniform_int_distribution<std::uint32_t>;
  switch (spec_.spread) {
    case Spread::kRoundRobin: return static_cast<std::uint16_t>(next_seq_ % n);
    case Spread::kUniform: return static_cast<std::uint16_t>(Uniform(0, n - 1)(conn_rng_));
    case Spread::kZipf: return static_cast<std::uint16_t>(zipf_(conn_rng_));
    case Spread::kHotSet: {
      // The hot set: the first ceil(hot_fraction x n) connections, at least one.
      const auto hot = std::clamp<std::uint32_t>(
          static_cast<std::uint32_t>(std::ceil(spec_.hot_fraction * n - 1e-9)), 1, n);
      if (hot == n || boost::random::bernoulli_distribution<double>(spec_.hot_traffic)(conn_rng_))
        return static_cast<std::uint16_t>(Uniform(0, hot - 1)(conn_rng_));
      return static_cast<std::uint16_t>(Uniform(hot, n - 1)(conn_rng_));
    }
    case Spread::kTrace: return static_cast<std::uint16_t>(row->conn);
  }
  return 0;
}

PlannedMessage MessageSource::next() {
  const MessageTrace* t = spec_.trace.get();
  const MessageTrace::Row* row = nullptr;
  std::uint64_t pass = 0;
  if (t != nullptr) {
    row = &t->rows()[next_seq_ % t->rows().size()];
    pass = next_seq_ / t->rows().size();
  }
  PlannedMessage m;
  m.seq = next_seq_;
  m.conn = draw_conn(row);
  m.bytes = draw_size(spec_.sizes, size_rng_, false, row);
  if (spec_.request_response) m.response_bytes = draw_size(spec_.responses, response_rng_, true, row);
  switch (spec_.arrival) {
    case Arrival::kClosed: break;
    case Arrival::kFixed:
      // From the index, not a running sum, so rounding never drifts.
      m.arrival_ns = saturate(double(next_seq_) * spec_.mean_interval_ns());
      break;
    case Arrival::kPoisson:
      m.arrival_ns = saturate(clock_ns_);
      clock_ns_ += boost::random::exponential_distribution<double>(1.0 / spec_.mean_interval_ns())(arrival_rng_);
      break;
    case Arrival::kTrace: m.arrival_ns = saturate(double(row->time_ns) + double(pass) * double(t->period_ns())); break;
  }
  ++next_seq_;
  return m;
}

}  // namespace toevp::fw
