// PcieLinkDirection: block times per generation, packing of TLPs into
// blocks, gap filling, and the bandwidth a long run reaches.
#include <catch2/catch.hpp>

#include "model/pcie/pcie_link.h"

using toevp::model::PcieLinkDirection;
using toevp::model::PcieLinkGeometry;

TEST_CASE("PCIe block time and width follow generation and lanes", "[pcie]") {
  CHECK(PcieLinkGeometry::for_link(4, 16).block_fs == 8'125'000);   // 130 UI at 16 GT/s
  CHECK(PcieLinkGeometry::for_link(4, 16).bytes_per_block == 256);
  CHECK(PcieLinkGeometry::for_link(5, 8).block_fs == 4'062'500);
  CHECK(PcieLinkGeometry::for_link(3, 1).block_fs == 16'250'000);
  CHECK(PcieLinkGeometry::for_link(1, 4).block_fs == 4'000'000);    // 10 UI at 2.5 GT/s (8b/10b)
  CHECK(PcieLinkGeometry::for_link(1, 4).bytes_per_block == 4);
  // Gen4 x16 carries 256 bytes per 8.125 ns = 31.5 GB/s before TLP overhead.
  CHECK(PcieLinkGeometry::for_link(4, 16).bytes_per_second() == Approx(31.5077e9).epsilon(1e-4));
}

TEST_CASE("A TLP on an idle link starts on the next block boundary and ends with its last block", "[pcie]") {
  PcieLinkDirection d(PcieLinkGeometry::for_link(4, 16));
  // Ready at 1 fs: starts at block 1 (8.125 ns), 28 bytes fit in it.
  CHECK(d.place(0, 1, 28) == 2 * 8'125'000ull);
  // Ready exactly on a boundary: starts there.
  PcieLinkDirection e(PcieLinkGeometry::for_link(4, 16));
  CHECK(e.place(0, 8'125'000, 280) == 3 * 8'125'000ull);  // 280 bytes span blocks 1 and 2
}

TEST_CASE("TLPs pack back to back into blocks", "[pcie]") {
  PcieLinkDirection d(PcieLinkGeometry::for_link(4, 16));
  CHECK(d.place(0, 0, 200) == 8'125'000ull);      // bytes 0..199 of block 0
  CHECK(d.place(0, 0, 100) == 2 * 8'125'000ull);  // bytes 200..299: ends in block 1
  CHECK(d.place(0, 0, 212) == 2 * 8'125'000ull);  // bytes 300..511: fills block 1
  CHECK(d.bytes_sent() == 512);
  CHECK(d.tlps() == 3);
}

TEST_CASE("A TLP ready now fills the gap before a booking made for later", "[pcie]") {
  PcieLinkDirection d(PcieLinkGeometry::for_link(4, 16));
  // A completion booked for block 10.
  CHECK(d.place(0, 10 * 8'125'000ull, 100) == 11 * 8'125'000ull);
  // A request ready at 0 does not wait behind it.
  CHECK(d.place(0, 0, 24) == 8'125'000ull);
  // A TLP too large for the remaining gap before block 10 goes after the booking.
  CHECK(d.place(0, 9 * 8'125'000ull, 300) == 12 * 8'125'000ull);  // starts at byte 2660 (10*256+100)
}

TEST_CASE("Back-to-back 256-byte completions reach payload bandwidth 256/280 of the raw link", "[pcie]") {
  PcieLinkDirection d(PcieLinkGeometry::for_link(4, 16));
  std::uint64_t last = 0;
  const int n = 10'000;
  for (int i = 0; i < n; ++i) last = d.place(0, 0, 256 + 24);
  const double seconds = double(last) * 1e-15;
  const double payload_rate = n * 256.0 / seconds;
  CHECK(payload_rate == Approx(31.5077e9 * 256.0 / 280.0).epsilon(1e-3));
}
