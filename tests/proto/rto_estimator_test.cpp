// RFC 6298 RTO estimator against hand-computed values.
#include <catch2/catch.hpp>

#include "model/proto/rto_estimator.h"

using namespace toevp::proto;

namespace {
// Small clamps so the section 2 formulas show through.
RtoParams open_params() {
  RtoParams p;
  p.initial_ns = 1'000'000'000;
  p.min_ns = 1'000;
  p.max_ns = 60'000'000'000;
  p.clock_granularity_ns = 1'000;
  return p;
}
}  // namespace

TEST_CASE("RTO before any sample is the initial value", "[rto]") {
  RtoEstimator e(open_params());
  CHECK(e.rto_ns() == 1'000'000'000);
  CHECK_FALSE(e.has_sample());
  CHECK(RtoEstimator().rto_ns() == 1'000'000'000);  // RFC default, section 2.1
}

TEST_CASE("RTO follows RFC 6298 section 2 over a sample sequence", "[rto]") {
  RtoEstimator e(open_params());
  // (2.2): SRTT = 100us, RTTVAR = 50us, RTO = 100 + max(1, 4*50) = 300us.
  e.on_sample(100'000);
  CHECK(e.has_sample());
  CHECK(e.srtt_ns() == 100'000);
  CHECK(e.rttvar_ns() == 50'000);
  CHECK(e.rto_ns() == 300'000);
  // (2.3) R' = 120us: RTTVAR = 3/4*50000 + 1/4*20000 = 42500,
  // SRTT = 7/8*100000 + 1/8*120000 = 102500, RTO = 102500 + 170000.
  e.on_sample(120'000);
  CHECK(e.rttvar_ns() == 42'500);
  CHECK(e.srtt_ns() == 102'500);
  CHECK(e.rto_ns() == 272'500);
  // R' = 80us: |SRTT - R'| = 22500 (old SRTT), RTTVAR = (127500 + 22500)/4 = 37500,
  // SRTT = (717500 + 80000)/8 = 99687 (integer), RTO = 99687 + 150000.
  e.on_sample(80'000);
  CHECK(e.rttvar_ns() == 37'500);
  CHECK(e.srtt_ns() == 99'687);
  CHECK(e.rto_ns() == 249'687);
}

TEST_CASE("clock granularity G bounds the variance term", "[rto]") {
  RtoParams p = open_params();
  p.clock_granularity_ns = 1'000'000;  // 1 ms tick
  RtoEstimator e(p);
  e.on_sample(100'000);  // 4*RTTVAR = 200us < G
  CHECK(e.rto_ns() == 1'100'000);
}

TEST_CASE("RTO is clamped to the minimum and maximum", "[rto]") {
  RtoParams p = open_params();
  p.min_ns = 200'000'000;
  RtoEstimator e(p);
  e.on_sample(100'000);  // 300us computed
  CHECK(e.rto_ns() == 200'000'000);
  e.on_sample(50'000'000'000);  // very long sample drives RTO past 60 s
  RtoEstimator big(p);
  big.on_sample(50'000'000'000);  // 50 + 4*25 = 150 s
  CHECK(big.srtt_ns() == 50'000'000'000);
  CHECK(big.rto_ns() == 60'000'000'000);
}

TEST_CASE("timeouts double the RTO up to the cap (section 5.5)", "[rto]") {
  RtoEstimator e(open_params());
  const std::int64_t s = 1'000'000'000;
  const std::int64_t expect[] = {2 * s, 4 * s, 8 * s, 16 * s, 32 * s, 60 * s, 60 * s};
  for (std::int64_t v : expect) {
    e.on_timeout();
    CHECK(e.rto_ns() == v);
  }
  CHECK(e.backoffs() == 7);
  CHECK_FALSE(e.has_sample());
}

TEST_CASE("a new sample after back-off recomputes the RTO", "[rto]") {
  RtoEstimator e(open_params());
  e.on_sample(100'000);
  e.on_timeout();
  e.on_timeout();
  CHECK(e.rto_ns() == 1'200'000);
  e.on_sample(100'000);  // err 0: RTTVAR 37500, SRTT 100000
  CHECK(e.backoffs() == 0);
  CHECK(e.rttvar_ns() == 37'500);
  CHECK(e.rto_ns() == 250'000);
}

TEST_CASE("SRTT and RTTVAR restart after repeated back-off when configured", "[rto]") {
  RtoParams p = open_params();
  p.clear_after_backoffs = 2;
  RtoEstimator e(p);
  e.on_sample(100'000);
  e.on_timeout();
  e.on_sample(500'000);  // one back-off only: normal smoothing
  CHECK(e.srtt_ns() == 150'000);  // (700000 + 500000) / 8
  e.on_timeout();
  e.on_timeout();
  e.on_sample(500'000);  // treated as a first sample (2.2)
  CHECK(e.srtt_ns() == 500'000);
  CHECK(e.rttvar_ns() == 250'000);
  CHECK(e.rto_ns() == 1'500'000);
}

TEST_CASE("restore reloads TCB state with its zero conventions", "[rto]") {
  RtoEstimator e(open_params());
  e.restore(0, 0, 0);
  CHECK_FALSE(e.has_sample());
  CHECK(e.rto_ns() == 1'000'000'000);
  e.restore(100'000, 50'000, 300'000);
  CHECK(e.has_sample());
  CHECK(e.srtt_ns() == 100'000);
  CHECK(e.rttvar_ns() == 50'000);
  CHECK(e.rto_ns() == 300'000);
  e.on_sample(120'000);
  CHECK(e.rto_ns() == 272'500);  // continues as if never saved
}
