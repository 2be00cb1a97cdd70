// The waveform view: a handful of NIC state signals (context-table
// occupancy, TCB cache misses, PCIe read tags in use, SQ head, CQ tail, MAC
// busy) as sc_signals recorded with sc_trace into a VCD file that GTKWave
// opens. Off by default.
//
// The models do not burn a process per cycle, and many of their changes are
// computed ahead of time (a read request's tag is busy from its issue to its
// last completion, both known when it is booked; a frame occupies the MAC
// from its first to its last bit). So a model reports a change with the time
// it takes effect (set_at/add_at/span); the Waveform module applies the
// changes in time order from one SC_METHOD and writes the signals then, so
// the VCD shows every change at its exact simulated time.
//
// Cost when off: every probe call is an inline test of one global pointer.
#pragma once

#include <cstdint>
#include <memory>
#include <queue>
#include <string>
#include <vector>

#include <systemc>

namespace toevp::model::wave {

enum Signal : unsigned {
  kCtxUsed,        // message contexts in use
  kTcbMisses,      // TCB cache misses so far (a step per miss)
  kPcieTagsInUse,  // outstanding PCIe read requests (tags held)
  kSqHead,         // next submission entry the NIC fetches
  kCqTail,         // next completion entry the NIC writes
  kMacBusy,        // 1 while the transmit MAC sends a frame (preamble to FCS)
  kSignalCount,
};
const char* signal_name(Signal s);

class Waveform : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(Waveform);
  // Creates `path` (".vcd" appended unless present) and traces every signal.
  Waveform(sc_core::sc_module_name name, const std::string& path);
  ~Waveform() override;

  // The signal takes `value` / changes by `delta` at time `at` (now if `at`
  // is in the past).
  void set_at(Signal s, const sc_core::sc_time& at, std::uint64_t value);
  void add_at(Signal s, const sc_core::sc_time& at, std::int64_t delta);

  std::uint64_t value(Signal s) const { return value_[s]; }
  std::uint64_t changes() const { return changes_; }

 private:
  struct Change {
    std::uint64_t at_fs;
    std::uint64_t order;
    Signal signal;
    bool absolute;
    std::int64_t amount;
    bool operator>(const Change& o) const { return at_fs != o.at_fs ? at_fs > o.at_fs : order > o.order; }
  };
  void push(Change c);
  void apply_method();

  sc_core::sc_trace_file* file_ = nullptr;
  std::vector<std::unique_ptr<sc_core::sc_signal<std::uint32_t>>> signals_;
  std::uint64_t value_[kSignalCount] = {};
  std::priority_queue<Change, std::vector<Change>, std::greater<Change>> pending_;
  std::uint64_t order_ = 0;
  std::uint64_t changes_ = 0;
  sc_core::sc_event due_;
};

// The waveform being recorded, or nullptr (the default).
inline Waveform* g_wave = nullptr;

// -DTOEVP_NO_TRACE compiles the probes to nothing (to measure their cost).
#ifdef TOEVP_NO_TRACE
inline constexpr bool kProbes = false;
#else
inline constexpr bool kProbes = true;
#endif

// Probes for the models: one pointer test each when the waveform is off.
inline void set(Signal s, std::uint64_t value) {
  if (kProbes && g_wave) g_wave->set_at(s, sc_core::sc_time_stamp(), value);
}
inline void set_at(Signal s, const sc_core::sc_time& at, std::uint64_t value) {
  if (kProbes && g_wave) g_wave->set_at(s, at, value);
}
inline void add(Signal s, std::int64_t delta) {
  if (kProbes && g_wave) g_wave->add_at(s, sc_core::sc_time_stamp(), delta);
}
// +1 over [from, to): a busy interval or a held resource.
inline void span(Signal s, const sc_core::sc_time& from, const sc_core::sc_time& to) {
  if (kProbes && g_wave) {
    g_wave->add_at(s, from, 1);
    g_wave->add_at(s, to, -1);
  }
}

}  // namespace toevp::model::wave
