// LossRecovery: the sender's fast retransmit / fast recovery state machine
// (RFC 5681 section 3.2 with the NewReno modification of RFC 6582), as plain
// logic shared by whoever sends TCP data (the NIC's protocol engine). It does
// the caller's part of the CongestionControl contract (congestion_control.h):
// counting duplicate ACKs, keeping `recover`, and calling the algorithm at
// each step; it says when a segment must be retransmitted at once.
//
//  - Duplicate ACK (RFC 5681 section 2): the caller decides a segment is one
//    (data outstanding, no payload, no SYN/FIN, ACK == SND.UNA, window
//    unchanged) and calls on_duplicate_ack().
//  - Third duplicate ACK: if the ACK covers more than `recover` (RFC 6582
//    section 3.2 step 1), recover = highest sequence sent, fast retransmit
//    the first unacknowledged segment and enter fast recovery with
//    cwnd = ssthresh + 3*SMSS; otherwise no fast retransmit (the duplicates
//    come from a retransmission after a timeout).
//  - Further duplicates in recovery inflate cwnd by one SMSS each.
//  - A partial ACK (advances SND.UNA, not beyond `recover`) retransmits the
//    next unacknowledged segment and deflates cwnd (step 5); the caller
//    restarts the retransmission timer on every new ACK (RFC 6298 5.3), which
//    is RFC 6582's "Slow-but-Steady" timer variant (section 4).
//  - The full ACK ends recovery (step 6).
//  - Limited transmit (RFC 3042): the first and second duplicate ACK outside
//    recovery each allow one more SMSS of new data beyond cwnd.
//  - A retransmission timeout ends recovery and sets recover = highest
//    sequence sent (RFC 6582 section 4), so the duplicates the go-back-N
//    resend provokes do not start a second, false fast retransmit.
// Sequence numbers use `recover` as one past the highest byte sent (SND.MAX),
// so "covers more than recover" is ack >= recover and a full ACK is
// ack >= recover.
#pragma once

#include <cstdint>

#include "model/proto/congestion_control.h"
#include "model/proto/seq.h"

namespace toevp::proto {

inline constexpr unsigned kDupAckThreshold = 3;  // RFC 5681 section 3.2

struct LossRecoveryStats {
  std::uint64_t duplicate_acks = 0;
  std::uint64_t fast_retransmits = 0;   // recoveries entered
  std::uint64_t partial_acks = 0;       // each also retransmits a segment
  std::uint64_t recoveries_completed = 0;
  std::uint64_t false_dupack_runs = 0;  // 3 duplicates not covering recover: ignored
};

class LossRecovery {
 public:
  // `snd_una` at the start of the connection (RFC 6582: recover = ISS).
  LossRecovery(CongestionControl& cc, std::uint32_t mss, Seq snd_una);

  // A duplicate ACK with `flight` = SND.MAX - SND.UNA bytes outstanding.
  // Returns true if the segment at SND.UNA must be retransmitted now.
  bool on_duplicate_ack(Seq ack, Seq snd_max, std::uint32_t flight);

  // An ACK that advanced SND.UNA from `old_una` to `ack`; `flight_before` =
  // SND.MAX - old_una. Outside recovery this is the ordinary
  // CongestionControl::on_ack. Returns true if the segment at the new
  // SND.UNA must be retransmitted now (partial ACK).
  bool on_new_ack(Seq old_una, Seq ack, Seq snd_max, std::uint32_t flight_before);

  // The retransmission timer expired (the caller has told the congestion
  // control already).
  void on_timeout(Seq snd_max);

  bool in_recovery() const { return in_recovery_; }
  Seq recover() const { return recover_; }
  unsigned duplicate_acks() const { return dupacks_; }
  // Bytes beyond cwnd that limited transmit allows now (RFC 3042).
  std::uint32_t limited_transmit_allowance() const;
  const LossRecoveryStats& stats() const { return stats_; }

 private:
  CongestionControl& cc_;
  std::uint32_t mss_;
  Seq recover_;
  unsigned dupacks_ = 0;
  bool in_recovery_ = false;
  LossRecoveryStats stats_;
};

}  // namespace toevp::proto
