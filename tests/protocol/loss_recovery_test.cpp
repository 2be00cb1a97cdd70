// LossRecovery (model/proto/loss_recovery.h) without a kernel: the sender's
// side of RFC 5681 section 3.2 and RFC 6582 with proto::NewReno, driven by
// hand-written ACK sequences whose cwnd values are worked out from the RFCs.
#include <catch2/catch.hpp>

#include "model/proto/congestion_control.h"
#include "model/proto/loss_recovery.h"

using toevp::proto::LossRecovery;
using toevp::proto::NewReno;
using toevp::proto::Seq;

namespace {

constexpr std::uint32_t kMss = 1000;
const Seq kIss(0xFFFFF000u);  // wraps during the tests

struct Sender {
  NewReno cc{kMss, 20 * kMss, 0};
  LossRecovery lr{cc, kMss, kIss};
  Seq una = kIss;
  Seq max = kIss + 20 * kMss;  // 20 segments in flight

  bool dup() { return lr.on_duplicate_ack(una, max, static_cast<std::uint32_t>(max - una)); }
  bool ack(std::uint32_t segments) {
    const Seq old = una;
    una = una + segments * kMss;
    return lr.on_new_ack(old, una, max, static_cast<std::uint32_t>(max - old));
  }
};

}  // namespace

TEST_CASE("the third duplicate ACK fast-retransmits and enters recovery (RFC 5681 3.2 steps 1-3)") {
  Sender s;
  CHECK_FALSE(s.dup());
  CHECK(s.lr.limited_transmit_allowance() == kMss);  // RFC 3042
  CHECK_FALSE(s.dup());
  CHECK(s.lr.limited_transmit_allowance() == 2 * kMss);
  CHECK(s.dup());
  CHECK(s.lr.in_recovery());
  CHECK(s.lr.recover() == s.max);
  CHECK(s.cc.ssthresh() == 10 * kMss);      // FlightSize / 2
  CHECK(s.cc.cwnd() == 13 * kMss);          // ssthresh + 3 SMSS
  CHECK(s.lr.limited_transmit_allowance() == 0);
  CHECK_FALSE(s.dup());                      // step 4: inflate, no retransmission
  CHECK(s.cc.cwnd() == 14 * kMss);
  CHECK(s.lr.stats().fast_retransmits == 1);
}

TEST_CASE("partial ACKs retransmit the next hole and deflate; the full ACK ends recovery (RFC 6582 3.2)") {
  Sender s;
  s.dup(), s.dup(), s.dup();
  for (int i = 0; i < 5; ++i) s.dup();  // cwnd 18 SMSS
  REQUIRE(s.cc.cwnd() == 18 * kMss);
  // The retransmission fills the first hole; a second hole 4 segments on.
  CHECK(s.ack(4));
  CHECK(s.lr.in_recovery());
  CHECK(s.cc.cwnd() == 18 * kMss - 4 * kMss + kMss);  // deflate by acked, add one SMSS back
  CHECK(s.lr.stats().partial_acks == 1);
  // Everything up to recover: done; cwnd = min(ssthresh, FlightSize + SMSS).
  CHECK_FALSE(s.ack(16));
  CHECK_FALSE(s.lr.in_recovery());
  CHECK(s.una == s.lr.recover());
  CHECK(s.cc.cwnd() == 2 * kMss);  // nothing outstanding: min(ssthresh, max(0, SMSS) + SMSS)
  CHECK(s.lr.stats().recoveries_completed == 1);
}

TEST_CASE("data sent during recovery is outside it: the full ACK is the one that covers recover") {
  Sender s;
  s.dup(), s.dup(), s.dup();
  const Seq recover = s.lr.recover();
  s.max = s.max + 5 * kMss;  // new data sent on inflated cwnd
  CHECK_FALSE(s.ack(20));    // up to recover exactly: full ACK, no retransmission
  CHECK_FALSE(s.lr.in_recovery());
  CHECK(s.una == recover);
  CHECK(s.cc.cwnd() == std::min(10 * kMss, 5 * kMss + kMss));
}

TEST_CASE("a new ACK resets the duplicate count") {
  Sender s;
  s.dup(), s.dup();
  CHECK_FALSE(s.ack(1));
  CHECK(s.lr.duplicate_acks() == 0);
  CHECK_FALSE(s.dup());
  CHECK_FALSE(s.dup());
  CHECK(s.dup());
}

TEST_CASE("after a timeout, duplicates below recover start no false fast retransmit (RFC 6582 section 4)") {
  Sender s;
  s.cc.on_timeout(static_cast<std::uint32_t>(s.max - s.una));
  s.lr.on_timeout(s.max);
  // Go-back-N resends; the receiver already holds later data and answers
  // with ACKs that advance a little, then duplicates of a lower point.
  CHECK_FALSE(s.ack(2));
  CHECK_FALSE(s.dup());
  CHECK_FALSE(s.dup());
  CHECK_FALSE(s.dup());
  CHECK_FALSE(s.lr.in_recovery());
  CHECK(s.lr.stats().false_dupack_runs == 1);
  // Once everything sent before the timeout is acked, a new loss is recovered fast.
  CHECK_FALSE(s.ack(18));
  s.max = s.max + 10 * kMss;
  s.dup(), s.dup();
  CHECK(s.dup());
}

TEST_CASE("a second loss after a completed recovery is recovered again") {
  Sender s;
  s.dup(), s.dup(), s.dup();
  s.ack(20);
  REQUIRE_FALSE(s.lr.in_recovery());
  s.max = s.max + 8 * kMss;
  s.dup(), s.dup();
  CHECK(s.dup());
  CHECK(s.lr.stats().fast_retransmits == 2);
  CHECK(s.lr.recover() == s.max);
}
