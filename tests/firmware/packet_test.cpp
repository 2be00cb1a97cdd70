// The firmware's handshake packet code: exact bytes of SYN and ACK frames,
// both checksums verified with an independent byte loop, and the parser's
// acceptance rules.
#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "firmware/packet.h"

using namespace toevp;
using namespace toevp::fw;

namespace {

// Independent of firmware/packet.cpp: 64-bit accumulator, fold at the end.
// Returns the folded sum; a correct header or segment sums to 0xFFFF.
std::uint16_t ones_sum(const std::vector<std::uint8_t>& bytes) {
  std::uint64_t acc = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) acc += (i % 2 == 0) ? bytes[i] * 256ull : bytes[i];
  while (acc >> 16) acc = (acc & 0xFFFF) + (acc >> 16);
  return static_cast<std::uint16_t>(acc);
}

std::vector<std::uint8_t> slice(const std::vector<std::uint8_t>& v, std::size_t off, std::size_t len) {
  return {v.begin() + static_cast<long>(off), v.begin() + static_cast<long>(off + len)};
}

// Pseudo-header + TCP segment, as RFC 9293 section 3.1 sums it.
std::vector<std::uint8_t> tcp_with_pseudo(const std::vector<std::uint8_t>& frame) {
  const std::size_t tcp_len = frame.size() - 34;
  std::vector<std::uint8_t> v;
  for (std::size_t i = 26; i < 34; ++i) v.push_back(frame[i]);  // src and dst IP
  v.push_back(0);
  v.push_back(6);
  v.push_back(static_cast<std::uint8_t>(tcp_len >> 8));
  v.push_back(static_cast<std::uint8_t>(tcp_len));
  for (std::size_t i = 34; i < frame.size(); ++i) v.push_back(frame[i]);
  return v;
}

TcpFrame syn_fields() {
  TcpFrame f;
  f.dst_mac = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};
  f.src_mac = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
  f.src_ip = 0x0A000001;
  f.dst_ip = 0x0A000002;
  f.ip_id = 0x1234;
  f.ttl = 64;
  f.src_port = 40000;
  f.dst_port = 5001;
  f.seq = 0xDEADBEEF;
  f.flags = tcp_flag::kSyn;
  f.window = 65535;
  f.options.mss = 1460;
  f.options.wscale = 7;
  f.options.sack_permitted = true;
  f.options.timestamps = true;
  f.options.tsval = 0x01020304;
  return f;
}

}  // namespace

TEST_CASE("a SYN with all options is 74 bytes with the documented header fields") {
  const auto fr = build_tcp_frame(syn_fields());
  REQUIRE(fr.size() == 74);
  CHECK(slice(fr, 0, 14) == std::vector<std::uint8_t>{2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00});
  CHECK(fr[14] == 0x45);
  CHECK(fr[15] == 0x00);
  CHECK((fr[16] == 0 && fr[17] == 60));        // total length
  CHECK((fr[18] == 0x12 && fr[19] == 0x34));   // ID
  CHECK((fr[20] == 0x40 && fr[21] == 0x00));   // DF
  CHECK(fr[22] == 64);
  CHECK(fr[23] == 6);
  CHECK(slice(fr, 26, 8) == std::vector<std::uint8_t>{10, 0, 0, 1, 10, 0, 0, 2});
  CHECK((fr[34] == 0x9C && fr[35] == 0x40));   // 40000
  CHECK((fr[36] == 0x13 && fr[37] == 0x89));   // 5001
  CHECK(slice(fr, 38, 4) == std::vector<std::uint8_t>{0xDE, 0xAD, 0xBE, 0xEF});
  CHECK(fr[46] == 0xA0);                       // data offset 10 words
  CHECK(fr[47] == 0x02);                       // SYN
  CHECK((fr[48] == 0xFF && fr[49] == 0xFF));
  CHECK((fr[52] == 0 && fr[53] == 0));         // urgent pointer
  // MSS 1460, SACK-permitted, timestamps (0x01020304, 0), NOP, window scale 7.
  CHECK(slice(fr, 54, 20) == std::vector<std::uint8_t>{2, 4, 0x05, 0xB4, 4, 2, 8, 10, 1, 2, 3, 4,
                                                       0, 0, 0, 0, 1, 3, 3, 7});
}

TEST_CASE("IPv4 and TCP checksums of built frames verify with an independent loop") {
  for (bool ts : {true, false}) {
    for (int ws : {-1, 0, 14}) {
      TcpFrame f = syn_fields();
      f.options.timestamps = ts;
      f.options.wscale = ws;
      const auto fr = build_tcp_frame(f);
      INFO("timestamps " << ts << " wscale " << ws);
      CHECK(ones_sum(slice(fr, 14, 20)) == 0xFFFF);
      CHECK(ones_sum(tcp_with_pseudo(fr)) == 0xFFFF);
      CHECK((fr.size() - 54) % 4 == 0);
      CHECK(static_cast<std::size_t>(fr[46] >> 4) * 4 == fr.size() - 34);
    }
  }
}

