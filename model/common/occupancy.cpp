// Occupancy: peak, time-weighted mean and the lazily written series. See
// occupancy.h.
#include "model/common/occupancy.h"

namespace toevp::model {

double Occupancy::mean(std::uint64_t t_fs) const {
  if (t_fs == 0) return 0;
  return static_cast<double>(integral(t_fs)) / static_cast<double>(t_fs);
}

void Occupancy::emit_until(std::uint64_t t_fs, bool inclusive) {
  // Exclusive calls come from change() with t_fs > next_sample_fs_ >= 1.
  const std::uint64_t last_due = inclusive ? t_fs : t_fs - 1;
  while (next_sample_fs_ <= last_due && samples_.size() < max_samples_) {
    // Nothing changed in (last change, next sample]: the count held value_
    // there, so the integral up to the sample instant is known.
    integrate(next_sample_fs_);
    OccupancySample s;
    s.t_fs = next_sample_fs_;
    s.value = value_;
    s.peak = window_peak_;
    s.mean = static_cast<double>(integral_ - window_start_integral_) / static_cast<double>(interval_fs_);
    s.rises = window_rises_;
    s.falls = window_falls_;
    s.amount = window_amount_;
    samples_.push_back(s);
    start_window();
    next_sample_fs_ += interval_fs_;
  }
  if (next_sample_fs_ <= last_due) {
    // Full: count the samples due without making them.
    const std::uint64_t n = (last_due - next_sample_fs_) / interval_fs_ + 1;
    dropped_ += n;
    next_sample_fs_ += n * interval_fs_;
    integrate(next_sample_fs_ - interval_fs_);
    start_window();
  }
}

void Occupancy::start_window() {
  window_start_integral_ = integral_;
  window_peak_ = value_;
  window_rises_ = window_falls_ = window_amount_ = 0;
}

}  // namespace toevp::model
