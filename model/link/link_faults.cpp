// LinkFaults: per-frame fault decisions. See link_faults.h.
#include "model/link/link_faults.h"

#include <stdexcept>

namespace toevp::link {

namespace {

// splitmix64, to spread (seed, stream) over the engine's seed space.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

void check_probability(double v, const std::string& where, const char* name) {
  if (!(v >= 0 && v <= 1)) throw std::invalid_argument(where + "." + name + " must be a probability in [0, 1]");
}

}  // namespace

LinkFaults::LinkFaults(const LinkFaultParams& params, std::uint64_t seed, std::uint64_t stream)
    : params_(params), rng_(mix(seed ^ mix(stream + 1))) {}

void LinkFaults::validate(const LinkFaultParams& p, const std::string& where) {
  check_probability(p.loss, where, "loss");
  check_probability(p.burst_p, where, "burst_p");
  check_probability(p.burst_r, where, "burst_r");
  check_probability(p.burst_loss, where, "burst_loss");
  check_probability(p.corrupt, where, "corrupt");
  check_probability(p.duplicate, where, "duplicate");
  check_probability(p.reorder, where, "reorder");
  if (p.burst_p > 0 && p.burst_r == 0)
    throw std::invalid_argument(where + ".burst_r must be > 0 when burst_p > 0 (the bad state would never end)");
  if (p.reorder_delay_ns < 0 || p.jitter_ns < 0)
    throw std::invalid_argument(where + ": reorder_delay_ns and jitter_ns must not be negative");
}

double LinkFaults::uniform() { return static_cast<double>(rng_() >> 11) * 0x1.0p-53; }

FaultDecision LinkFaults::next(std::size_t frame_len) {
  FaultDecision d;
  ++stats_.frames;
  // Gilbert-Elliott: move the channel state first, then lose in that state.
  if (params_.burst_p > 0) {
    if (!bad_ && chance(params_.burst_p)) {
      bad_ = true;
      ++stats_.bursts;
    } else if (bad_ && chance(params_.burst_r)) {
      bad_ = false;
    }
    if (bad_ && chance(params_.burst_loss)) {
      ++stats_.lost_burst;
      d.drop = true;
      return d;
    }
  }
  if (chance(params_.loss)) {
    ++stats_.lost_random;
    d.drop = true;
    return d;
  }
  if (chance(params_.corrupt) && frame_len > 0) {
    d.corrupt = true;
    d.flip_bit = rng_() % (std::uint64_t{frame_len} * 8);
    ++stats_.corrupted;
  }
  if (chance(params_.duplicate)) {
    d.duplicate = true;
    ++stats_.duplicated;
  }
  if (chance(params_.reorder)) {
    d.reorder = true;
    ++stats_.reordered;
  }
  if (params_.jitter_ns > 0) {
    d.jitter_ns = static_cast<std::int64_t>(rng_() % static_cast<std::uint64_t>(params_.jitter_ns + 1));
    if (d.jitter_ns > 0) ++stats_.jittered;
  }
  return d;
}

}  // namespace toevp::link
