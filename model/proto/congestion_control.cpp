// NewReno congestion control; see congestion_control.h.
#include "model/proto/congestion_control.h"

#include <algorithm>

namespace toevp::proto {

NewReno::NewReno(std::uint32_t mss, std::uint32_t initial_cwnd_bytes,
                 std::uint32_t initial_ssthresh)
    : mss_(mss),
      initial_cwnd_(initial_cwnd_bytes != 0 ? initial_cwnd_bytes : rfc6928_initial_window(mss)),
      initial_ssthresh_(initial_ssthresh != 0 ? initial_ssthresh : kInfiniteSsthresh),
      cwnd_(initial_cwnd_),
      ssthresh_(initial_ssthresh_) {}

std::uint32_t NewReno::reduced_ssthresh(std::uint32_t flight_size) const {
  return std::max(flight_size / 2, 2 * mss_);  // RFC 5681 equation (4)
}

void NewReno::on_ack(std::uint32_t bytes_acked, std::uint32_t flight_size_before) {
  timed_out_ = false;
  if (bytes_acked == 0) return;
  if (flight_size_before < cwnd_ / 2) return;  // not cwnd-limited: no growth
  if (in_slow_start()) {
    // RFC 3465 section 2.2, L = 2*SMSS.
    cwnd_ += std::min(bytes_acked, 2 * mss_);
    return;
  }
  // RFC 5681 section 3.1 (byte counting): one SMSS per cwnd of acked bytes.
  bytes_acked_ += bytes_acked;
  if (bytes_acked_ >= cwnd_) {
    bytes_acked_ -= cwnd_;
    cwnd_ += mss_;
  }
}

void NewReno::on_enter_recovery(std::uint32_t flight_size) {
  ssthresh_ = reduced_ssthresh(flight_size);  // step 2
  cwnd_ = ssthresh_ + 3 * mss_;               // step 3: inflate by the 3 dup ACKs
  bytes_acked_ = 0;
}

void NewReno::on_dup_ack_in_recovery() {
  cwnd_ += mss_;  // RFC 5681 section 3.2 step 4: one segment left the network
}

void NewReno::on_partial_ack(std::uint32_t bytes_acked) {
  // RFC 6582 section 3.2 step 5: deflate by the newly acked data, add back
  // one SMSS if at least one SMSS was acked; never below one SMSS.
  const std::uint32_t deflated = cwnd_ > bytes_acked ? cwnd_ - bytes_acked : 0;
  const std::uint32_t add_back = bytes_acked >= mss_ ? mss_ : 0;
  cwnd_ = std::max(deflated + add_back, mss_);
  timed_out_ = false;
}

void NewReno::on_exit_recovery(std::uint32_t flight_size) {
  // RFC 6582 section 3.2 step 6, option (1): min(ssthresh,
  // max(FlightSize, SMSS) + SMSS), which avoids a burst when little is
  // outstanding.
  cwnd_ = std::min(ssthresh_, std::max(flight_size, mss_) + mss_);
  bytes_acked_ = 0;
  timed_out_ = false;
}

void NewReno::on_timeout(std::uint32_t flight_size) {
  if (!timed_out_) ssthresh_ = reduced_ssthresh(flight_size);
  cwnd_ = mss_;  // loss window LW = 1 SMSS
  bytes_acked_ = 0;
  timed_out_ = true;
}

void NewReno::restore(std::uint32_t cwnd, std::uint32_t ssthresh) {
  cwnd_ = cwnd != 0 ? cwnd : initial_cwnd_;
  ssthresh_ = ssthresh != 0 ? ssthresh : initial_ssthresh_;
  bytes_acked_ = 0;
  timed_out_ = false;
}

}  // namespace toevp::proto
