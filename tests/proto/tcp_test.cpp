// TCP header and option parse/emit (RFC 9293 section 3.1-3.2, RFC 7323).
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "model/proto/tcp.h"

using namespace toevp::proto;
using Vec = std::vector<std::uint8_t>;

namespace {

Vec emit(const TcpHeader& h) {
  Vec out(tcp_header_bytes(h), 0xEE);
  REQUIRE(emit_tcp(h, out) == out.size());
  return out;
}

Vec options_of(const TcpOptions& o) {
  TcpHeader h;
  h.options = o;
  Vec b = emit(h);
  return Vec(b.begin() + 20, b.end());
}

// A 20-byte header with data offset set for `opts`, followed by `opts`.
Vec with_options(const Vec& opts) {
  Vec b(20 + opts.size(), 0);
  b[12] = static_cast<std::uint8_t>((b.size() / 4) << 4);
  std::copy(opts.begin(), opts.end(), b.begin() + 20);
  return b;
}

}  // namespace

TEST_CASE("TCP fixed header fields round-trip through emit and parse", "[tcp]") {
  TcpHeader h;
  h.src_port = 40000;
  h.dst_port = 5001;
  h.seq = Seq(0xFFFFFFFEu);
  h.ack = Seq(0x01020304u);
  h.flags = kTcpAck | kTcpPsh | kTcpFin;
  h.window = 0xFFFF;
  h.checksum = 0xABCD;
  h.urgent = 7;
  Vec b = emit(h);
  REQUIRE(b.size() == 20);
  CHECK(b == Vec{0x9C, 0x40, 0x13, 0x89, 0xFF, 0xFF, 0xFF, 0xFE, 0x01, 0x02,
                 0x03, 0x04, 0x50, 0x19, 0xFF, 0xFF, 0xAB, 0xCD, 0x00, 0x07});
  TcpHeader back;
  REQUIRE(parse_tcp(b, back) == TcpError::kNone);
  CHECK(back == h);
}

TEST_CASE("TCP flag constants are the RFC 9293 bit positions", "[tcp]") {
  CHECK((kTcpFin | kTcpSyn | kTcpRst | kTcpPsh | kTcpAck | kTcpUrg | kTcpEce | kTcpCwr) == 0xFF);
  CHECK(kTcpSyn == 0x02);
  CHECK(kTcpAck == 0x10);
  CHECK(kTcpCwr == 0x80);
}

TEST_CASE("TCP options are emitted in the Linux SYN layout", "[tcp]") {
  TcpOptions o;
  o.mss = 1460;
  o.sack_permitted = true;
  o.timestamps = {{0x01020304, 0}};
  o.wscale = 7;
  CHECK(tcp_options_bytes(o) == 20);
  CHECK(options_of(o) == Vec{2, 4, 0x05, 0xB4, 4, 2, 8, 10, 1, 2, 3, 4, 0, 0, 0, 0, 1, 3, 3, 7});
}

TEST_CASE("TCP timestamps alone are the header generator's 12-byte block", "[tcp]") {
  TcpOptions o;
  o.timestamps = {{0xA1A2A3A4, 0xB1B2B3B4}};
  CHECK(tcp_options_bytes(o) == kTcpTimestampBlockBytes);
  CHECK(options_of(o) == Vec{1, 1, 8, 10, 0xA1, 0xA2, 0xA3, 0xA4, 0xB1, 0xB2, 0xB3, 0xB4});
}

TEST_CASE("TCP option subsets stay 4-byte aligned", "[tcp]") {
  TcpOptions o;
  CHECK(options_of(o).empty());
  o.mss = 536;
  CHECK(options_of(o) == Vec{2, 4, 0x02, 0x18});
  o.wscale = 14;
  CHECK(options_of(o) == Vec{2, 4, 0x02, 0x18, 1, 3, 3, 14});
  o.sack_permitted = true;
  CHECK(options_of(o) == Vec{2, 4, 0x02, 0x18, 1, 1, 4, 2, 1, 3, 3, 14});
  o.mss.reset();
  o.wscale.reset();
  CHECK(options_of(o) == Vec{1, 1, 4, 2});
}

