// MacSerializer: frame wire size, cycle alignment and the deficit idle count
// that keeps back-to-back frames at exactly line rate.
#include <catch2/catch.hpp>

#include "model/link/mac_serializer.h"

using toevp::link::MacSerializer;
using toevp::link::wire_bytes;

TEST_CASE("Wire bytes add preamble and FCS and pad to the 64-byte minimum", "[mac]") {
  CHECK(wire_bytes(1514) == 8 + 1514 + 4);
  CHECK(wire_bytes(54) == 8 + 64);  // a bare TCP ACK is padded
  CHECK(wire_bytes(60) == 8 + 64);
}

TEST_CASE("100 GbE with 8-byte lanes: 640 ps cycles, frames start on cycle boundaries", "[mac]") {
  MacSerializer m(100'000, 8);
  CHECK(m.cycle_fs() == 640'000);
  const auto t = m.transmit(1514, 1);  // ready 1 fs after 0: starts at the next cycle
  CHECK(t.start_fs == 640'000);
  // 1526 bytes = 190.75 cycles -> ends at the boundary after 191 cycles.
  CHECK(t.end_fs == 640'000 + 191 * 640'000ull);
}

TEST_CASE("Back-to-back frames average exactly a 12-byte gap (deficit idle count)", "[mac]") {
  MacSerializer m(100'000, 8);
  const int n = 4000;
  toevp::link::MacTiming first{}, last{};
  for (int i = 0; i < n; ++i) {
    auto t = m.transmit(1514, 0);
    if (i == 0) first = t;
    last = t;
    CHECK(t.start_fs % 640'000 == 0);
  }
  // n-1 frame periods of 1526 + 12 bytes at 80 ps per byte, within one lane.
  const double period_bytes = double(last.start_fs - first.start_fs) / 80'000.0 / (n - 1);
  CHECK(period_bytes == Approx(1538.0).margin(8.0 / (n - 1)));
}

TEST_CASE("An idle wire does not bank gap credit", "[mac]") {
  MacSerializer m(100'000, 8);
  m.transmit(1514, 0);
  const auto t = m.transmit(1514, 1'000'000'000);  // long after
  CHECK(t.start_fs == 1'000'000'000ull / 640'000 * 640'000 + (1'000'000'000ull % 640'000 ? 640'000 : 0));
}
