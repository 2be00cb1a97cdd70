// NewReno (RFC 5681, RFC 6582, RFC 3465, RFC 6928) against hand-computed values.
#include <catch2/catch.hpp>

#include <memory>

#include "model/proto/congestion_control.h"

using namespace toevp::proto;

TEST_CASE("initial window follows RFC 6928", "[cc]") {
  CHECK(rfc6928_initial_window(1460) == 14600);
  CHECK(rfc6928_initial_window(1000) == 10000);
  CHECK(rfc6928_initial_window(8960) == 17920);  // 2*MSS above 14600
  CHECK(rfc6928_initial_window(536) == 5360);
  NewReno cc(1460);
  CHECK(cc.cwnd() == 14600);
  CHECK(cc.ssthresh() == kInfiniteSsthresh);
  CHECK(cc.in_slow_start());
  NewReno configured(1460, 29200, 50000);
  CHECK(configured.cwnd() == 29200);
  CHECK(configured.ssthresh() == 50000);
}

TEST_CASE("slow start grows by bytes acked, at most 2*SMSS per ACK (RFC 3465)", "[cc]") {
  NewReno cc(1000);
  CHECK(cc.cwnd() == 10000);
  cc.on_ack(2000, 10000);
  CHECK(cc.cwnd() == 12000);
  cc.on_ack(5000, 12000);  // limited to L = 2000
  CHECK(cc.cwnd() == 14000);
  cc.on_ack(500, 14000);
  CHECK(cc.cwnd() == 14500);
  cc.on_ack(0, 14500);
  CHECK(cc.cwnd() == 14500);
}

TEST_CASE("slow start doubles cwnd per round trip of delayed ACKs", "[cc]") {
  NewReno cc(1000);
  for (int rtt = 0; rtt < 3; ++rtt) {
    const std::uint32_t w = cc.cwnd();
    // The sender refills the window as ACKs return: flight stays at w.
    for (std::uint32_t acked = 0; acked < w; acked += 2000) cc.on_ack(2000, w);
    CHECK(cc.cwnd() == 2 * w);
  }
  CHECK(cc.cwnd() == 80000);
}

TEST_CASE("an application-limited sender does not grow cwnd", "[cc]") {
  NewReno cc(1000);
  cc.on_ack(1000, 4000);  // 4000 < cwnd/2 = 5000
  CHECK(cc.cwnd() == 10000);
  cc.on_ack(1000, 5000);
  CHECK(cc.cwnd() == 11000);
}

TEST_CASE("congestion avoidance adds one SMSS per cwnd of acked bytes", "[cc]") {
  NewReno cc(1000, 10000, 10000);  // cwnd == ssthresh: congestion avoidance
  CHECK_FALSE(cc.in_slow_start());
  for (int i = 0; i < 9; ++i) cc.on_ack(1000, 10000);
  CHECK(cc.cwnd() == 10000);
  cc.on_ack(1000, 10000);
  CHECK(cc.cwnd() == 11000);
  // Ten more round trips of one ACK per segment: about 1 SMSS each.
  for (int rtt = 0; rtt < 10; ++rtt) {
    const std::uint32_t w = cc.cwnd();
    for (std::uint32_t acked = 0; acked < w; acked += 1000) cc.on_ack(1000, w);
  }
  CHECK(cc.cwnd() == 21000);
}

TEST_CASE("fast recovery: enter, inflate, partial ACKs, exit (RFC 5681 3.2, RFC 6582 3.2)",
          "[cc]") {
  NewReno cc(1000, 20000, 0);
  cc.on_enter_recovery(20000);
  CHECK(cc.ssthresh() == 10000);  // FlightSize / 2
  CHECK(cc.cwnd() == 13000);      // + 3 SMSS
  cc.on_dup_ack_in_recovery();
  cc.on_dup_ack_in_recovery();
  CHECK(cc.cwnd() == 15000);
  cc.on_partial_ack(3000);  // deflate by 3000, add back one SMSS
  CHECK(cc.cwnd() == 13000);
  cc.on_partial_ack(500);  // less than one SMSS: no add-back
  CHECK(cc.cwnd() == 12500);
  cc.on_exit_recovery(8000);  // min(ssthresh, max(8000, SMSS) + SMSS)
  CHECK(cc.cwnd() == 9000);
  CHECK(cc.ssthresh() == 10000);
}

TEST_CASE("exit from recovery with a large flight sets cwnd to ssthresh", "[cc]") {
  NewReno cc(1000, 20000, 0);
  cc.on_enter_recovery(20000);
  cc.on_exit_recovery(15000);
  CHECK(cc.cwnd() == 10000);
  CHECK_FALSE(cc.in_slow_start());
  cc.on_exit_recovery(0);  // nothing outstanding: max(0, SMSS) + SMSS
  CHECK(cc.cwnd() == 2000);
}

TEST_CASE("ssthresh never drops below 2*SMSS", "[cc]") {
  NewReno cc(1000, 4000, 0);
  cc.on_enter_recovery(3000);
  CHECK(cc.ssthresh() == 2000);
  CHECK(cc.cwnd() == 5000);
  cc.on_partial_ack(20000);  // never below one SMSS
  CHECK(cc.cwnd() == 1000);
}

TEST_CASE("timeout: ssthresh = max(FlightSize/2, 2*SMSS), cwnd = 1 SMSS", "[cc]") {
  NewReno cc(1000, 20000, 0);
  cc.on_timeout(20000);
  CHECK(cc.ssthresh() == 10000);
  CHECK(cc.cwnd() == 1000);
  cc.on_timeout(1000);  // the same segment times out again: ssthresh held
  CHECK(cc.ssthresh() == 10000);
  CHECK(cc.cwnd() == 1000);
  cc.on_ack(1000, 1000);
  CHECK(cc.cwnd() == 2000);
  cc.on_timeout(2000);  // a new loss after progress: reduced again
  CHECK(cc.ssthresh() == 2000);
  CHECK(cc.cwnd() == 1000);
}

TEST_CASE("after a timeout, slow start runs up to ssthresh then avoidance", "[cc]") {
  NewReno cc(1000, 16000, 0);
  cc.on_timeout(16000);
  CHECK(cc.ssthresh() == 8000);
  while (cc.in_slow_start()) cc.on_ack(1000, cc.cwnd());
  CHECK(cc.cwnd() == 8000);
  cc.on_ack(1000, 8000);
  CHECK(cc.cwnd() == 8000);  // byte counting starts
}

TEST_CASE("restore reloads TCB values with zero meaning initial", "[cc]") {
  std::unique_ptr<CongestionControl> cc = std::make_unique<NewReno>(1460);
  cc->restore(30000, 20000);
  CHECK(cc->cwnd() == 30000);
  CHECK(cc->ssthresh() == 20000);
  cc->restore(0, 0);
  CHECK(cc->cwnd() == 14600);
  CHECK(cc->ssthresh() == kInfiniteSsthresh);
}
