// Whole-frame parse and build. The two golden frames were built here and
// checked with tshark (IPv4 and TCP checksums reported [correct], options
// decoded as listed).
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "model/proto/checksum.h"
#include "model/proto/tcp_frame.h"

using namespace toevp::proto;
using Vec = std::vector<std::uint8_t>;

namespace {

// 10.0.0.1:40000 -> 10.0.0.2:5001 SYN, seq 0x12345678, window 64240,
// MSS 1460, SACK-permitted, TSval 1000 TSecr 0, NOP, WS 7. IPv4 checksum
// 0x0a74, TCP checksum 0x1caf (tshark: both [correct]).
const Vec kSynFrame = {
    0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
    0x08, 0x00, 0x45, 0x00, 0x00, 0x3c, 0x1c, 0x46, 0x40, 0x00, 0x40, 0x06,
    0x0a, 0x74, 0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02, 0x9c, 0x40,
    0x13, 0x89, 0x12, 0x34, 0x56, 0x78, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x02,
    0xfa, 0xf0, 0x1c, 0xaf, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02,
    0x08, 0x0a, 0x00, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03,
    0x03, 0x07};

// Same flow, PSH|ACK, ack 0xcafebabe, window 502, NOP NOP TS(1001, 77777),
// payload "hello" (odd length). IPv4 checksum 0x0a77, TCP 0x4af7 (tshark).
const Vec kDataFrame = {
    0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
    0x08, 0x00, 0x45, 0x00, 0x00, 0x39, 0x1c, 0x46, 0x40, 0x00, 0x40, 0x06,
    0x0a, 0x77, 0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02, 0x9c, 0x40,
    0x13, 0x89, 0x12, 0x34, 0x56, 0x78, 0xca, 0xfe, 0xba, 0xbe, 0x80, 0x18,
    0x01, 0xf6, 0x4a, 0xf7, 0x00, 0x00, 0x01, 0x01, 0x08, 0x0a, 0x00, 0x00,
    0x03, 0xe9, 0x00, 0x01, 0x2f, 0xd1, 0x68, 0x65, 0x6c, 0x6c, 0x6f};

TcpFrameFields flow_fields() {
  TcpFrameFields f;
  f.dst_mac = 0x020000000002;
  f.src_mac = 0x020000000001;
  f.src_ip = 0x0A000001;
  f.dst_ip = 0x0A000002;
  f.ip_id = 0x1C46;
  f.src_port = 40000;
  f.dst_port = 5001;
  f.seq = Seq(0x12345678);
  return f;
}

TcpFrameFields syn_fields() {
  TcpFrameFields f = flow_fields();
  f.flags = kTcpSyn;
  f.window = 64240;
  f.options.mss = 1460;
  f.options.sack_permitted = true;
  f.options.timestamps = {{1000, 0}};
  f.options.wscale = 7;
  return f;
}

TcpFrameFields data_fields() {
  TcpFrameFields f = flow_fields();
  f.flags = kTcpAck | kTcpPsh;
  f.ack = Seq(0xCAFEBABE);
  f.window = 502;
  f.options.timestamps = {{1001, 77777}};
  return f;
}

const Vec kHello = {'h', 'e', 'l', 'l', 'o'};

// Rewrites the IPv4 header checksum after a deliberate header change.
void fix_ip_checksum(Vec& frame) {
  frame[24] = frame[25] = 0;
  const std::uint16_t c = internet_checksum(ConstBytes(frame.data() + 14, 20));
  frame[24] = static_cast<std::uint8_t>(c >> 8);
  frame[25] = static_cast<std::uint8_t>(c);
}

// Rewrites the TCP checksum after a deliberate segment change.
void fix_tcp_checksum(Vec& frame) {
  const std::size_t total = (frame[16] << 8) | frame[17];
  Bytes seg(frame.data() + 34, total - 20);
  seg[16] = seg[17] = 0;
  const std::uint16_t c = tcp_checksum(0x0A000001, 0x0A000002, seg);
  seg[16] = static_cast<std::uint8_t>(c >> 8);
  seg[17] = static_cast<std::uint8_t>(c);
}

}  // namespace

TEST_CASE("build_tcp_frame reproduces a tshark-verified SYN byte for byte", "[tcp_frame]") {
  Vec out;
  build_tcp_frame(syn_fields(), {}, out);
  CHECK(out == kSynFrame);
}

