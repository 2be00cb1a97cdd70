// Steps the Verilated RTL and the cycle-stepped C++ model with the same
// inputs every cycle and fails on the first cycle their ports differ
// (req_ready, hdr_valid, and data/keep/last while hdr_valid). It also checks
// the stream rule of the contract on the RTL: a stalled beat
// (hdr_valid && !hdr_ready) holds data, keep and last, and hdr_valid stays
// up. Used as the device for tests/hdrgen/stream_driver.h.
#pragma once

#include <cstdint>
#include <sstream>
#include <stdexcept>

#include "model/hdrgen/header_gen_pipeline.h"
#include "testbench/rtl/rtl_header_gen_driver.h"

namespace toevp::tb::test {

class Lockstep {
 public:
  explicit Lockstep(RtlHeaderGenDriver& rtl) : rtl_(rtl) {}

  hdrgen::CycleOutputs outputs() const {
    const hdrgen::CycleOutputs r = rtl_.outputs();
    const hdrgen::CycleOutputs m = model_.outputs();
    const bool same = r.req_ready == m.req_ready && r.hdr_valid == m.hdr_valid &&
                      (!r.hdr_valid || (r.hdr_data == m.hdr_data && r.hdr_keep == m.hdr_keep &&
                                        r.hdr_last == m.hdr_last));
    if (!same) fail("RTL and model differ", r, m);
    if (stalled_ && !(r.hdr_valid && r.hdr_data == held_.hdr_data &&
                      r.hdr_keep == held_.hdr_keep && r.hdr_last == held_.hdr_last))
      fail("stalled beat did not hold", r, held_);
    return r;
  }

  void clock(const hdrgen::CycleInputs& in) {
    const hdrgen::CycleOutputs r = outputs();
    stalled_ = in.rst_n && r.hdr_valid && !in.hdr_ready;
    held_ = r;
    rtl_.clock(in);
    model_.clock(in);
    ++cycle_;
  }

  std::uint64_t cycle() const { return cycle_; }

 private:
  [[noreturn]] void fail(const char* what, const hdrgen::CycleOutputs& a,
                         const hdrgen::CycleOutputs& b) const {
    std::ostringstream s;
    s << what << " in cycle " << cycle_ << ": rtl ready " << a.req_ready << " valid "
      << a.hdr_valid << " data " << std::hex << a.hdr_data << " keep " << int{a.hdr_keep}
      << " last " << a.hdr_last << " / other ready " << b.req_ready << " valid " << b.hdr_valid
      << " data " << b.hdr_data << " keep " << int{b.hdr_keep} << " last " << b.hdr_last;
    throw std::runtime_error(s.str());
  }

  RtlHeaderGenDriver& rtl_;
  hdrgen::HeaderGenPipeline model_;
  bool stalled_ = false;
  hdrgen::CycleOutputs held_{};
  std::uint64_t cycle_ = 0;
};

}  // namespace toevp::tb::test
