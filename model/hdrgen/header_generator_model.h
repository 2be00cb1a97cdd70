// The C++ model of the header generator for the platform, where hdr_ready_i
// is always high: the cycle timing of rtl/toe_header_gen.sv in closed form
// (docs/timing.md, "Header generator"), so one request costs a few tens of
// nanoseconds instead of a cycle-by-cycle simulation. The cycle-stepped
// model in header_gen_pipeline.h covers arbitrary back-pressure and is what
// the tests compare this and the RTL against.
#pragma once

#include <cstdint>

#include "model/hdrgen/header_generator.h"

namespace toevp::hdrgen {

class HeaderGeneratorModel final : public HeaderGenerator {
 public:
  HeaderTiming generate(const HeaderRequest& req, std::uint64_t valid_cycle,
                        Header& out) override;
  const char* name() const override { return "model"; }

  // Back to the state right after reset: both stages empty.
  void reset() { *this = HeaderGeneratorModel{}; }

 private:
  // First cycle in which stage 1 is empty (req_ready_o high).
  std::uint64_t stage1_free_cycle_ = 0;
  // Last beat of the header in stage 2; stage 1 may move into stage 2 at the
  // end of this cycle. Zero while nothing was ever sent: any move happens at
  // the end of cycle accept + 1 >= 1 then.
  std::uint64_t stage2_last_beat_ = 0;
};

}  // namespace toevp::hdrgen
