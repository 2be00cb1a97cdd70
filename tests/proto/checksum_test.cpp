// Internet checksum (RFC 1071): hand-computed examples, the incremental
// checksum over pieces of odd length, and a speed benchmark ([.bench]).
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <random>
#include <vector>

#include "model/proto/checksum.h"

using namespace toevp::proto;

namespace {

// Straightforward reference: big-endian 16-bit words, odd byte padded.
std::uint16_t reference_sum(ConstBytes d) {
  std::uint32_t s = 0;
  for (std::size_t i = 0; i < d.size(); i += 2) {
    std::uint32_t w = std::uint32_t{d[i]} << 8;
    if (i + 1 < d.size()) w |= d[i + 1];
    s += w;
    s = (s & 0xFFFF) + (s >> 16);
  }
  return static_cast<std::uint16_t>(s);
}

std::vector<std::uint8_t> random_bytes(std::mt19937& rng, std::size_t n) {
  std::vector<std::uint8_t> v(n);
  for (auto& b : v) b = static_cast<std::uint8_t>(rng());
  return v;
}

}  // namespace

TEST_CASE("ones_sum matches the RFC 1071 section 3 example", "[checksum]") {
  const std::uint8_t d[] = {0x00, 0x01, 0xF2, 0x03, 0xF4, 0xF5, 0xF6, 0xF7};
  // 0001 + f203 + f4f5 + f6f7 = 0x2ddf0 -> fold 0xddf2.
  CHECK(ones_sum(d) == 0xDDF2);
  CHECK(internet_checksum(d) == 0x220D);
}

TEST_CASE("internet_checksum of an IPv4 header computed by hand", "[checksum]") {
  // 45 00 00 73 00 00 40 00 40 11 [00 00] c0 a8 00 01 c0 a8 00 c7
  // words sum to 0x2479c -> 0x479e -> checksum 0xb861.
  std::uint8_t h[] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                      0x00, 0x00, 0xC0, 0xA8, 0x00, 0x01, 0xC0, 0xA8, 0x00, 0xC7};
  CHECK(ones_sum(h) == 0x479E);
  CHECK(internet_checksum(h) == 0xB861);
  h[10] = 0xB8;
  h[11] = 0x61;
  CHECK(ones_sum(h) == 0xFFFF);  // a correct header verifies to all ones
  CHECK(internet_checksum(h) == 0x0000);
}

TEST_CASE("an odd trailing byte is padded with zero", "[checksum]") {
  const std::uint8_t d[] = {0x12, 0x34, 0x56};
  CHECK(ones_sum(d) == 0x1234 + 0x5600);
  const std::uint8_t one[] = {0xAB};
  CHECK(ones_sum(one) == 0xAB00);
  CHECK(ones_sum(ConstBytes{}) == 0);
  CHECK(internet_checksum(ConstBytes{}) == 0xFFFF);
}

TEST_CASE("a sum folding to 0xFFFF gives checksum 0x0000", "[checksum]") {
  const std::uint8_t d[] = {0x12, 0x34, 0xED, 0xCB};
  CHECK(ones_sum(d) == 0xFFFF);
  CHECK(internet_checksum(d) == 0x0000);
  InternetChecksum c;
  c.add(d);
  CHECK(c.folded() == 0xFFFF);
  CHECK(c.checksum() == 0x0000);
}

TEST_CASE("end-around carry in ones_add", "[checksum]") {
  CHECK(ones_add(0xFFFF, 0x0001) == 0x0001);
  CHECK(ones_add(0x8000, 0x8000) == 0x0001);
  CHECK(ones_add(0x1234, 0x0001) == 0x1235);
  CHECK(ones_add(0xFFFF, 0x0000) == 0xFFFF);
  CHECK(ones_add(0xFFFF, 0xFFFF) == 0xFFFF);
}

