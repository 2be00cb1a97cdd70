// LinkFaults, the per-frame fault decisions of one link direction: each
// fault happens at its configured rate, Gilbert-Elliott losses come in
// bursts, a seed repeats the same run and different seeds do not.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "model/link/link_faults.h"

using toevp::link::FaultDecision;
using toevp::link::LinkFaultParams;
using toevp::link::LinkFaults;

namespace {

constexpr std::uint64_t kSeed = 20240601;
constexpr int kFrames = 200000;

// Within 5 standard deviations of n*p (binomial).
void check_rate(std::uint64_t count, int n, double p) {
  INFO("seed " << kSeed << ": " << count << " of " << n << " at p=" << p);
  const double sd = std::sqrt(n * p * (1 - p));
  CHECK(std::abs(double(count) - n * p) <= 5 * sd + 1);
}

}  // namespace

TEST_CASE("no fault configured: every frame passes untouched") {
  LinkFaults f(LinkFaultParams{}, kSeed, 0);
  for (int i = 0; i < 1000; ++i) {
    const FaultDecision d = f.next(100);
    REQUIRE_FALSE(d.drop);
    REQUIRE_FALSE(d.corrupt);
    REQUIRE_FALSE(d.duplicate);
    REQUIRE_FALSE(d.reorder);
    REQUIRE(d.jitter_ns == 0);
  }
  CHECK(f.stats().frames == 1000);
  CHECK(f.stats().lost() == 0);
}

TEST_CASE("each fault happens at its configured probability") {
  LinkFaultParams p;
  p.loss = 0.01;
  p.corrupt = 0.02;
  p.duplicate = 0.03;
  p.reorder = 0.04;
  LinkFaults f(p, kSeed, 0);
  std::uint64_t drops = 0, corrupt = 0, dup = 0, reorder = 0;
  for (int i = 0; i < kFrames; ++i) {
    const FaultDecision d = f.next(1514);
    drops += d.drop;
    corrupt += d.corrupt;
    dup += d.duplicate;
    reorder += d.reorder;
    if (d.corrupt) REQUIRE(d.flip_bit < 1514 * 8);
  }
  check_rate(drops, kFrames, 0.01);
  // The other faults apply to frames that were not lost.
  const int kept = kFrames - static_cast<int>(drops);
  check_rate(corrupt, kept, 0.02);
  check_rate(dup, kept, 0.03);
  check_rate(reorder, kept, 0.04);
  CHECK(f.stats().lost_random == drops);
  CHECK(f.stats().corrupted == corrupt);
  CHECK(f.stats().duplicated == dup);
  CHECK(f.stats().reordered == reorder);
}

TEST_CASE("Gilbert-Elliott loss: stationary rate p/(p+r) and mean burst 1/r") {
  LinkFaultParams p;
  p.burst_p = 0.002;
  p.burst_r = 0.25;
  p.burst_loss = 1.0;
  LinkFaults f(p, kSeed, 1);
  std::uint64_t lost = 0, runs = 0;
  bool prev = false;
  for (int i = 0; i < kFrames * 5; ++i) {
    const bool d = f.next(100).drop;
    lost += d;
    if (d && !prev) ++runs;
    prev = d;
  }
  const double rate = double(lost) / (kFrames * 5);
  INFO("seed " << kSeed << ": loss rate " << rate << ", " << runs << " bursts, " << f.stats().bursts << " entries");
  CHECK(rate == Approx(0.002 / 0.252).epsilon(0.15));
  CHECK(double(lost) / double(runs) == Approx(4.0).epsilon(0.15));
  CHECK(f.stats().lost_burst == lost);
  CHECK(f.stats().bursts >= runs);
}

TEST_CASE("jitter stays within [0, jitter_ns] and covers the range") {
  LinkFaultParams p;
  p.jitter_ns = 100;
  LinkFaults f(p, kSeed, 0);
  std::int64_t lo = 1000, hi = -1;
  for (int i = 0; i < 10000; ++i) {
    const auto j = f.next(64).jitter_ns;
    lo = std::min(lo, j);
    hi = std::max(hi, j);
  }
  CHECK(lo == 0);
  CHECK(hi == 100);
}

TEST_CASE("the same seed repeats the same faults; another seed or direction does not") {
  LinkFaultParams p;
  p.loss = 0.1;
  p.reorder = 0.1;
  auto run = [&](std::uint64_t seed, std::uint64_t stream) {
    LinkFaults f(p, seed, stream);
    std::vector<int> v;
    for (int i = 0; i < 2000; ++i) {
      const auto d = f.next(100);
      v.push_back(d.drop * 2 + d.reorder);
    }
    return v;
  };
  CHECK(run(kSeed, 0) == run(kSeed, 0));
  CHECK(run(kSeed, 0) != run(kSeed + 1, 0));
  CHECK(run(kSeed, 0) != run(kSeed, 1));
}

TEST_CASE("out-of-range settings are refused with the key's name") {
  LinkFaultParams p;
  p.loss = 1.5;
  CHECK_THROWS_WITH(LinkFaults::validate(p, "link.a_to_b"), Catch::Contains("link.a_to_b.loss"));
  p.loss = 0;
  p.burst_p = 0.1;
  p.burst_r = 0;
  CHECK_THROWS_WITH(LinkFaults::validate(p, "link.b_to_a"), Catch::Contains("burst_r"));
}
