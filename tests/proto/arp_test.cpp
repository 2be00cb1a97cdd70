// ARP packet parse/emit (RFC 826) for Ethernet/IPv4.
#include <catch2/catch.hpp>

#include <array>

#include "model/proto/arp.h"

using namespace toevp::proto;

namespace {

// "Who has 10.0.0.2? Tell 10.0.0.1" from 02:00:00:00:00:01, as on the wire
// after the Ethernet header, plus two bytes of link padding.
constexpr std::array<std::uint8_t, 30> kRequest = {
    0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,  // Ethernet, IPv4, 6, 4, request
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 10, 0, 0, 1,  // sender
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 10, 0, 0, 2,  // target
    0xEE, 0xEE};

}  // namespace

TEST_CASE("ARP: a request parses into its addresses and emits the same 28 bytes", "[arp]") {
  ArpPacket p;
  REQUIRE(parse_arp(kRequest, p) == ArpError::kNone);
  CHECK(p.op == kArpOpRequest);
  CHECK(p.sender_mac == 0x020000000001ull);
  CHECK(p.sender_ip == 0x0A000001u);
  CHECK(p.target_mac == 0);
  CHECK(p.target_ip == 0x0A000002u);
  std::array<std::uint8_t, kArpPacketBytes> out{};
  emit_arp(p, out);
  CHECK(std::equal(out.begin(), out.end(), kRequest.begin()));
}

TEST_CASE("ARP: short, foreign and mis-sized packets are told apart", "[arp]") {
  ArpPacket p;
  CHECK(parse_arp(std::span(kRequest).first(27), p) == ArpError::kTruncated);
  auto b = kRequest;
  b[1] = 6;  // IEEE 802 hardware type
  CHECK(parse_arp(b, p) == ArpError::kNotIpv4Ether);
  b = kRequest;
  b[2] = 0x86;  // IPv6 protocol type
  b[3] = 0xDD;
  CHECK(parse_arp(b, p) == ArpError::kNotIpv4Ether);
  b = kRequest;
  b[4] = 8;
  CHECK(parse_arp(b, p) == ArpError::kBadLengths);
  b = kRequest;
  b[5] = 16;
  CHECK(parse_arp(b, p) == ArpError::kBadLengths);
  CHECK(std::string(to_string(ArpError::kBadLengths)) == "bad address lengths");
}
