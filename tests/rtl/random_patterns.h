// Seeded random handshake patterns for the RTL scoreboard: hdr_ready_i
// back-pressure that changes character in phases (always ready, mostly
// ready, coin flip, mostly stalled, long stalls, alternating), and request
// valid cycles that are back to back, slightly spaced or far apart, so the
// pipeline is seen full, draining and idle.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "tests/hdrgen/random_request.h"
#include "tests/hdrgen/stream_driver.h"

namespace toevp::tb::test {

// hdr_ready_i per cycle; call once per cycle, in order. Two patterns made
// from the same seed give the same sequence.
class ReadyPattern {
 public:
  explicit ReadyPattern(std::uint64_t seed) : rng_(seed) {}
  bool operator()(std::uint64_t) {
    if (left_ == 0) new_phase();
    --left_;
    switch (mode_) {
      case 0: return true;
      case 1: return rng_() % 4 != 0;
      case 2: return rng_() % 2 != 0;
      case 3: return rng_() % 10 == 0;
      case 4: return false;
      default: return (left_ & 1) != 0;
    }
  }

 private:
  void new_phase() {
    mode_ = static_cast<int>(rng_() % 8);
    if (mode_ > 5) mode_ = 0;  // always-ready is the most common phase
    left_ = mode_ == 4 ? 1 + rng_() % 24 : 1 + rng_() % 256;
  }
  std::mt19937_64 rng_;
  int mode_ = 0;
  std::uint64_t left_ = 0;
};

// `count` random requests whose valid cycles follow one another with gaps
// that are zero half of the time, small or, now and then, long.
inline std::vector<hdrgen::test::TimedRequest> random_requests(std::mt19937_64& rng,
                                                               std::size_t count,
                                                               std::uint16_t mss) {
  std::vector<hdrgen::test::TimedRequest> reqs;
  reqs.reserve(count);
  std::uint64_t valid = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const unsigned pick = rng() % 16;
    if (pick >= 8 && pick < 15) valid += rng() % 10;
    if (pick == 15) valid += 20 + rng() % 200;
    reqs.push_back({hdrgen::test::random_request(rng, mss), valid});
  }
  return reqs;
}

}  // namespace toevp::tb::test
