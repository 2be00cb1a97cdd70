// Encoding of submission and completion entries; see entries.h and abi.h.
#include "firmware/entries.h"

#include <algorithm>

namespace toevp::fw {

using namespace toevp::proto;

void encode_sqe(const Sqe& sqe, Bytes out) {
  std::fill_n(out.begin(), abi::kSqeBytes, std::uint8_t{0});
  out[abi::kSqeOpcode] = static_cast<std::uint8_t>(sqe.opcode);
  out[abi::kSqeFlags] = sqe.flags;
  store_le16(out, abi::kSqeConnId, sqe.conn_id);
  store_le32(out, abi::kSqeLength, sqe.length);
  store_le64(out, abi::kSqeHostAddr, sqe.host_addr);
  store_le64(out, abi::kSqeCookie, sqe.cookie);
}

Sqe decode_sqe(ConstBytes in) {
  Sqe s;
  s.opcode = static_cast<abi::Opcode>(in[abi::kSqeOpcode]);
  s.flags = in[abi::kSqeFlags];
  s.conn_id = load_le16(in, abi::kSqeConnId);
  s.length = load_le32(in, abi::kSqeLength);
  s.host_addr = load_le64(in, abi::kSqeHostAddr);
  s.cookie = load_le64(in, abi::kSqeCookie);
  return s;
}

void encode_cqe(const Cqe& cqe, Bytes out) {
  std::fill_n(out.begin(), abi::kCqeBytes, std::uint8_t{0});
  out[abi::kCqeType] = static_cast<std::uint8_t>(cqe.type);
  out[abi::kCqeStatus] = static_cast<std::uint8_t>(cqe.status);
  store_le16(out, abi::kCqeConnId, cqe.conn_id);
  store_le32(out, abi::kCqeLength, cqe.length);
  store_le64(out, abi::kCqeCookie, cqe.cookie);
  store_le16(out, abi::kCqeSqIndex, cqe.sq_index);
  out[abi::kCqeOpcode] = static_cast<std::uint8_t>(cqe.opcode);
  out[abi::kCqeEvent] = static_cast<std::uint8_t>(cqe.event);
  store_le32(out, abi::kCqeInfo, cqe.info);
  store_le32(out, abi::kCqeTimestamp, cqe.timestamp);
  out[abi::kCqePhase] = cqe.phase & 1u;
}

Cqe decode_cqe(ConstBytes in) {
  Cqe c;
  c.type = static_cast<abi::CqeType>(in[abi::kCqeType]);
  c.status = static_cast<abi::Status>(in[abi::kCqeStatus]);
  c.conn_id = load_le16(in, abi::kCqeConnId);
  c.length = load_le32(in, abi::kCqeLength);
  c.cookie = load_le64(in, abi::kCqeCookie);
  c.sq_index = load_le16(in, abi::kCqeSqIndex);
  c.opcode = static_cast<abi::Opcode>(in[abi::kCqeOpcode]);
  c.event = static_cast<abi::ConnEvent>(in[abi::kCqeEvent]);
  c.info = load_le32(in, abi::kCqeInfo);
  c.timestamp = load_le32(in, abi::kCqeTimestamp);
  c.phase = in[abi::kCqePhase] & 1u;
  return c;
}

}  // namespace toevp::fw
