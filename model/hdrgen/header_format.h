// The bytes of the header that the header generator emits: Ethernet II,
// IPv4 without options, TCP with or without the Timestamps option, laid out
// in wire order (DESIGN.md, "Header generator RTL contract"). Shared by the
// closed-form model and the cycle-stepped pipeline model so both emit the
// same bytes; written independently of rtl/toe_header_gen.sv (which forms the
// checksums as a sum of fields, this as a sum over the emitted bytes).
#pragma once

#include <cstddef>
#include <cstdint>

#include "model/hdrgen/header_generator.h"

namespace toevp::hdrgen {

// Byte offsets of the layers inside the header.
inline constexpr std::size_t kIpOffset = 14;
inline constexpr std::size_t kTcpOffset = 34;
inline constexpr std::size_t kIpHeaderBytes = 20;
inline constexpr std::size_t kTcpHeaderBytesPlain = 20;
inline constexpr std::size_t kTcpHeaderBytesTs = 32;

constexpr std::size_t header_length(bool ts_en) {
  return ts_en ? kHeaderBytesTs : kHeaderBytesPlain;
}

// Output beats of one header: 7 for 54 bytes, 9 for 66.
constexpr std::size_t header_beats(bool ts_en) {
  return (header_length(ts_en) + kBeatBytes - 1) / kBeatBytes;
}

// Fills `out` with the header for `req`; bytes past out.length are zero.
// Lengths wrap modulo 2^16 like the 16-bit fields that carry them (a payload
// above 65535 - 20 - 32 bytes is not a valid IPv4 datagram anyway).
void build_header(const HeaderRequest& req, Header& out);

}  // namespace toevp::hdrgen