TEST_CASE("build_tcp_frame reproduces a tshark-verified data segment", "[tcp_frame]") {
  Vec out = {1, 2, 3};  // replaced, not appended to
  build_tcp_frame(data_fields(), kHello, out);
  CHECK(out == kDataFrame);
}

TEST_CASE("parse_tcp_frame reads every field of the SYN", "[tcp_frame]") {
  TcpFrameView v;
  REQUIRE(parse_tcp_frame(kSynFrame, v) == FrameError::kNone);
  CHECK(v.eth.dst == 0x020000000002ull);
  CHECK(v.eth.src == 0x020000000001ull);
  CHECK(v.eth.ethertype == kEtherTypeIpv4);
  CHECK(v.ip.total_length == 60);
  CHECK(v.ip.id == 0x1C46);
  CHECK(v.ip.dont_fragment);
  CHECK(v.ip.ttl == 64);
  CHECK(v.ip.checksum == 0x0A74);
  CHECK(v.tcp.src_port == 40000);
  CHECK(v.tcp.dst_port == 5001);
  CHECK(v.tcp.seq == Seq(0x12345678));
  CHECK(v.tcp.flags == kTcpSyn);
  CHECK(v.tcp.window == 64240);
  CHECK(v.tcp.checksum == 0x1CAF);
  CHECK(v.tcp.header_bytes == 40);
  CHECK(v.tcp.options.mss == 1460);
  CHECK(v.tcp.options.sack_permitted);
  CHECK(v.tcp.options.wscale == 7);
  CHECK(v.tcp.options.timestamps == std::pair<std::uint32_t, std::uint32_t>{1000, 0});
  CHECK(v.payload.empty());
}

TEST_CASE("parse_tcp_frame ignores Ethernet padding after the IP total length", "[tcp_frame]") {
  TcpFrameFields f = flow_fields();
  f.flags = kTcpAck;
  f.ack = Seq(0xCAFEBABE);
  const Vec one = {0x7A};
  Vec padded;
  build_tcp_frame(f, one, padded);
  REQUIRE(padded.size() == 55);  // not padded by the builder
  padded.resize(60, 0xA5);       // MAC padding to the 60-byte minimum (no FCS)
  TcpFrameView v;
  REQUIRE(parse_tcp_frame(padded, v) == FrameError::kNone);
  CHECK(v.ip.total_length == 41);
  REQUIRE(v.payload.size() == 1);
  CHECK(v.payload[0] == 0x7A);
  CHECK(v.payload.data() == padded.data() + 54);  // a view into the frame
  CHECK(v.tcp.ack == Seq(0xCAFEBABE));
}

TEST_CASE("parse_tcp_frame returns the payload of the data segment", "[tcp_frame]") {
  TcpFrameView v;
  REQUIRE(parse_tcp_frame(kDataFrame, v) == FrameError::kNone);
  CHECK(Vec(v.payload.begin(), v.payload.end()) == kHello);
  CHECK(v.tcp.header_bytes == 32);
  CHECK(v.tcp.options.timestamps == std::pair<std::uint32_t, std::uint32_t>{1001, 77777});
}

