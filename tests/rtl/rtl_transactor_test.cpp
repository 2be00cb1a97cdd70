// The RTL through the platform's interface (testbench/rtl/
// rtl_header_generator.h): the same requests at the same valid cycles give
// the same bytes and the same HeaderTiming as the C++ model, including
// requests issued while the previous header still streams (the transactor's
// rewind) and after long idle gaps (its idle skip). Also the FST option.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <vector>

#include "model/hdrgen/header_generator_model.h"
#include "tests/hdrgen/random_request.h"
#include "tests/hdrgen/reference_header.h"
#include "tests/rtl/random_patterns.h"
#include "testbench/rtl/rtl_header_generator.h"

namespace {

using toevp::hdrgen::Header;
using toevp::hdrgen::HeaderGeneratorModel;
using toevp::hdrgen::HeaderRequest;
using toevp::hdrgen::HeaderTiming;
using toevp::tb::RtlHeaderGenerator;

void check_same(const HeaderTiming& a, const HeaderTiming& b) {
  REQUIRE(a.accept_cycle == b.accept_cycle);
  REQUIRE(a.first_beat_cycle == b.first_beat_cycle);
  REQUIRE(a.last_beat_cycle == b.last_beat_cycle);
}

}  // namespace

TEST_CASE("RTL transactor and model give the same bytes and timing for the same requests",
          "[rtl]") {
  std::mt19937_64 rng(toevp::hdrgen::test::test_seed(4242));
  const auto reqs = toevp::tb::test::random_requests(rng, 100000, 1460);
  RtlHeaderGenerator rtl;
  HeaderGeneratorModel model;
  for (std::size_t i = 0; i < reqs.size(); ++i) {
    Header hr, hm;
    const HeaderTiming tr = rtl.generate(reqs[i].req, reqs[i].valid_cycle, hr);
    const HeaderTiming tm = model.generate(reqs[i].req, reqs[i].valid_cycle, hm);
    INFO("request " << i << " valid from cycle " << reqs[i].valid_cycle);
    check_same(tr, tm);
    REQUIRE(hr.length == hm.length);
    REQUIRE(hr.bytes == hm.bytes);
    REQUIRE(std::vector<std::uint8_t>(hr.bytes.begin(), hr.bytes.begin() + static_cast<long>(hr.length)) ==
            toevp::hdrgen::test::reference_header(reqs[i].req));
  }
  // Both of the transactor's shortcuts were taken.
  CHECK(rtl.stats().rewinds > 1000);
  CHECK(rtl.stats().cycles_skipped > 1000);
}

TEST_CASE("RTL transactor reports the contract's cycles for a header and a follower", "[rtl]") {
  RtlHeaderGenerator rtl;
  Header h;
  HeaderRequest r;
  r.ts_en = true;
  HeaderTiming t = rtl.generate(r, 100, h);  // idle until 100: skipped
  CHECK(t.accept_cycle == 100);
  CHECK(t.first_beat_cycle == 102);
  CHECK(t.last_beat_cycle == 110);
  CHECK(h.length == 66);
  r.ts_en = false;
  t = rtl.generate(r, 101, h);  // valid while the first is in flight: rewound
  CHECK(t.accept_cycle == 102);
  CHECK(t.first_beat_cycle == 111);
  CHECK(t.last_beat_cycle == 117);
  CHECK(h.length == 54);
  CHECK(rtl.stats().rewinds == 1);
  CHECK(rtl.stats().cycles_skipped == 100);
}

TEST_CASE("RTL transactor writes an FST waveform when asked", "[rtl]") {
  const auto path = std::filesystem::temp_directory_path() / "toevp_rtl_hdrgen_test.fst";
  std::filesystem::remove(path);
  {
    toevp::tb::RtlDriverOptions options;
    options.fst_path = path.string();
    RtlHeaderGenerator rtl(options);
    Header h;
    std::mt19937_64 rng(3);
    for (std::uint64_t v : {0, 0, 3, 40})
      rtl.generate(toevp::hdrgen::test::random_request(rng, 1460), v, h);
  }
  REQUIRE(std::filesystem::exists(path));
  CHECK(std::filesystem::file_size(path) > 200);
  std::filesystem::remove(path);
}

// Not a test: `rtl_transactor_test "[.bench]"` prints headers per wall
// second for the model and the RTL transactor, with the requests spaced as
// in the platform (one per frame) and back to back (every request overlaps).
TEST_CASE("benchmark: model vs RTL transactor headers per wall second", "[.bench]") {
  std::mt19937_64 rng(9);
  std::vector<HeaderRequest> reqs;
  for (int i = 0; i < 4096; ++i) reqs.push_back(toevp::hdrgen::test::random_request(rng, 1460));
  for (std::uint64_t spacing : {30, 0}) {
    for (int which = 0; which < 2; ++which) {
      std::unique_ptr<toevp::hdrgen::HeaderGenerator> g;
      if (which == 0) g = std::make_unique<HeaderGeneratorModel>();
      else g = std::make_unique<RtlHeaderGenerator>();
      const int n = which == 0 ? 2000000 : 200000;
      Header h;
      const auto t0 = std::chrono::steady_clock::now();
      for (int i = 0; i < n; ++i) g->generate(reqs[i & 4095], spacing * i, h);
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::printf("%-5s requests every %2llu cycles: %10.0f headers/s (%.0f ns each)\n", g->name(),
                  static_cast<unsigned long long>(spacing), n / s, 1e9 * s / n);
    }
  }
}
