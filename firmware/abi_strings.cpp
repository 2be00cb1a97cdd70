// Names of the ABI enumerations; see abi_strings.h.
#include "firmware/abi_strings.h"

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

}  // namespace toevp::fw
