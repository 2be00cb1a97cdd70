// Submission and completion queue entries as values, and their encoding into
// the 64-byte / 32-byte little-endian layouts of model/abi/abi.h. The driver
// never touches ring memory except through these two functions, so the layout
// is written down in exactly one place on the firmware side.
#pragma once

#include <cstdint>

#include "model/abi/abi.h"
#include "model/proto/bytes.h"

namespace toevp::fw {

// One submission entry (abi.h, "Submission queue entry").
struct Sqe {
  abi::Opcode opcode = abi::Opcode::kSend;
  std::uint8_t flags = 0;
  std::uint16_t conn_id = 0;
  std::uint32_t length = 0;
  std::uint64_t host_addr = 0;
  std::uint64_t cookie = 0;
};

// One completion entry (abi.h, "Completion queue entry"), phase included.
struct Cqe {
  abi::CqeType type = abi::CqeType::kSendDone;
  abi::Status status = abi::Status::kOk;
  std::uint16_t conn_id = 0;
  std::uint32_t length = 0;
  std::uint64_t cookie = 0;
  std::uint16_t sq_index = 0;
  abi::Opcode opcode = abi::Opcode::kSend;
  abi::ConnEvent event = abi::ConnEvent::kNone;
  std::uint32_t info = 0;
  std::uint32_t timestamp = 0;
  std::uint8_t phase = 0;
};

// Writes all abi::kSqeBytes of `out` (reserved bytes zero, as the NIC demands).
void encode_sqe(const Sqe& sqe, proto::Bytes out);
Sqe decode_sqe(proto::ConstBytes in);

// Writes all abi::kCqeBytes of `out` (what the NIC does; used by tests and fakes).
void encode_cqe(const Cqe& cqe, proto::Bytes out);
Cqe decode_cqe(proto::ConstBytes in);

}  // namespace toevp::fw
