// PCB/TCB slot encode/decode against the layout of model/abi/abi.h.
#include <catch2/catch.hpp>

#include <array>
#include <random>

#include "model/proto/tcb.h"

using namespace toevp::proto;
namespace abi = toevp::abi;

namespace {
Tcb sample_tcb() {
  Tcb t;
  t.state = abi::kTcbEstablished;
  t.flags = abi::kTcbFlagTimestamps | abi::kTcbFlagSackOk;
  t.snd_wscale = 7;
  t.rcv_wscale = 9;
  t.mss = 1460;
  t.local_port = 0x1389;
  t.remote_port = 0x9C40;
  t.ttl = 64;
  t.tos = 0;
  t.local_mac = 0x021122334455;
  t.remote_mac = 0x02AABBCCDDEE;
  t.local_ip = 0xC0A80001;
  t.remote_ip = 0xC0A80002;
  t.snd_una = Seq(0xFFFFFFF0u);
  t.snd_nxt = Seq(0x00000010u);
  t.snd_wnd = 0x00300000;
  t.rcv_nxt = Seq(0x89ABCDEFu);
  t.rcv_wnd = 65535;
  t.cwnd = 14600;
  t.ssthresh = 0xFFFFFFFFu;
  t.srtt_ns = 4000;
  t.rttvar_ns = 2000;
  t.rto_ns = 200'000'000;
  t.ts_recent = 0x11223344;
  t.ts_offset = 0x55667788;
  t.ip_id = 0xBEEF;
  t.snd_max = Seq(0x00000020u);
  t.msg_unacked = 3;
  t.bytes_unacked = 12000;
  t.nic_reserved[0] = 0xA0;
  t.nic_reserved[31] = 0xAF;
  return t;
}
}  // namespace

TEST_CASE("encode_tcb puts every field at its abi.h offset", "[tcb]") {
  std::array<std::uint8_t, abi::kTcbBytes> b;
  b.fill(0xEE);
  encode_tcb(sample_tcb(), b);
  CHECK(b[0] == abi::kTcbEstablished);
  CHECK(b[1] == 0x03);
  CHECK(b[2] == 7);
  CHECK(b[3] == 9);
  CHECK(b[4] == 0xB4);  // 1460 little-endian
  CHECK(b[5] == 0x05);
  CHECK(b[6] == 0x89);
  CHECK(b[7] == 0x13);
  CHECK(b[8] == 0x40);
  CHECK(b[9] == 0x9C);
  CHECK(b[10] == 64);
  CHECK(b[11] == 0);
  // MACs in wire order: byte 12 is the first on the wire.
  CHECK(b[12] == 0x02);
  CHECK(b[13] == 0x11);
  CHECK(b[17] == 0x55);
  CHECK(b[18] == 0x02);
  CHECK(b[23] == 0xEE);
  CHECK(b[24] == 0x01);  // 192.168.0.1 little-endian
  CHECK(b[27] == 0xC0);
  CHECK(b[32] == 0xF0);  // snd_una
  CHECK(b[35] == 0xFF);
  CHECK(b[36] == 0x10);  // snd_nxt
  CHECK(b[42] == 0x30);  // snd_wnd 0x00300000
  CHECK(b[44] == 0xEF);  // rcv_nxt
  CHECK(b[47] == 0x89);
  CHECK(b[52] == 0x08);  // cwnd 14600 = 0x3908
  CHECK(b[53] == 0x39);
  CHECK(b[56] == 0xFF);
  CHECK(b[60] == 0xA0);  // srtt 4000 = 0xFA0
  CHECK(b[61] == 0x0F);
  CHECK(b[72] == 0x44);
  CHECK(b[76] == 0x88);
  CHECK(b[80] == 0xEF);
  CHECK(b[81] == 0xBE);
  CHECK(b[82] == 0);  // reserved
  CHECK(b[83] == 0);
  CHECK(b[84] == 0x20);
  CHECK(b[88] == 3);
  CHECK(b[92] == 0xE0);  // 12000 = 0x2EE0
  CHECK(b[93] == 0x2E);
  CHECK(b[96] == 0xA0);
  CHECK(b[127] == 0xAF);
}

TEST_CASE("decode_tcb inverts encode_tcb", "[tcb]") {
  std::array<std::uint8_t, abi::kTcbBytes> b{};
  const Tcb t = sample_tcb();
  encode_tcb(t, b);
  const Tcb back = decode_tcb(b);
  CHECK(back == t);
  CHECK(back.timestamps());
  CHECK(back.sack_ok());
  CHECK(back.snd_una < back.snd_nxt);  // across the wrap
}

TEST_CASE("random TCB slot images survive decode and encode", "[tcb]") {
  const unsigned seed = 128;
  INFO("seed " << seed);
  std::mt19937 rng(seed);
  for (int trial = 0; trial < 100; ++trial) {
    std::array<std::uint8_t, abi::kTcbBytes> b{};
    for (auto& x : b) x = static_cast<std::uint8_t>(rng());
    b[82] = b[83] = 0;  // reserved bytes are not kept
    std::array<std::uint8_t, abi::kTcbBytes> again{};
    encode_tcb(decode_tcb(b), again);
    INFO("trial " << trial);
    REQUIRE(again == b);
  }
}

TEST_CASE("an all-zero slot decodes to a free TCB", "[tcb]") {
  std::array<std::uint8_t, abi::kTcbBytes> b{};
  Tcb t = decode_tcb(b);
  CHECK(t == Tcb{});
  CHECK(t.state == abi::kTcbFree);
  CHECK_FALSE(t.timestamps());
}
