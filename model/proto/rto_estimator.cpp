// RFC 6298 retransmission timeout estimator; see rto_estimator.h.
#include "model/proto/rto_estimator.h"

#include <algorithm>

namespace toevp::proto {

namespace {
// K of RFC 6298 section 2; alpha = 1/8 and beta = 1/4 appear as the shifts
// of the integer updates below.
constexpr std::int64_t kK = 4;
}  // namespace

RtoEstimator::RtoEstimator(RtoParams p) : params_(p), rto_ns_(clamp(p.initial_ns)) {}

std::int64_t RtoEstimator::clamp(std::int64_t rto) const {
  return std::clamp(rto, params_.min_ns, params_.max_ns);
}

void RtoEstimator::on_sample(std::int64_t r) {
  r = std::max<std::int64_t>(r, 0);
  const bool restart = params_.clear_after_backoffs > 0 && backoffs_ >= params_.clear_after_backoffs;
  if (!has_sample_ || restart) {
    // (2.2): SRTT <- R, RTTVAR <- R/2.
    srtt_ns_ = r;
    rttvar_ns_ = r / 2;
    has_sample_ = true;
  } else {
    // (2.3): RTTVAR first, with the old SRTT.
    const std::int64_t err = srtt_ns_ > r ? srtt_ns_ - r : r - srtt_ns_;
    rttvar_ns_ = (3 * rttvar_ns_ + err) / 4;  // (1 - beta) RTTVAR + beta |SRTT - R'|
    srtt_ns_ = (7 * srtt_ns_ + r) / 8;        // (1 - alpha) SRTT + alpha R'
  }
  // (2.2)/(2.3): RTO <- SRTT + max(G, K*RTTVAR), then (2.4)/(2.5).
  rto_ns_ = clamp(srtt_ns_ + std::max(params_.clock_granularity_ns, kK * rttvar_ns_));
  backoffs_ = 0;
}

void RtoEstimator::on_timeout() {
  // (5.5): back off the timer; (2.5) caps it.
  rto_ns_ = std::min(rto_ns_ * 2, params_.max_ns);
  ++backoffs_;
}

void RtoEstimator::restore(std::int64_t srtt_ns, std::int64_t rttvar_ns, std::int64_t rto_ns) {
  has_sample_ = srtt_ns != 0;
  srtt_ns_ = srtt_ns;
  rttvar_ns_ = rttvar_ns;
  rto_ns_ = clamp(rto_ns != 0 ? rto_ns : params_.initial_ns);
  backoffs_ = 0;
}

}  // namespace toevp::proto
