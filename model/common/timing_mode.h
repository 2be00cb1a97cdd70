// The two ways the platform keeps time (config key sim.mode).
//
// Cycle mode is the promise of docs/timing.md: every transaction starts and
// ends on the exact clock edge. Fast mode is TLM-2.0 loosely timed with
// temporal decoupling: the NIC's transmit path runs ahead of the SystemC
// kernel by up to a quantum (sim.quantum_ns) and synchronizes only then,
// PCIe is a bandwidth budget instead of a TLP schedule, and received
// segments are processed in the activation that delivers them. Everything
// that decides bytes and completions (payload reads from host memory,
// checksums, segmentation, ACK processing, retransmission) runs the same
// code in both modes; docs/timing.md, "Fast mode", says what differs.
#pragma once

#include <cstdint>

#include <systemc>

#include "model/common/config.h"

namespace toevp::model {

enum class TimingMode : std::uint8_t { kCycle, kFast };

struct TimingParams {
  TimingMode mode = TimingMode::kCycle;
  sc_core::sc_time quantum = sc_core::sc_time(1, sc_core::SC_US);  // fast mode only

  bool fast() const { return mode == TimingMode::kFast; }
  const char* name() const { return fast() ? "fast" : "cycle"; }

  static TimingParams from(const Config& c) {
    TimingParams p;
    p.mode = c.get_string("sim.mode") == "fast" ? TimingMode::kFast : TimingMode::kCycle;
    p.quantum = sc_core::sc_time(double(c.get_int("sim.quantum_ns")), sc_core::SC_NS);
    return p;
  }
};

}  // namespace toevp::model
