// Closed-form timing of the two-stage header generator with hdr_ready_i high
// (docs/timing.md, "Header generator"):
//   accept A = max(valid cycle, first cycle stage 1 is empty)
//   move   M = max(A + 1, last beat of the previous header)  (stage 1 -> 2)
//   first  F = M + 1, last L = F + beats - 1; stage 1 is empty again from F.
#include "model/hdrgen/header_generator_model.h"

#include <algorithm>

#include "model/hdrgen/header_format.h"

namespace toevp::hdrgen {

HeaderTiming HeaderGeneratorModel::generate(const HeaderRequest& req,
                                            std::uint64_t valid_cycle, Header& out) {
  build_header(req, out);
  HeaderTiming t;
  t.accept_cycle = std::max(valid_cycle, stage1_free_cycle_);
  const std::uint64_t move_cycle = std::max(t.accept_cycle + 1, stage2_last_beat_);
  t.first_beat_cycle = move_cycle + 1;
  t.last_beat_cycle = t.first_beat_cycle + header_beats(req.ts_en) - 1;
  stage1_free_cycle_ = t.first_beat_cycle;
  stage2_last_beat_ = t.last_beat_cycle;
  return t;
}

}  // namespace toevp::hdrgen
