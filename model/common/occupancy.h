// Occupancy: a count that changes at discrete instants (message contexts in
// use, PCIe read tags held) and the figures a table or a pool is sized by:
// its peak, its time-weighted mean, and on request a time series sampled
// every `interval`.
//
// The series costs no simulation event: a sample is written when the count
// next changes after the sample instant (or at finish()), with what the
// count held then. Adding a periodic SystemC process instead would add
// timed events to the kernel's queue, reorder events that fall due at the
// same instant and keep a starving simulation alive, so sampling could
// change the run it measures; this way it cannot.
//
// Times are integer femtoseconds and must not go backwards. Plain C++ (no
// SystemC), unit-tested alone (tests/stats).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace toevp::model {

// One sample of the series, covering the interval (t - interval, t].
struct OccupancySample {
  std::uint64_t t_fs = 0;      // the sample instant, a multiple of the interval
  std::uint64_t value = 0;     // the count at t, after every change at t
  std::uint64_t peak = 0;      // the largest count during the interval
  double mean = 0;             // time-weighted mean count over the interval
  std::uint64_t rises = 0;     // increments during the interval (allocations)
  std::uint64_t falls = 0;     // decrements during the interval (frees)
  std::uint64_t amount = 0;    // what the owner attached to the changes (e.g. bytes freed)
};

class Occupancy {
 public:
  // Samples kept at most by default (about 110 MB); later ones are counted,
  // not kept.
  static constexpr std::size_t kMaxSamples = 2'000'000;

  // Samples every interval_fs from t = interval_fs on; 0 turns sampling off
  // (the default). Call before the first change.
  void enable_series(std::uint64_t interval_fs, std::size_t max_samples = kMaxSamples) {
    interval_fs_ = interval_fs;
    next_sample_fs_ = interval_fs;
    max_samples_ = max_samples;
  }

  // The count changes by `delta` at t_fs; `amount` is added to the current
  // interval's sample (what the change moved, for the owner's own rate).
  void change(std::uint64_t t_fs, std::int64_t delta, std::uint64_t amount = 0) {
    if (interval_fs_ && t_fs > next_sample_fs_) emit_until(t_fs, false);
    integrate(t_fs);
    value_ = static_cast<std::uint64_t>(static_cast<std::int64_t>(value_) + delta);
    if (value_ > peak_) peak_ = value_;
    if (value_ > window_peak_) window_peak_ = value_;
    (delta > 0 ? window_rises_ : window_falls_) += delta != 0;
    window_amount_ += amount;
  }

  // Writes every sample due at or before t_fs (the end of the run). Samples
  // after that are written only if the count changes later.
  void finish(std::uint64_t t_fs) {
    if (interval_fs_) emit_until(t_fs, true);
  }

  std::uint64_t value() const { return value_; }
  std::uint64_t peak() const { return peak_; }
  // Time-weighted mean over [0, t_fs]; t_fs not before the last change or finish().
  double mean(std::uint64_t t_fs) const;
  // Count x time over [0, t_fs], in count-femtoseconds.
  unsigned __int128 integral(std::uint64_t t_fs) const {
    return integral_ + static_cast<unsigned __int128>(value_) * (t_fs > last_fs_ ? t_fs - last_fs_ : 0);
  }

  std::uint64_t interval_fs() const { return interval_fs_; }
  const std::vector<OccupancySample>& samples() const { return samples_; }
  std::uint64_t samples_dropped() const { return dropped_; }

 private:
  void integrate(std::uint64_t t_fs) {
    if (t_fs <= last_fs_) return;
    integral_ += static_cast<unsigned __int128>(value_) * (t_fs - last_fs_);
    last_fs_ = t_fs;
  }
  // Emits the samples at instants < t_fs (inclusive: <= t_fs).
  void emit_until(std::uint64_t t_fs, bool inclusive);
  void start_window();

  std::uint64_t value_ = 0;
  std::uint64_t peak_ = 0;
  unsigned __int128 integral_ = 0;
  std::uint64_t last_fs_ = 0;

  std::uint64_t interval_fs_ = 0;
  std::uint64_t next_sample_fs_ = 0;
  unsigned __int128 window_start_integral_ = 0;  // integral at the previous sample instant
  std::uint64_t window_peak_ = 0;
  std::uint64_t window_rises_ = 0;
  std::uint64_t window_falls_ = 0;
  std::uint64_t window_amount_ = 0;
  std::vector<OccupancySample> samples_;
  std::size_t max_samples_ = kMaxSamples;
  std::uint64_t dropped_ = 0;
};

}  // namespace toevp::model
