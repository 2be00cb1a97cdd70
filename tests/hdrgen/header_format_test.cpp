// Header bytes of the header generator's C++ model (model/hdrgen/
// header_format.h): a known answer checked by tshark, agreement with the
// independent reference builder over random requests, and the checksum and
// length corner cases named in the RTL contract (DESIGN.md).
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <random>
#include <vector>

#include "model/hdrgen/header_format.h"
#include "tests/hdrgen/random_request.h"
#include "tests/hdrgen/reference_header.h"

namespace {

using toevp::hdrgen::build_header;
using toevp::hdrgen::Header;
using toevp::hdrgen::HeaderRequest;
using toevp::hdrgen::test::reference_header;

std::vector<std::uint8_t> bytes_of(const HeaderRequest& r) {
  Header h;
  build_header(r, h);
  return {h.bytes.begin(), h.bytes.begin() + static_cast<long>(h.length)};
}

std::uint16_t be16_at(const std::vector<std::uint8_t>& b, std::size_t off) {
  return static_cast<std::uint16_t>(b[off] << 8 | b[off + 1]);
}

constexpr std::size_t kIpCsum = 24;    // IPv4 header checksum field
constexpr std::size_t kIpLen = 16;     // IPv4 total length field
constexpr std::size_t kTcpCsum = 50;   // TCP checksum field

// 13 payload bytes 'A'..'M'; 192.168.0.1:49152 -> 192.168.0.2:5001, PSH|ACK.
HeaderRequest known_request(bool ts) {
  HeaderRequest r;
  r.dst_mac = 0x020000000002;
  r.src_mac = 0x020000000001;
  r.src_ip = 0xC0A80001;
  r.dst_ip = 0xC0A80002;
  r.ip_id = 0x1234;
  r.ttl = 64;
  r.src_port = 49152;
  r.dst_port = 5001;
  r.seq = 0x01020304;
  r.ack = 0xA0B0C0D0;
  r.flags = 0x18;
  r.window = 0x0200;
  r.payload_len = 13;
  r.payload_csum = 0xF2AB;  // folded sum of "ABCDEFGHIJKLM", zero-padded
  r.ts_en = ts;
  r.tsval = 0x11223344;
  r.tsecr = 0x55667788;
  return r;
}

}  // namespace

// The expected bytes were written to a pcap with the payload and tshark
// reported both checksums "[correct]" and the options as NOP, NOP, Timestamps.
TEST_CASE("header bytes match a tshark-verified frame without options", "[hdrgen]") {
  const std::vector<std::uint8_t> expected = {
      0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00,
      0x45, 0x00, 0x00, 0x35, 0x12, 0x34, 0x40, 0x00, 0x40, 0x06, 0xa7, 0x3b, 0xc0, 0xa8,
      0x00, 0x01, 0xc0, 0xa8, 0x00, 0x02, 0xc0, 0x00, 0x13, 0x89, 0x01, 0x02, 0x03, 0x04,
      0xa0, 0xb0, 0xc0, 0xd0, 0x50, 0x18, 0x02, 0x00, 0x00, 0xaf, 0x00, 0x00};
  CHECK(bytes_of(known_request(false)) == expected);
}

TEST_CASE("header bytes match a tshark-verified frame with timestamps", "[hdrgen]") {
  const std::vector<std::uint8_t> expected = {
      0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00,
      0x45, 0x00, 0x00, 0x41, 0x12, 0x34, 0x40, 0x00, 0x40, 0x06, 0xa7, 0x2f, 0xc0, 0xa8,
      0x00, 0x01, 0xc0, 0xa8, 0x00, 0x02, 0xc0, 0x00, 0x13, 0x89, 0x01, 0x02, 0x03, 0x04,
      0xa0, 0xb0, 0xc0, 0xd0, 0x80, 0x18, 0x02, 0x00, 0xb6, 0x42, 0x00, 0x00, 0x01, 0x01,
      0x08, 0x0a, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};
  CHECK(bytes_of(known_request(true)) == expected);
}

TEST_CASE("header bytes equal the independent reference for random requests", "[hdrgen]") {
  std::mt19937_64 rng(toevp::hdrgen::test::test_seed(20240601));
  for (int i = 0; i < 200000; ++i) {
    const HeaderRequest r = toevp::hdrgen::test::random_request(rng, i % 2 ? 1460 : 8960);
    Header h;
    build_header(r, h);
    const auto ref = reference_header(r);
    INFO("request " << i);
    REQUIRE(h.length == ref.size());
    REQUIRE(std::equal(ref.begin(), ref.end(), h.bytes.begin()));
    REQUIRE(std::all_of(h.bytes.begin() + static_cast<long>(h.length), h.bytes.end(),
                        [](std::uint8_t b) { return b == 0; }));
  }
}

// RFC 1071: a ones'-complement sum of non-zero data folds to 0xFFFF, never
// 0x0000, so the checksum sent is 0x0000. Choosing the IP ID (or the payload
// sum) as the complement of the rest forces exactly that case.
TEST_CASE("a sum that folds to 0xFFFF gives checksum 0x0000 in IP and TCP", "[hdrgen]") {
  HeaderRequest r = known_request(false);
  r.ip_id = 0;
  r.payload_csum = 0;
  const auto base = bytes_of(r);
  r.ip_id = be16_at(base, kIpCsum);
  r.payload_csum = be16_at(base, kTcpCsum);
  const auto forced = bytes_of(r);
  CHECK(be16_at(forced, kIpCsum) == 0x0000);
  CHECK(be16_at(forced, kTcpCsum) == 0x0000);
  CHECK(forced == reference_header(r));
}

