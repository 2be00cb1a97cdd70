// Retransmission timeout estimator of RFC 6298, in integer nanoseconds.
//
// Karn's rule (RFC 6298 section 3) is the caller's job: feed on_sample()
// only RTTs measured on segments that were not retransmitted (or from
// timestamps, RFC 7323 section 4). The caller also owns the timer itself
// (sections 5.1-5.6): this class only says how long it should run.
#pragma once

#include <cstdint>

namespace toevp::proto {

struct RtoParams {
  std::int64_t initial_ns = 1'000'000'000;      // section 2.1: 1 s
  std::int64_t min_ns = 1'000'000'000;          // section 2.4: 1 s (Linux uses 200 ms)
  std::int64_t max_ns = 60'000'000'000;         // section 2.5: at least 60 s
  std::int64_t clock_granularity_ns = 1'000;    // G of section 2: the NIC's timer tick
  // Section 5, note after (5.7): after this many back-offs in a row, SRTT and
  // RTTVAR are considered bogus and the next sample restarts them as a first
  // sample (2.2). 0 = never (keep smoothing, as Linux does).
  int clear_after_backoffs = 0;
};

class RtoEstimator {
 public:
  explicit RtoEstimator(RtoParams p = {});

  // A new RTT measurement R (section 2.2 for the first, 2.3 afterwards). Ends
  // any back-off: the RTO is recomputed from SRTT and RTTVAR.
  void on_sample(std::int64_t rtt_ns);

  // The retransmission timer expired: RTO doubles, capped at max_ns (5.5).
  void on_timeout();

  std::int64_t rto_ns() const { return rto_ns_; }
  std::int64_t srtt_ns() const { return srtt_ns_; }
  std::int64_t rttvar_ns() const { return rttvar_ns_; }
  bool has_sample() const { return has_sample_; }
  int backoffs() const { return backoffs_; }  // timeouts since the last sample
  const RtoParams& params() const { return params_; }

  // Reloads state kept in a TCB: srtt 0 means no sample yet, rto 0 means the
  // initial RTO (the PCB convention of model/abi/abi.h).
  void restore(std::int64_t srtt_ns, std::int64_t rttvar_ns, std::int64_t rto_ns);

 private:
  std::int64_t clamp(std::int64_t rto) const;

  RtoParams params_;
  std::int64_t srtt_ns_ = 0;
  std::int64_t rttvar_ns_ = 0;
  std::int64_t rto_ns_;
  bool has_sample_ = false;
  int backoffs_ = 0;
};

}  // namespace toevp::proto
