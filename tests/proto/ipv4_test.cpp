// IPv4 header parse/emit (RFC 791 section 3.1).
#include <catch2/catch.hpp>

#include <vector>

#include "model/proto/ipv4.h"

using namespace toevp::proto;

namespace {
// 45 00 00 3c 1c 46 40 00 40 06 0a 74 0a 00 00 01 0a 00 00 02: the IPv4
// header of a 60-byte SYN, checksum 0x0a74 as tshark verifies it.
std::vector<std::uint8_t> syn_ip_header() {
  return {0x45, 0x00, 0x00, 0x3c, 0x1c, 0x46, 0x40, 0x00, 0x40, 0x06,
          0x0a, 0x74, 0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02};
}
}  // namespace

TEST_CASE("IPv4 parse reads every field of a known header", "[ipv4]") {
  auto b = syn_ip_header();
  b.resize(60);  // the rest of the packet
  Ipv4Header h;
  REQUIRE(parse_ipv4(b, h) == Ipv4Error::kNone);
  CHECK(h.ihl_bytes == 20);
  CHECK(h.tos == 0);
  CHECK(h.total_length == 60);
  CHECK(h.id == 0x1C46);
  CHECK(h.dont_fragment);
  CHECK_FALSE(h.more_fragments);
  CHECK(h.frag_offset == 0);
  CHECK_FALSE(h.is_fragment());
  CHECK(h.ttl == 64);
  CHECK(h.protocol == kIpProtoTcp);
  CHECK(h.checksum == 0x0A74);
  CHECK(h.src == 0x0A000001u);
  CHECK(h.dst == 0x0A000002u);
  CHECK(ipv4_payload(b, h).size() == 40);
}

TEST_CASE("IPv4 emit computes the header checksum and round-trips", "[ipv4]") {
  auto expect = syn_ip_header();
  Ipv4Header h;
  h.total_length = 60;
  h.id = 0x1C46;
  h.src = 0x0A000001;
  h.dst = 0x0A000002;
  std::vector<std::uint8_t> out(20, 0xEE);
  emit_ipv4(h, out);
  CHECK(out == expect);

  h.checksum = 0x0A74;
  std::vector<std::uint8_t> packet = out;
  packet.resize(60);
  Ipv4Header back;
  REQUIRE(parse_ipv4(packet, back) == Ipv4Error::kNone);
  CHECK(back == h);
}

TEST_CASE("IPv4 emit can write a deliberately wrong checksum", "[ipv4]") {
  Ipv4Header h;
  h.total_length = 20;
  h.checksum = 0xBEEF;
  std::vector<std::uint8_t> out(20);
  emit_ipv4(h, out, false);
  CHECK(out[10] == 0xBE);
  CHECK(out[11] == 0xEF);
  Ipv4Header back;
  CHECK(parse_ipv4(out, back) == Ipv4Error::kBadChecksum);
  CHECK(parse_ipv4(out, back, false) == Ipv4Error::kNone);
}

TEST_CASE("IPv4 parse rejects malformed headers with the reason", "[ipv4]") {
  Ipv4Header h;
  auto b = syn_ip_header();
  b.resize(60);
  SECTION("fewer than 20 bytes") {
    CHECK(parse_ipv4(std::span(b).first(19), h) == Ipv4Error::kTruncated);
  }
  SECTION("version 6") {
    b[0] = 0x65;
    CHECK(parse_ipv4(b, h) == Ipv4Error::kBadVersion);
  }
  SECTION("IHL 4") {
    b[0] = 0x44;
    CHECK(parse_ipv4(b, h) == Ipv4Error::kBadHeaderLength);
  }
  SECTION("total length beyond the buffer") {
    CHECK(parse_ipv4(std::span(b).first(59), h) == Ipv4Error::kTruncated);
  }
  SECTION("total length below IHL") {
    b[3] = 19;
    CHECK(parse_ipv4(b, h) == Ipv4Error::kBadTotalLength);
  }
  SECTION("one flipped bit breaks the checksum") {
    b[8] ^= 0x01;
    CHECK(parse_ipv4(b, h) == Ipv4Error::kBadChecksum);
  }
  SECTION("bytes after total_length (link padding) are accepted") {
    b.resize(80, 0);
    CHECK(parse_ipv4(b, h) == Ipv4Error::kNone);
    CHECK(ipv4_payload(b, h).size() == 40);
  }
}

TEST_CASE("IPv4 parse reports fragments and skips header options", "[ipv4]") {
  Ipv4Header h;
  h.ihl_bytes = 24;  // one word of options (zero = End of Option List)
  h.total_length = 100;
  h.dont_fragment = false;
  h.more_fragments = true;
  h.frag_offset = 185;  // 1480 bytes
  std::vector<std::uint8_t> b(100);
  emit_ipv4(h, b);
  CHECK(b[0] == 0x46);
  CHECK(b[6] == 0x20);
  CHECK(b[7] == 185);
  Ipv4Header back;
  REQUIRE(parse_ipv4(b, back) == Ipv4Error::kNone);
  CHECK(back.is_fragment());
  CHECK(back.more_fragments);
  CHECK(back.frag_offset == 185);
  CHECK(back.ihl_bytes == 24);
  CHECK(ipv4_payload(b, back).size() == 76);

  h.more_fragments = false;  // the last fragment is still a fragment
  emit_ipv4(h, b);
  REQUIRE(parse_ipv4(b, back) == Ipv4Error::kNone);
  CHECK(back.is_fragment());
}
