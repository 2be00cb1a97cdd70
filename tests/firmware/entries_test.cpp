// Byte-level checks of the submission entry, completion entry and PCB
// encodings against the offsets written in model/abi/abi.h's comments (typed
// here as literals on purpose: if abi.h's constants move, these tests say so).
#include <catch2/catch.hpp>

#include <array>
#include <cstdint>

#include "firmware/abi_strings.h"
#include "firmware/entries.h"
#include "firmware/pcb.h"

using namespace toevp;
using namespace toevp::fw;

TEST_CASE("SQE encoding puts every field at its documented little-endian offset") {
  std::array<std::uint8_t, 64> b;
  b.fill(0xEE);
  encode_sqe(Sqe{abi::Opcode::kSend, 0x01, 0x1234, 0x00ABCDEF, 0x1122334455667788ull, 0x0102030405060708ull}, b);
  CHECK(b[0] == 0x02);
  CHECK(b[1] == 0x01);
  CHECK(b[2] == 0x34);
  CHECK(b[3] == 0x12);
  CHECK((b[4] == 0xEF && b[5] == 0xCD && b[6] == 0xAB && b[7] == 0x00));
  CHECK((b[8] == 0x88 && b[15] == 0x11));
  CHECK((b[16] == 0x08 && b[23] == 0x01));
  for (int i = 24; i < 64; ++i) CHECK(b[i] == 0);  // reserved must be zero
}

