// Names of the ABI's enumerations (model/abi/abi.h) for messages and logs:
// every ERROR completion the driver surfaces carries its status name, so a
// firmware developer reads "BAD_ADDRESS" rather than a number.
#pragma once

#include <string>

#include "firmware/entries.h"
#include "model/abi/abi.h"

namespace toevp::fw {

// Upper-case names as in docs/abi.md ("OK", "BAD_CONN", ...); "UNKNOWN" for a
// value the ABI does not define.
const char* to_string(abi::Status status);
const char* to_string(abi::Opcode opcode);
const char* to_string(abi::CqeType type);
const char* to_string(abi::ConnEvent event);

// One line for logs: "ERROR of SEND conn 3 sq 12 cookie 0x10: BAD_ADDRESS
// (info 0x0)", "SEND_DONE conn 3 cookie 0x10 length 4096: OK", ...
std::string describe(const Cqe& cqe);

}  // namespace toevp::fw
