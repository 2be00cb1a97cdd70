// The Verilated rtl/toe_header_gen.sv behind a port-level C++ interface: set
// one cycle's inputs, take the clock edge, read the registered outputs. It
// has the same outputs()/clock() shape as the cycle-stepped model
// (model/hdrgen/header_gen_pipeline.h), so tests step both in lock step, and
// RtlHeaderGenerator (rtl_header_generator.h) builds the platform's
// HeaderGenerator on it. Verilator types stay in the .cpp, so users of this
// header need no Verilator include paths.
//
// Plain C++ (Verilator --cc, not --sc): stepping from C++ avoids the delta
// cycles an sc_clock would cost (DESIGN.md, "Known constraints").
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "model/hdrgen/header_gen_pipeline.h"

namespace toevp::tb {

using hdrgen::CycleInputs;
using hdrgen::CycleOutputs;

struct RtlDriverOptions {
  // Write an FST waveform here; empty: no waveform (it costs ~45x).
  std::string fst_path;
  // Clock period in the waveform, in picoseconds (core clock, 250 MHz).
  std::uint64_t period_ps = 4000;
};

class RtlHeaderGenDriver {
 public:
  // Constructs the model and holds it in reset for two cycles "before time
  // zero" (not counted, not in the waveform); the first counted cycle is 0.
  explicit RtlHeaderGenDriver(const RtlDriverOptions& options = {});
  ~RtlHeaderGenDriver();
  RtlHeaderGenDriver(const RtlHeaderGenDriver&) = delete;
  RtlHeaderGenDriver& operator=(const RtlHeaderGenDriver&) = delete;

  // Outputs during the current cycle (they come from flops, so they do not
  // depend on this cycle's inputs).
  CycleOutputs outputs() const;

  // Drives `in` during the current cycle and takes its rising clock edge.
  void clock(const CycleInputs& in);

  // Moves time on by `cycles` without evaluating the model. Exact only while
  // the RTL is idle with req_valid_i low: see RtlHeaderGenerator.
  void skip_idle(std::uint64_t cycles);

  // Cycles clocked or skipped since time zero.
  std::uint64_t cycle() const { return cycle_; }

  // The whole RTL state (Verilator --savable) and the cycle count, in
  // memory, to go back to later. Not in the coverage build (it throws).
  struct Snapshot {
    std::vector<std::uint8_t> state;
    std::uint64_t cycle = 0;
  };
  void save(Snapshot& snapshot) const;
  void restore(const Snapshot& snapshot);

  // While off, clock() does not write the waveform (cycles that may be
  // undone by restore() must not reach it).
  void set_trace_enabled(bool on) { trace_enabled_ = on; }
  bool tracing() const;

  // True in the build instrumented with --coverage (toevp_rtl_hdrgen_cov);
  // that build writes its counts on destruction into the directory named by
  // TOEVP_RTL_COVERAGE, one file per instance.
  static bool coverage_build();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::uint64_t cycle_ = 0;
  std::uint64_t period_ps_;
  bool trace_enabled_ = true;
};

}  // namespace toevp::tb
