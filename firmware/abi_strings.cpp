// Names of the ABI enumerations; see abi_strings.h.
#include "firmware/abi_strings.h"

#include <cstdio>

namespace toevp::fw {

const char* to_string(abi::Status status) {
  using abi::Status;
  switch (status) {
    case Status::kOk: return "OK";
    case Status::kBadOpcode: return "BAD_OPCODE";
    case Status::kBadConn: return "BAD_CONN";
    case Status::kZeroLength: return "ZERO_LENGTH";
    case Status::kBadAddress: return "BAD_ADDRESS";
    case Status::kConnState: return "CONN_STATE";
    case Status::kTimeout: return "TIMEOUT";
    case Status::kReset: return "RESET";
    case Status::kTooLong: return "TOO_LONG";
    case Status::kDmaError: return "DMA_ERROR";
    case Status::kReservedNonZero: return "RESERVED_NONZERO";
    case Status::kAborted: return "ABORTED";
  }
  return "UNKNOWN";
}

const char* to_string(abi::Opcode opcode) {
  using abi::Opcode;
  switch (opcode) {
    case Opcode::kOffloadConn: return "OFFLOAD_CONN";
    case Opcode::kSend: return "SEND";
    case Opcode::kPostRecv: return "POST_RECV";
    case Opcode::kClose: return "CLOSE";
    case Opcode::kUploadConn: return "UPLOAD_CONN";
    case Opcode::kRawTx: return "RAW_TX";
  }
  return "UNKNOWN";
}

const char* to_string(abi::CqeType type) {
  using abi::CqeType;
  switch (type) {
    case CqeType::kSendDone: return "SEND_DONE";
    case CqeType::kRecvDone: return "RECV_DONE";
    case CqeType::kOffloadDone: return "OFFLOAD_DONE";
    case CqeType::kUploadDone: return "UPLOAD_DONE";
    case CqeType::kConnEvent: return "CONN_EVENT";
    case CqeType::kRawRx: return "RAW_RX";
    case CqeType::kError: return "ERROR";
    case CqeType::kRawTxDone: return "RAW_TX_DONE";
  }
  return "UNKNOWN";
}

const char* to_string(abi::ConnEvent event) {
  using abi::ConnEvent;
  switch (event) {
    case ConnEvent::kNone: return "NONE";
    case ConnEvent::kFinReceived: return "FIN_RECEIVED";
    case ConnEvent::kRstReceived: return "RST_RECEIVED";
    case ConnEvent::kTimeout: return "TIMEOUT";
    case ConnEvent::kClosed: return "CLOSED";
  }
  return "UNKNOWN";
}

std::string describe(const Cqe& c) {
  char buf[160];
  if (c.type == abi::CqeType::kError) {
    std::snprintf(buf, sizeof buf, "ERROR of %s conn %u sq %u cookie 0x%llx: %s (info 0x%x)",
                  to_string(c.opcode), unsigned{c.conn_id}, unsigned{c.sq_index},
                  static_cast<unsigned long long>(c.cookie), to_string(c.status), c.info);
  } else if (c.type == abi::CqeType::kConnEvent) {
    std::snprintf(buf, sizeof buf, "CONN_EVENT conn %u: %s (status %s)", unsigned{c.conn_id},
                  to_string(c.event), to_string(c.status));
  } else {
    std::snprintf(buf, sizeof buf, "%s conn %u cookie 0x%llx length %u: %s", to_string(c.type),
                  unsigned{c.conn_id}, static_cast<unsigned long long>(c.cookie), c.length,
                  to_string(c.status));
  }
  return buf;
}

}  // namespace toevp::fw
