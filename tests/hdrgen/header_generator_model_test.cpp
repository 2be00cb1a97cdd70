// Timing of the header generator's C++ model (docs/timing.md, "Header
// generator"): the closed form used by the platform against the numbers of
// the timing contract and against the cycle-stepped pipeline model.
#include <catch2/catch.hpp>

#include <chrono>
#include <random>
#include <vector>

#include "model/hdrgen/header_format.h"
#include "model/hdrgen/header_gen_pipeline.h"
#include "model/hdrgen/header_generator_model.h"
#include "tests/hdrgen/random_request.h"
#include "tests/hdrgen/stream_driver.h"

namespace {

using toevp::hdrgen::Header;
using toevp::hdrgen::HeaderGeneratorModel;
using toevp::hdrgen::HeaderRequest;
using toevp::hdrgen::HeaderTiming;

HeaderRequest request(bool ts) {
  HeaderRequest r;
  r.ts_en = ts;
  r.payload_len = 100;
  return r;
}

void check_timing(const HeaderTiming& t, std::uint64_t accept, std::uint64_t first,
                  std::uint64_t last) {
  CHECK(t.accept_cycle == accept);
  CHECK(t.first_beat_cycle == first);
  CHECK(t.last_beat_cycle == last);
}

}  // namespace

TEST_CASE("a header accepted in cycle A starts in A+2 and lasts 7 or 9 beats", "[hdrgen]") {
  HeaderGeneratorModel m;
  Header h;
  check_timing(m.generate(request(false), 10, h), 10, 12, 18);
  CHECK(h.length == 54);
  check_timing(m.generate(request(true), 100, h), 100, 102, 110);
  CHECK(h.length == 66);
}

// Stage 1 is busy from A+1 until stage 2 takes its request; the next header
// then follows the last beat with no idle cycle: initiation interval 7 (9).
TEST_CASE("back-to-back requests stream with no idle beat between headers", "[hdrgen]") {
  HeaderGeneratorModel m;
  Header h;
  check_timing(m.generate(request(false), 0, h), 0, 2, 8);
  check_timing(m.generate(request(false), 0, h), 2, 9, 15);
  check_timing(m.generate(request(true), 0, h), 9, 16, 24);
  check_timing(m.generate(request(false), 0, h), 16, 25, 31);
  // A request that arrives after the pipeline drained waits for nobody.
  check_timing(m.generate(request(false), 40, h), 40, 42, 48);
}

TEST_CASE("the closed form equals the cycle-stepped pipeline when hdr_ready stays high",
          "[hdrgen]") {
  using namespace toevp::hdrgen::test;
  std::mt19937_64 rng(test_seed(11));
  std::vector<TimedRequest> reqs;
  std::uint64_t valid = 0;
  for (int i = 0; i < 100000; ++i) {
    // Half the requests arrive while the previous header is still in flight.
    valid += rng() % 2 ? 0 : rng() % 24;
    reqs.push_back({random_request(rng, 1460), valid});
  }
  toevp::hdrgen::HeaderGenPipeline pipe;
  const auto seen = drive(pipe, reqs, [](std::uint64_t) { return true; });
  HeaderGeneratorModel model;
  for (std::size_t i = 0; i < reqs.size(); ++i) {
    Header h;
    const HeaderTiming t = model.generate(reqs[i].req, reqs[i].valid_cycle, h);
    INFO("request " << i << " valid in cycle " << reqs[i].valid_cycle);
    REQUIRE(t.accept_cycle == seen[i].timing.accept_cycle);
    REQUIRE(t.first_beat_cycle == seen[i].timing.first_beat_cycle);
    REQUIRE(t.last_beat_cycle == seen[i].timing.last_beat_cycle);
    REQUIRE(std::equal(seen[i].bytes.begin(), seen[i].bytes.end(), h.bytes.begin()));
    REQUIRE(seen[i].bytes.size() == h.length);
  }
}

TEST_CASE("reset empties the model's pipeline", "[hdrgen]") {
  HeaderGeneratorModel m;
  Header h;
  m.generate(request(true), 0, h);
  m.reset();
  check_timing(m.generate(request(false), 0, h), 0, 2, 8);
}

// Not a test: `hdrgen_model_test "[.bench]"` prints the cost of one request.
TEST_CASE("benchmark: model headers per wall second", "[.bench]") {
  std::mt19937_64 rng(1);
  std::vector<HeaderRequest> reqs;
  for (int i = 0; i < 4096; ++i) reqs.push_back(toevp::hdrgen::test::random_request(rng, 1460));
  HeaderGeneratorModel m;
  Header h;
  const int n = 4000000;
  std::uint64_t sink = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) sink += m.generate(reqs[i & 4095], 20ull * i, h).last_beat_cycle + h.bytes[50];
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("model: %.0f headers/s, %.1f ns per header (sink %llu)\n", n / s, 1e9 * s / n,
              static_cast<unsigned long long>(sink));
}