TEST_CASE("payload sums 0x0000 and 0xFFFF (both ones'-complement zero) give one checksum",
          "[hdrgen]") {
  HeaderRequest r = known_request(true);
  r.payload_csum = 0x0000;
  const auto with_zero = bytes_of(r);
  r.payload_csum = 0xFFFF;
  CHECK(bytes_of(r) == with_zero);
}

// Largest valid datagram: total length 0xFFFF, all other fields all-ones, so
// every word of both sums carries. Expected values worked by hand:
// IP sum 0x78400 -> 0x8407 -> ~ = 0x7bf8; TCP sum 0x1189eb -> 0x89fc -> ~ = 0x7603.
TEST_CASE("maximum length with all-ones fields carries through both checksums", "[hdrgen]") {
  HeaderRequest r;
  r.dst_mac = r.src_mac = 0xFFFFFFFFFFFF;
  r.src_ip = r.dst_ip = r.seq = r.ack = r.tsval = r.tsecr = 0xFFFFFFFF;
  r.ip_id = r.src_port = r.dst_port = r.window = r.payload_csum = 0xFFFF;
  r.ttl = r.flags = 0xFF;
  r.ts_en = true;
  r.payload_len = 65535 - 20 - 32;
  const auto b = bytes_of(r);
  CHECK(be16_at(b, kIpLen) == 0xFFFF);
  CHECK(be16_at(b, kIpCsum) == 0x7bf8);
  CHECK(be16_at(b, kTcpCsum) == 0x7603);
  CHECK(b == reference_header(r));

  r.ts_en = false;
  r.payload_len = 65535 - 20 - 20;
  CHECK(be16_at(bytes_of(r), kIpLen) == 0xFFFF);
  CHECK(bytes_of(r) == reference_header(r));
}

// IP ID 0x7BFE makes the IP sum 0x6FFFF, whose first fold 0xFFFF + 6 carries
// (again: 0x0006, checksum 0xFFF9); payload sum 0x7613 makes the TCP sum
// 0x10FFFF (0x1000F, then 0x0010, checksum 0xFFEF).
TEST_CASE("a first checksum fold that carries is folded again", "[hdrgen]") {
  HeaderRequest r;
  r.dst_mac = r.src_mac = 0xFFFFFFFFFFFF;
  r.src_ip = r.dst_ip = r.seq = r.ack = r.tsval = r.tsecr = 0xFFFFFFFF;
  r.src_port = r.dst_port = r.window = 0xFFFF;
  r.ttl = r.flags = 0xFF;
  r.ts_en = true;
  r.payload_len = 65535 - 20 - 32;
  r.ip_id = 0x7BFE;
  r.payload_csum = 0x7613;
  const auto b = bytes_of(r);
  CHECK(be16_at(b, kIpCsum) == 0xFFF9);
  CHECK(be16_at(b, kTcpCsum) == 0xFFEF);
  CHECK(b == reference_header(r));
}

TEST_CASE("a zero-length payload gives total length 40, or 52 with timestamps", "[hdrgen]") {
  HeaderRequest r = known_request(false);
  r.payload_len = 0;
  r.payload_csum = 0;
  CHECK(be16_at(bytes_of(r), kIpLen) == 40);
  CHECK(bytes_of(r) == reference_header(r));
  r.ts_en = true;
  CHECK(be16_at(bytes_of(r), kIpLen) == 52);
  CHECK(bytes_of(r) == reference_header(r));
}

// The receiver's check (RFC 1071 section 1, step 3): summing pseudo-header,
// TCP header with its checksum and the payload folds to 0xFFFF.
TEST_CASE("the segment with its real payload verifies at the receiver", "[hdrgen]") {
  std::mt19937_64 rng(toevp::hdrgen::test::test_seed(7));
  for (int i = 0; i < 2000; ++i) {
    HeaderRequest r = toevp::hdrgen::test::random_request(rng, 1460);
    std::vector<std::uint8_t> payload(r.payload_len);
    for (auto& b : payload) b = static_cast<std::uint8_t>(rng());
    std::uint64_t psum = 0;
    for (std::size_t k = 0; k < payload.size(); ++k) psum += k % 2 ? payload[k] : payload[k] << 8;
    while (psum > 0xFFFF) psum = (psum >> 16) + (psum & 0xFFFF);
    r.payload_csum = static_cast<std::uint16_t>(psum);
    const auto h = bytes_of(r);
    std::uint64_t sum = (r.src_ip >> 16) + (r.src_ip & 0xFFFF) + (r.dst_ip >> 16) +
                        (r.dst_ip & 0xFFFF) + 6 + (h.size() - 34 + payload.size());
    for (std::size_t k = 34; k < h.size(); k += 2) sum += be16_at(h, k);
    sum += psum;
    while (sum > 0xFFFF) sum = (sum >> 16) + (sum & 0xFFFF);
    INFO("request " << i << " payload " << r.payload_len);
    REQUIRE(sum == 0xFFFF);
  }
}
