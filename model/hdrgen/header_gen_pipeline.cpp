// The two stages of the header generator, one clock edge at a time
// (docs/timing.md, "Header generator").
#include "model/hdrgen/header_gen_pipeline.h"

#include "model/hdrgen/header_format.h"

namespace toevp::hdrgen {

CycleOutputs HeaderGenPipeline::outputs() const {
  CycleOutputs out;
  out.req_ready = !s1_valid_;
  out.hdr_valid = s2_valid_;
  if (!s2_valid_) return out;
  const std::size_t first = s2_beat_ * kBeatBytes;
  std::size_t valid = 0;
  for (std::size_t i = 0; i < kBeatBytes && first + i < s2_header_.length; ++i) {
    out.hdr_data |= std::uint64_t{s2_header_.bytes[first + i]} << (8 * i);
    ++valid;
  }
  out.hdr_keep = static_cast<std::uint8_t>((1u << valid) - 1);
  out.hdr_last = s2_beat_ + 1 == s2_beats_;
  return out;
}

void HeaderGenPipeline::clock(const CycleInputs& in) {
  if (!in.rst_n) {  // synchronous reset drops everything in flight
    *this = HeaderGenPipeline{};
    return;
  }
  const CycleOutputs now = outputs();
  const bool accept = in.req_valid && now.req_ready;
  const bool beat_done = now.hdr_valid && in.hdr_ready;
  // Stage 1 moves on when stage 2 is empty or sends its last beat now.
  const bool move = s1_valid_ && (!s2_valid_ || (beat_done && now.hdr_last));
  if (move) {
    build_header(s1_req_, s2_header_);
    s2_valid_ = true;
    s2_beat_ = 0;
    s2_beats_ = header_beats(s1_req_.ts_en);
  } else if (beat_done) {
    s2_valid_ = !now.hdr_last;
    ++s2_beat_;
  }
  s1_valid_ = accept || (s1_valid_ && !move);
  if (accept) s1_req_ = in.req;
}

}  // namespace toevp::hdrgen