TEST_CASE("ones_sum equals the reference at every length and alignment", "[checksum]") {
  const unsigned seed = 1071;
  INFO("seed " << seed);
  std::mt19937 rng(seed);
  auto buf = random_bytes(rng, 4096 + 8);
  for (std::size_t start = 0; start < 8; ++start) {
    for (std::size_t len = 0; len <= 300; ++len) {
      ConstBytes d(buf.data() + start, len);
      INFO("start " << start << " len " << len);
      REQUIRE(ones_sum(d) == reference_sum(d));
    }
  }
  // All-0xFF data exercises the carries of the 64-bit accumulator.
  std::vector<std::uint8_t> ff(4096, 0xFF);
  CHECK(ones_sum(ff) == 0xFFFF);
  CHECK(ones_sum(ConstBytes(buf.data(), 4096)) == reference_sum(ConstBytes(buf.data(), 4096)));
}

TEST_CASE("pieces of odd length sum to the one-piece sum", "[checksum]") {
  const unsigned seed = 793;
  INFO("seed " << seed);
  std::mt19937 rng(seed);
  for (int trial = 0; trial < 200; ++trial) {
    auto data = random_bytes(rng, 1 + rng() % 1500);
    InternetChecksum c;
    std::size_t pos = 0;
    while (pos < data.size()) {
      std::size_t n = std::min<std::size_t>(data.size() - pos, rng() % 17);
      c.add(ConstBytes(data.data() + pos, n));
      pos += n;
    }
    INFO("trial " << trial << " size " << data.size());
    REQUIRE(c.folded() == ones_sum(data));
    REQUIRE(c.checksum() == internet_checksum(data));
    REQUIRE(c.odd() == (data.size() % 2 == 1));
  }
}

TEST_CASE("three one-byte pieces equal the three-byte piece", "[checksum]") {
  const std::uint8_t d[] = {0x01, 0x02, 0x03};
  InternetChecksum c;
  c.add(ConstBytes(d, 1));
  c.add(ConstBytes(d + 1, 1));
  c.add(ConstBytes(d + 2, 1));
  CHECK(c.folded() == 0x0102 + 0x0300);
}

TEST_CASE("add_u16 and add_u32 append network-order bytes", "[checksum]") {
  const std::uint8_t d[] = {0x01, 0xAB, 0xCD, 0x12, 0x34, 0x56, 0x78};
  InternetChecksum c;
  c.add(ConstBytes(d, 1));  // odd position from here on
  c.add_u16(0xABCD);
  c.add_u32(0x12345678);
  CHECK(c.folded() == ones_sum(d));
  CHECK(c.odd());
}

TEST_CASE("TCP pseudo-header sum by hand", "[checksum]") {
  // 192.168.0.1 -> 192.168.0.199, length 40:
  // c0a8 + 0001 + c0a8 + 00c7 + 0006 + 0028 = 0x18246 (0xc0a8 * 2 = 0x18150)
  std::uint32_t s = tcp_pseudo_header_sum(0xC0A80001, 0xC0A800C7, 40);
  CHECK(s == 0x18246u);
  InternetChecksum a, b;
  a.add_u32(s);
  b.add_partial(s);
  CHECK(a.folded() == 0x8247);
  CHECK(b.folded() == 0x8247);
  // Same as summing the 12 pseudo-header bytes themselves.
  const std::uint8_t ph[] = {0xC0, 0xA8, 0x00, 0x01, 0xC0, 0xA8, 0x00, 0xC7, 0x00, 0x06, 0x00, 0x28};
  CHECK(ones_sum(ph) == 0x8247);
}

TEST_CASE("ones_sum speed over 1460-byte payloads", "[.bench][checksum]") {
  std::mt19937 rng(1460);
  auto data = random_bytes(rng, 1460);
  const int iters = 2'000'000;
  std::uint32_t sink = 0;
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < iters; ++i) {
    data[i % 1460] ^= 1;  // defeat hoisting
    sink += ones_sum(data);
  }
  auto t1 = std::chrono::steady_clock::now();
  double ns = std::chrono::duration<double, std::nano>(t1 - t0).count() / iters;
  std::printf("ones_sum: %.1f ns per 1460 bytes (%.2f GB/s), sink %u\n", ns, 1460 / ns, sink);
  CHECK(ns < 2000);
}
