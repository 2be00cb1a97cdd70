// Congestion control behind a small interface, so another algorithm (CUBIC,
// DCTCP) can be added next to NewReno without touching the protocol engine.
//
// Split of work with the caller (the protocol engine or the peer model):
//  - The caller counts duplicate ACKs, decides when to enter fast
//    retransmit/fast recovery (third duplicate ACK, RFC 5681 section 3.2
//    step 1) and keeps RFC 6582's `recover` sequence: it calls
//    on_enter_recovery() when it sets recover = highest sequence sent,
//    on_dup_ack_in_recovery() for each further duplicate, on_partial_ack()
//    for an ACK that advances snd_una but not beyond recover, and
//    on_exit_recovery() for the full ACK (RFC 6582 section 3.2 steps 2-6).
//  - Outside recovery every ACK that advances snd_una goes to on_ack().
//  - The caller measures FlightSize (snd_max - snd_una) and passes it in.
// The algorithm owns cwnd and ssthresh only, all values in bytes.
#pragma once

#include <cstdint>
#include <limits>

namespace toevp::proto {

class CongestionControl {
 public:
  virtual ~CongestionControl() = default;

  // An ACK outside recovery acknowledged `bytes_acked` new bytes while
  // `flight_size_before` bytes were outstanding (before this ACK).
  virtual void on_ack(std::uint32_t bytes_acked, std::uint32_t flight_size_before) = 0;
  // Third duplicate ACK: RFC 5681 section 3.2 steps 2-3.
  virtual void on_enter_recovery(std::uint32_t flight_size) = 0;
  // Each further duplicate ACK in recovery: RFC 5681 section 3.2 step 4.
  virtual void on_dup_ack_in_recovery() = 0;
  // An ACK of new data below `recover`: RFC 6582 section 3.2 step 5.
  virtual void on_partial_ack(std::uint32_t bytes_acked) = 0;
  // The full ACK (covers `recover`); flight_size is what is still
  // outstanding after it: RFC 6582 section 3.2 step 6.
  virtual void on_exit_recovery(std::uint32_t flight_size) = 0;
  // Retransmission timeout: RFC 5681 section 3.1 equation (4) and LW.
  virtual void on_timeout(std::uint32_t flight_size) = 0;

  virtual std::uint32_t cwnd() const = 0;
  virtual std::uint32_t ssthresh() const = 0;
  // Reloads state kept in a TCB (0 = the algorithm's initial value, the PCB
  // convention of model/abi/abi.h).
  virtual void restore(std::uint32_t cwnd, std::uint32_t ssthresh) = 0;
};

inline constexpr std::uint32_t kInfiniteSsthresh = std::numeric_limits<std::uint32_t>::max();

// RFC 6928 initial window: min(10*MSS, max(2*MSS, 14600)).
constexpr std::uint32_t rfc6928_initial_window(std::uint32_t mss) {
  const std::uint32_t floor = 2 * mss > 14600 ? 2 * mss : 14600;
  return 10 * mss < floor ? 10 * mss : floor;
}

// NewReno (RFC 5681 with the RFC 6582 fast-recovery modification).
//  - Slow start (cwnd < ssthresh) with appropriate byte counting, L = 2*SMSS
//    (RFC 3465 section 2.2): cwnd += min(bytes_acked, 2*SMSS) per ACK.
//  - Congestion avoidance with byte counting (RFC 5681 section 3.1, RFC 3465
//    section 2.1): once a full cwnd of bytes has been acked, cwnd += SMSS.
//  - cwnd grows only while the sender uses it: an ACK that arrives with
//    flight_size_before < cwnd/2 (application-limited, RFC 7661 section 4.1)
//    does not grow it.
//  - Timeout: ssthresh = max(FlightSize/2, 2*SMSS), cwnd = 1 SMSS; a
//    further timeout with no ACK of new data in between (the same segment
//    timing out again) keeps ssthresh (RFC 5681 section 3.1, below eq. 4).
class NewReno : public CongestionControl {
 public:
  // initial_cwnd_bytes 0 = RFC 6928; initial_ssthresh 0 = infinite.
  NewReno(std::uint32_t mss, std::uint32_t initial_cwnd_bytes = 0,
          std::uint32_t initial_ssthresh = 0);

  void on_ack(std::uint32_t bytes_acked, std::uint32_t flight_size_before) override;
  void on_enter_recovery(std::uint32_t flight_size) override;
  void on_dup_ack_in_recovery() override;
  void on_partial_ack(std::uint32_t bytes_acked) override;
  void on_exit_recovery(std::uint32_t flight_size) override;
  void on_timeout(std::uint32_t flight_size) override;

  std::uint32_t cwnd() const override { return cwnd_; }
  std::uint32_t ssthresh() const override { return ssthresh_; }
  void restore(std::uint32_t cwnd, std::uint32_t ssthresh) override;

  bool in_slow_start() const { return cwnd_ < ssthresh_; }
  std::uint32_t mss() const { return mss_; }

 private:
  std::uint32_t reduced_ssthresh(std::uint32_t flight_size) const;

  std::uint32_t mss_;
  std::uint32_t initial_cwnd_;
  std::uint32_t initial_ssthresh_;
  std::uint32_t cwnd_;
  std::uint32_t ssthresh_;
  std::uint32_t bytes_acked_ = 0;  // congestion-avoidance byte counter
  bool timed_out_ = false;         // a timeout with no new ACK since
};

}  // namespace toevp::proto