TEST_CASE("SQE decode inverts encode") {
  std::array<std::uint8_t, 64> b{};
  const Sqe in{abi::Opcode::kRawTx, 0, abi::kRawConn, 60, 0x1000'0040, 7};
  encode_sqe(in, b);
  const Sqe out = decode_sqe(b);
  CHECK(out.opcode == abi::Opcode::kRawTx);
  CHECK(out.conn_id == 0xFFFF);
  CHECK(out.length == 60);
  CHECK(out.host_addr == 0x1000'0040);
  CHECK(out.cookie == 7);
}

TEST_CASE("CQE decoding reads every field from its documented offset") {
  std::array<std::uint8_t, 32> b{};
  b[0] = 0x07;                                  // ERROR
  b[1] = 0x04;                                  // BAD_ADDRESS
  b[2] = 0x05; b[3] = 0x00;                     // conn 5
  b[4] = 0x00; b[5] = 0x10;                     // length 4096
  b[8] = 0xEF; b[9] = 0xBE; b[10] = 0xAD; b[11] = 0xDE;  // cookie 0xDEADBEEF
  b[16] = 0x0C; b[17] = 0x01;                   // sq_index 0x10C
  b[18] = 0x02;                                 // opcode SEND
  b[19] = 0x03;                                 // event TIMEOUT
  b[20] = 0x78; b[21] = 0x56; b[22] = 0x34; b[23] = 0x12;  // info
  b[24] = 0x01; b[27] = 0x80;                   // timestamp
  b[31] = 0x01;                                 // phase
  const Cqe c = decode_cqe(b);
  CHECK(c.type == abi::CqeType::kError);
  CHECK(c.status == abi::Status::kBadAddress);
  CHECK(c.conn_id == 5);
  CHECK(c.length == 4096);
  CHECK(c.cookie == 0xDEADBEEFull);
  CHECK(c.sq_index == 0x10C);
  CHECK(c.opcode == abi::Opcode::kSend);
  CHECK(c.event == abi::ConnEvent::kTimeout);
  CHECK(c.info == 0x12345678u);
  CHECK(c.timestamp == 0x80000001u);
  CHECK(c.phase == 1);
  CHECK(describe(c) == "ERROR of SEND conn 5 sq 268 cookie 0xdeadbeef: BAD_ADDRESS (info 0x12345678)");
}

TEST_CASE("CQE encode puts the phase in bit 0 of the last byte") {
  std::array<std::uint8_t, 32> b{};
  Cqe c;
  c.type = abi::CqeType::kSendDone;
  c.phase = 1;
  encode_cqe(c, b);
  CHECK(b[31] == 0x01);
  CHECK(decode_cqe(b).type == abi::CqeType::kSendDone);
}

TEST_CASE("every status has a name and unknown values say UNKNOWN") {
  CHECK(std::string(to_string(abi::Status::kOk)) == "OK");
  CHECK(std::string(to_string(abi::Status::kBadConn)) == "BAD_CONN");
  CHECK(std::string(to_string(abi::Status::kReservedNonZero)) == "RESERVED_NONZERO");
  CHECK(std::string(to_string(abi::Status::kAborted)) == "ABORTED");
  for (int s = 0; s <= 11; ++s) CHECK(std::string(to_string(static_cast<abi::Status>(s))) != "UNKNOWN");
  CHECK(std::string(to_string(static_cast<abi::Status>(12))) == "UNKNOWN");
  CHECK(std::string(to_string(abi::CqeType::kRawTxDone)) == "RAW_TX_DONE");
  CHECK(std::string(to_string(abi::Opcode::kUploadConn)) == "UPLOAD_CONN");
}

TEST_CASE("PCB encoding puts every field at its documented offset and zeroes the NIC's") {
  Pcb p;
  p.state = abi::kTcbEstablished;
  p.flags = abi::kTcbFlagTimestamps | abi::kTcbFlagSackOk;
  p.snd_wscale = 9;
  p.rcv_wscale = 7;
  p.mss = 1448;
  p.local_port = 0x1F90;
  p.remote_port = 0x0050;
  p.ttl = 64;
  p.local_mac = {0x02, 0, 0, 0, 0, 0x01};
  p.remote_mac = {0x02, 0, 0, 0, 0, 0x02};
  p.local_ip = 0x0A000001;
  p.remote_ip = 0x0A000002;
  p.snd_una = p.snd_nxt = 0x11111112;
  p.snd_wnd = 65535;
  p.rcv_nxt = 0x22222223;
  p.rcv_wnd = 1 << 20;
  p.ts_recent = 0xABCD0001;
  p.ts_offset = 0x00C0FFEE;
  p.ip_id = 0x4242;
  std::array<std::uint8_t, 128> b;
  b.fill(0xEE);
  encode_pcb(p, b);
  CHECK(b[0] == 1);
  CHECK(b[1] == 3);
  CHECK(b[2] == 9);
  CHECK(b[3] == 7);
  CHECK((b[4] == 0xA8 && b[5] == 0x05));  // 1448 LE
  CHECK((b[6] == 0x90 && b[7] == 0x1F));
  CHECK((b[8] == 0x50 && b[9] == 0x00));
  CHECK(b[10] == 64);
  CHECK(b[11] == 0);
  CHECK((b[12] == 0x02 && b[17] == 0x01));  // MAC in wire order
  CHECK((b[18] == 0x02 && b[23] == 0x02));
  CHECK((b[24] == 0x01 && b[27] == 0x0A));  // 10.0.0.1 as a LE number
  CHECK((b[28] == 0x02 && b[31] == 0x0A));
  CHECK((b[32] == 0x12 && b[35] == 0x11));
  CHECK((b[36] == 0x12 && b[39] == 0x11));
  CHECK((b[40] == 0xFF && b[41] == 0xFF && b[42] == 0));
  CHECK((b[44] == 0x23 && b[47] == 0x22));
  CHECK((b[48] == 0x00 && b[50] == 0x10));
  CHECK((b[72] == 0x01 && b[75] == 0xAB));
  CHECK((b[76] == 0xEE && b[77] == 0xFF && b[78] == 0xC0 && b[79] == 0x00));
  CHECK((b[80] == 0x42 && b[81] == 0x42));
  for (int i : {52, 56, 60, 64, 68, 84, 88, 92}) CHECK(b[i] == 0);  // cwnd.. and NIC-owned
  for (int i = 82; i < 84; ++i) CHECK(b[i] == 0);
  for (int i = 96; i < 128; ++i) CHECK(b[i] == 0);
  const Pcb back = decode_pcb(b);
  CHECK(back.mss == 1448);
  CHECK(back.remote_mac == p.remote_mac);
  CHECK(back.ts_offset == p.ts_offset);
}
