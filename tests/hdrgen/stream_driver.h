// Drives a header generator at its ports, one clock edge at a time, and
// records what happened to each request: the accept, first-beat and
// last-beat cycles and the bytes assembled from the beats. Works with any
// device that has `CycleOutputs outputs() const` and `clock(CycleInputs)`:
// the pipeline model (model/hdrgen/header_gen_pipeline.h) and the Verilated
// RTL driver (testbench/rtl/rtl_header_gen_driver.h).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "model/hdrgen/header_gen_pipeline.h"

namespace toevp::hdrgen::test {

struct TimedRequest {
  HeaderRequest req;
  std::uint64_t valid_cycle = 0;  // req_valid_i rises in this cycle (or later)
};

struct Observed {
  HeaderTiming timing;
  std::vector<std::uint8_t> bytes;
};

// Presents `reqs` in order, each from its valid cycle on and held until the
// handshake (AXI-Stream rule), with hdr_ready_i = ready_at(cycle), called
// once per cycle in order. Checks the stream rules on the way: keep is a
// run of ones from bit 0, only the last beat may be partial.
template <class Dut, class ReadyFn>
std::vector<Observed> drive(Dut& dut, const std::vector<TimedRequest>& reqs,
                            ReadyFn&& ready_at, std::uint64_t start_cycle = 0) {
  std::vector<Observed> seen(reqs.size());
  std::size_t next_req = 0, next_out = 0;
  bool in_header = false;
  const std::uint64_t limit = start_cycle + 64 * (reqs.size() + 8) +
                              (reqs.empty() ? 0 : reqs.back().valid_cycle);
  for (std::uint64_t c = start_cycle; next_out < reqs.size(); ++c) {
    if (c > limit) throw std::runtime_error("header stream stalled at cycle " + std::to_string(c));
    CycleInputs in;
    in.req_valid = next_req < reqs.size() && reqs[next_req].valid_cycle <= c;
    if (in.req_valid) in.req = reqs[next_req].req;
    in.hdr_ready = ready_at(c);
    const CycleOutputs out = dut.outputs();
    if (in.req_valid && out.req_ready) seen[next_req++].timing.accept_cycle = c;
    if (out.hdr_valid && in.hdr_ready) {
      if (next_out >= next_req) throw std::runtime_error("beat before its request was accepted");
      Observed& o = seen[next_out];
      if (!in_header) o.timing.first_beat_cycle = c;
      in_header = true;
      if ((out.hdr_keep & (out.hdr_keep + 1)) != 0 || out.hdr_keep == 0 ||
          (!out.hdr_last && out.hdr_keep != 0xFF))
        throw std::runtime_error("bad keep at cycle " + std::to_string(c));
      for (int b = 0; b < 8 && (out.hdr_keep >> b & 1); ++b)
        o.bytes.push_back(static_cast<std::uint8_t>(out.hdr_data >> (8 * b)));
      if (out.hdr_last) {
        o.timing.last_beat_cycle = c;
        in_header = false;
        ++next_out;
      }
    }
    dut.clock(in);
  }
  return seen;
}

}  // namespace toevp::hdrgen::test