TEST_CASE("the IPv4 checksum has the known value for a fixed header") {
  const auto fr = build_tcp_frame(syn_fields());
  // Words: 4500 003c 1234 4000 4006 0000 0a00 0001 0a00 0002 sum to 0xeb79,
  // whose complement is 0x1486.
  CHECK((fr[24] == 0x14 && fr[25] == 0x86));
}

TEST_CASE("a SYN without timestamps pads SACK-permitted and window scale with NOPs") {
  TcpFrame f = syn_fields();
  f.options.timestamps = false;
  const auto fr = build_tcp_frame(f);
  REQUIRE(fr.size() == 66);
  CHECK(fr[46] == 0x80);
  CHECK(slice(fr, 54, 12) == std::vector<std::uint8_t>{2, 4, 0x05, 0xB4, 1, 1, 4, 2, 1, 3, 3, 7});
}

TEST_CASE("the final ACK carries only NOP NOP timestamps") {
  TcpFrame f = syn_fields();
  f.flags = tcp_flag::kAck;
  f.ack = 0x11223345;
  f.options = {};
  f.options.timestamps = true;
  f.options.tsval = 5;
  f.options.tsecr = 0xAABBCCDD;
  const auto fr = build_tcp_frame(f);
  REQUIRE(fr.size() == 66);
  CHECK(fr[47] == 0x10);
  CHECK(slice(fr, 54, 12) == std::vector<std::uint8_t>{1, 1, 8, 10, 0, 0, 0, 5, 0xAA, 0xBB, 0xCC, 0xDD});
  CHECK(ones_sum(tcp_with_pseudo(fr)) == 0xFFFF);
}

TEST_CASE("parse returns every field of a built frame") {
  const auto fr = build_tcp_frame(syn_fields());
  const auto p = parse_tcp_frame(fr);
  REQUIRE(p.has_value());
  CHECK(p->src_mac == syn_fields().src_mac);
  CHECK(p->dst_mac == syn_fields().dst_mac);
  CHECK(p->src_ip == 0x0A000001u);
  CHECK(p->dst_ip == 0x0A000002u);
  CHECK(p->ip_id == 0x1234);
  CHECK(p->src_port == 40000);
  CHECK(p->dst_port == 5001);
  CHECK(p->seq == 0xDEADBEEFu);
  CHECK(p->flags == tcp_flag::kSyn);
  CHECK(p->window == 65535);
  CHECK(p->options.mss == 1460);
  CHECK(p->options.wscale == 7);
  CHECK(p->options.sack_permitted);
  CHECK(p->options.timestamps);
  CHECK(p->options.tsval == 0x01020304u);
  CHECK(p->payload_bytes == 0);
}

TEST_CASE("parse ignores Ethernet padding after the IPv4 total length") {
  TcpFrame f = syn_fields();
  f.options = {};
  f.flags = tcp_flag::kAck;
  auto fr = build_tcp_frame(f);
  REQUIRE(fr.size() == 54);
  fr.resize(60, 0);
  const auto p = parse_tcp_frame(fr);
  REQUIRE(p.has_value());
  CHECK(p->payload_bytes == 0);
}

TEST_CASE("parse rejects bad checksums and frames that are not unfragmented IPv4 TCP") {
  const auto good = build_tcp_frame(syn_fields());
  auto bad_tcp = good;
  bad_tcp[40] ^= 0x01;
  CHECK_FALSE(parse_tcp_frame(bad_tcp).has_value());
  auto bad_ip = good;
  bad_ip[22] = 63;  // TTL changed, checksum not updated
  CHECK_FALSE(parse_tcp_frame(bad_ip).has_value());
  auto arp = good;
  arp[12] = 0x08;
  arp[13] = 0x06;
  CHECK_FALSE(parse_tcp_frame(arp).has_value());
  auto truncated = good;
  truncated.resize(60);
  CHECK_FALSE(parse_tcp_frame(truncated).has_value());
  auto fragment = good;
  fragment[20] = 0x20;  // MF, and fix the IP checksum so only the flag is wrong
  fragment[24] = fragment[25] = 0;
  const std::uint16_t c = static_cast<std::uint16_t>(~ones_sum(slice(fragment, 14, 20)));
  fragment[24] = static_cast<std::uint8_t>(c >> 8);
  fragment[25] = static_cast<std::uint8_t>(c);
  CHECK_FALSE(parse_tcp_frame(fragment).has_value());
}

TEST_CASE("checksum of an odd-length buffer pads the last byte (RFC 1071 example)") {
  // RFC 1071 section 3: 00 01 f2 03 f4 f5 f6 f7 sums to 0xddf2.
  const std::vector<std::uint8_t> v{0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  CHECK(checksum_add(0, v) == 0xDDF2u);
  CHECK(checksum_finish(checksum_add(0, v)) == 0x220D);
  const std::vector<std::uint8_t> odd{0x01, 0x02, 0x03};
  CHECK(checksum_add(0, odd) == 0x0402u);  // 0x0102 + 0x0300
}
