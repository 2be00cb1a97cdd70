// A clock domain: a name and a period. Every latency in the platform is an
// integer number of cycles of one domain (docs/timing.md); this type turns
// cycle counts into SystemC time and rounds times up to clock edges, so no
// module writes an sc_time literal in its logic.
#pragma once

#include <cstdint>
#include <string>

#include <systemc>

namespace toevp::model {

class ClockDomain {
 public:
  ClockDomain(std::string name, std::uint64_t period_fs) : name_(std::move(name)), period_fs_(period_fs) {}

  static ClockDomain from_mhz(std::string name, double mhz) {
    return ClockDomain(std::move(name), static_cast<std::uint64_t>(1e9 / mhz + 0.5));
  }

  const std::string& name() const { return name_; }
  std::uint64_t period_fs() const { return period_fs_; }
  sc_core::sc_time period() const { return fs(period_fs_); }

  // Duration of n cycles.
  sc_core::sc_time cycles(std::uint64_t n) const { return fs(n * period_fs_); }

  // Number of the cycle that contains time t (cycle n spans [n*T, (n+1)*T)).
  std::uint64_t cycle_of(const sc_core::sc_time& t) const { return to_fs(t) / period_fs_; }

  // First clock edge at or after t, as a cycle number / as a time.
  std::uint64_t edge_at_or_after(const sc_core::sc_time& t) const {
    return (to_fs(t) + period_fs_ - 1) / period_fs_;
  }
  sc_core::sc_time align_up(const sc_core::sc_time& t) const { return at_cycle(edge_at_or_after(t)); }

  // Time of the edge that starts cycle n.
  sc_core::sc_time at_cycle(std::uint64_t n) const { return fs(n * period_fs_); }

  // The current cycle number (the cycle that contains sc_time_stamp()).
  std::uint64_t now_cycle() const { return cycle_of(sc_core::sc_time_stamp()); }

  static std::uint64_t to_fs(const sc_core::sc_time& t) {
    return t.value() * fs_per_tick();
  }
  static sc_core::sc_time fs(std::uint64_t v) {
    return sc_core::sc_time::from_value(v / fs_per_tick());
  }

 private:
  // The kernel's resolution is set to 1 fs by every sc_main of the project;
  // this keeps the conversion right if someone runs with another one.
  static std::uint64_t fs_per_tick() {
    static const std::uint64_t v =
        static_cast<std::uint64_t>(sc_core::sc_get_time_resolution().to_seconds() * 1e15 + 0.5);
    return v;
  }

  std::string name_;
  std::uint64_t period_fs_;
};

// Waits until time t (no-op if t is now or in the past). For SC_THREADs.
inline void wait_until(const sc_core::sc_time& t) {
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  if (t > now) sc_core::wait(t - now);
}

}  // namespace toevp::model
