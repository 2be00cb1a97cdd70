// LossRecovery: RFC 5681 fast retransmit with RFC 6582 NewReno recovery.
// See loss_recovery.h.
#include "model/proto/loss_recovery.h"

#include <algorithm>

namespace toevp::proto {

LossRecovery::LossRecovery(CongestionControl& cc, std::uint32_t mss, Seq snd_una)
    : cc_(cc), mss_(mss), recover_(snd_una) {}

bool LossRecovery::on_duplicate_ack(Seq ack, Seq snd_max, std::uint32_t flight) {
  ++stats_.duplicate_acks;
  ++dupacks_;
  if (in_recovery_) {
    cc_.on_dup_ack_in_recovery();  // RFC 5681 section 3.2 step 4
    return false;
  }
  if (dupacks_ != kDupAckThreshold) return false;
  if (ack < recover_) {
    // RFC 6582 section 3.2 step 1: these duplicates answer segments resent
    // after a timeout, not a new loss.
    ++stats_.false_dupack_runs;
    return false;
  }
  recover_ = snd_max;
  in_recovery_ = true;
  ++stats_.fast_retransmits;
  cc_.on_enter_recovery(flight);  // steps 2 and 3
  return true;
}

bool LossRecovery::on_new_ack(Seq old_una, Seq ack, Seq snd_max, std::uint32_t flight_before) {
  const auto acked = static_cast<std::uint32_t>(ack - old_una);
  dupacks_ = 0;
  if (!in_recovery_) {
    cc_.on_ack(acked, flight_before);
    return false;
  }
  if (ack < recover_) {
    // RFC 6582 section 3.2 step 5: partial ACK, the next hole is at ack.
    ++stats_.partial_acks;
    cc_.on_partial_ack(acked);
    return true;
  }
  // Step 6: full ACK; FlightSize is what the ACK left outstanding.
  in_recovery_ = false;
  ++stats_.recoveries_completed;
  cc_.on_exit_recovery(static_cast<std::uint32_t>(snd_max - ack));
  return false;
}

void LossRecovery::on_timeout(Seq snd_max) {
  in_recovery_ = false;
  dupacks_ = 0;
  recover_ = snd_max;
}

std::uint32_t LossRecovery::limited_transmit_allowance() const {
  if (in_recovery_) return 0;
  return std::min(dupacks_, 2u) * mss_;
}

}  // namespace toevp::proto