TEST_CASE("TCP options round-trip for every combination", "[tcp]") {
  for (int mask = 0; mask < 16; ++mask) {
    TcpHeader h;
    h.flags = kTcpSyn;
    if (mask & 1) h.options.mss = 8960;
    if (mask & 2) h.options.wscale = 9;
    h.options.sack_permitted = (mask & 4) != 0;
    if (mask & 8) h.options.timestamps = {{123456789u, 987654321u}};
    Vec b = emit(h);
    INFO("mask " << mask);
    CHECK(b.size() % 4 == 0);
    TcpHeader back;
    REQUIRE(parse_tcp(b, back) == TcpError::kNone);
    CHECK(back.options == h.options);
    CHECK(back.header_bytes == b.size());
  }
}

TEST_CASE("TCP option parsing skips unknown kinds and stops at EOL", "[tcp]") {
  TcpHeader h;
  // unknown kind 30 (MPTCP) length 6, SACK with one block, MSS, EOL, junk.
  Vec opts = {30, 6, 1, 2, 3, 4, 5, 10, 0, 0, 0, 1, 0, 0, 0, 2, 2, 4, 0x05, 0xB4, 0, 0xFF, 0xFF, 0xFF};
  REQUIRE(parse_tcp(with_options(opts), h) == TcpError::kNone);
  CHECK(h.options.mss == 1460);
  CHECK_FALSE(h.options.wscale);
  CHECK_FALSE(h.options.timestamps);
  CHECK(h.header_bytes == 44);
}

TEST_CASE("TCP malformed option lengths are errors", "[tcp]") {
  TcpHeader h;
  CHECK(parse_tcp(with_options({30, 0, 1, 1}), h) == TcpError::kBadOptions);  // length 0
  CHECK(parse_tcp(with_options({30, 1, 1, 1}), h) == TcpError::kBadOptions);  // length 1
  CHECK(parse_tcp(with_options({30, 6, 1, 1}), h) == TcpError::kBadOptions);  // past the header
  CHECK(parse_tcp(with_options({1, 1, 1, 2}), h) == TcpError::kBadOptions);   // no length byte
  CHECK(parse_tcp(with_options({2, 3, 5, 1}), h) == TcpError::kBadOptions);   // MSS length 3
  CHECK(parse_tcp(with_options({3, 4, 7, 0}), h) == TcpError::kBadOptions);   // WS length 4
  CHECK(parse_tcp(with_options({4, 3, 0, 1}), h) == TcpError::kBadOptions);   // SACK-perm 3
  CHECK(parse_tcp(with_options({8, 8, 0, 0, 0, 0, 0, 0}), h) == TcpError::kBadOptions);  // TS 8
  CHECK(parse_tcp(with_options({5, 4, 0, 0}), h) == TcpError::kBadOptions);   // SACK not n*8+2
  CHECK(parse_tcp(with_options({1, 1, 1, 1}), h) == TcpError::kNone);         // NOPs only
}

TEST_CASE("TCP data offset must lie within 5 and the segment", "[tcp]") {
  TcpHeader h;
  Vec b(20, 0);
  CHECK(parse_tcp(Vec(19, 0), h) == TcpError::kTruncated);
  b[12] = 0x40;  // 16 bytes
  CHECK(parse_tcp(b, h) == TcpError::kBadDataOffset);
  b[12] = 0x60;  // 24 bytes, only 20 present
  CHECK(parse_tcp(b, h) == TcpError::kBadDataOffset);
  b[12] = 0x50;
  CHECK(parse_tcp(b, h) == TcpError::kNone);
  CHECK(h.header_bytes == 20);
}

TEST_CASE("TCP checksum verifies with the pseudo-header", "[tcp]") {
  TcpHeader h;
  h.src_port = 1;
  h.dst_port = 2;
  h.flags = kTcpAck;
  Vec seg = emit(h);
  seg.push_back(0x41);  // odd payload
  const std::uint16_t c = tcp_checksum(0xC0A80001, 0xC0A80002, seg);
  seg[16] = static_cast<std::uint8_t>(c >> 8);
  seg[17] = static_cast<std::uint8_t>(c);
  CHECK(tcp_checksum_ok(0xC0A80001, 0xC0A80002, seg));
  CHECK_FALSE(tcp_checksum_ok(0xC0A80001, 0xC0A80003, seg));  // pseudo-header counts
  seg.back() ^= 0x80;
  CHECK_FALSE(tcp_checksum_ok(0xC0A80001, 0xC0A80002, seg));
}

TEST_CASE("TCP error names", "[tcp]") {
  CHECK(std::string(to_string(TcpError::kBadOptions)) == "bad options");
  CHECK(std::string(to_string(TcpError::kNone)) == "none");
}