TEST_CASE("every FrameError is reachable", "[tcp_frame]") {
  TcpFrameView v;
  Vec f = kDataFrame;
  SECTION("kTruncated: no full Ethernet header") {
    CHECK(parse_tcp_frame(ConstBytes(f.data(), 13), v) == FrameError::kTruncated);
  }
  SECTION("kTruncated: frame shorter than the IPv4 total length") {
    f.pop_back();
    CHECK(parse_tcp_frame(f, v) == FrameError::kTruncated);
  }
  SECTION("kTruncated: TCP segment shorter than 20 bytes") {
    f[16] = 0;
    f[17] = 20 + 19;
    fix_ip_checksum(f);
    CHECK(parse_tcp_frame(f, v) == FrameError::kTruncated);
  }
  SECTION("kNotIpv4: ARP") {
    f[12] = 0x08;
    f[13] = 0x06;
    CHECK(parse_tcp_frame(f, v) == FrameError::kNotIpv4);
  }
  SECTION("kBadIpHeader: version 6 under EtherType IPv4") {
    f[14] = 0x65;
    CHECK(parse_tcp_frame(f, v) == FrameError::kBadIpHeader);
  }
  SECTION("kBadIpChecksum") {
    f[22] = 63;  // TTL changed, checksum not updated
    CHECK(parse_tcp_frame(f, v) == FrameError::kBadIpChecksum);
    CHECK(parse_tcp_frame(f, v, false) == FrameError::kNone);
  }
  SECTION("kFragment: more fragments") {
    f[20] = 0x20;
    fix_ip_checksum(f);
    CHECK(parse_tcp_frame(f, v) == FrameError::kFragment);
  }
  SECTION("kFragment: non-zero offset") {
    f[21] = 0x01;
    fix_ip_checksum(f);
    CHECK(parse_tcp_frame(f, v) == FrameError::kFragment);
  }
  SECTION("kNotTcp: UDP") {
    f[23] = 17;
    fix_ip_checksum(f);
    CHECK(parse_tcp_frame(f, v) == FrameError::kNotTcp);
  }
  SECTION("kBadTcpHeader: data offset beyond the segment") {
    f[46] = 0xF0;
    fix_tcp_checksum(f);
    CHECK(parse_tcp_frame(f, v) == FrameError::kBadTcpHeader);
  }
  SECTION("kBadTcpChecksum: one payload bit flipped") {
    f.back() ^= 0x01;
    CHECK(parse_tcp_frame(f, v) == FrameError::kBadTcpChecksum);
    CHECK(parse_tcp_frame(f, v, false) == FrameError::kNone);
  }
  SECTION("kBadOptions: timestamps option with length 9") {
    f[57] = 9;
    fix_tcp_checksum(f);
    CHECK(parse_tcp_frame(f, v) == FrameError::kBadOptions);
  }
}

TEST_CASE("FrameError names", "[tcp_frame]") {
  CHECK(std::string(to_string(FrameError::kNone)) == "none");
  CHECK(std::string(to_string(FrameError::kBadTcpChecksum)) == "bad TCP checksum");
  CHECK(std::string(to_string(FrameError::kFragment)) == "IPv4 fragment");
}

TEST_CASE("random frames round-trip through build and parse", "[tcp_frame]") {
  const unsigned seed = 9293;
  INFO("seed " << seed);
  std::mt19937 rng(seed);
  for (int trial = 0; trial < 300; ++trial) {
    TcpFrameFields f;
    f.dst_mac = (std::uint64_t{rng()} << 16 ^ rng()) & 0xFFFFFFFFFFFFull;
    f.src_mac = (std::uint64_t{rng()} << 16 ^ rng()) & 0xFFFFFFFFFFFFull;
    f.src_ip = rng();
    f.dst_ip = rng();
    f.ip_id = static_cast<std::uint16_t>(rng());
    f.ttl = static_cast<std::uint8_t>(1 + rng() % 255);
    f.src_port = static_cast<std::uint16_t>(rng());
    f.dst_port = static_cast<std::uint16_t>(rng());
    f.seq = Seq(rng());
    f.ack = Seq(rng());
    f.flags = static_cast<std::uint8_t>(rng());
    f.window = static_cast<std::uint16_t>(rng());
    if (rng() % 2) f.options.timestamps = {{rng(), rng()}};
    if (rng() % 4 == 0) f.options.mss = static_cast<std::uint16_t>(rng());
    Vec payload(rng() % 1600);
    for (auto& b : payload) b = static_cast<std::uint8_t>(rng());
    Vec frame;
    build_tcp_frame(f, payload, frame);
    TcpFrameView v;
    INFO("trial " << trial << " payload " << payload.size());
    REQUIRE(parse_tcp_frame(frame, v) == FrameError::kNone);
    CHECK(v.eth.dst == f.dst_mac);
    CHECK(v.eth.src == f.src_mac);
    CHECK(v.ip.src == f.src_ip);
    CHECK(v.ip.dst == f.dst_ip);
    CHECK(v.ip.id == f.ip_id);
    CHECK(v.ip.ttl == f.ttl);
    CHECK(v.tcp.seq == f.seq);
    CHECK(v.tcp.ack == f.ack);
    CHECK(v.tcp.flags == f.flags);
    CHECK(v.tcp.window == f.window);
    CHECK(v.tcp.options == f.options);
    CHECK(Vec(v.payload.begin(), v.payload.end()) == payload);
  }
}
