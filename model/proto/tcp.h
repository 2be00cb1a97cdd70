// TCP header and options (RFC 9293 section 3.1; window scale and timestamps
// RFC 7323; SACK RFC 2018) as a value with parse/emit over bytes.
//
// Options are emitted in the order Linux uses, so every layout is a multiple
// of 4 bytes without trailing padding:
//   MSS(4) | SACK-perm(2) TS(10) or NOP NOP TS(10) or NOP NOP SACK-perm(2)
//          | NOP WS(3)
// A segment that carries only timestamps gets NOP, NOP, TS: exactly the
// 12-byte block the header generator appends (DESIGN.md, RTL contract).
// emit does not look at the flags: putting SYN-only options (MSS, WS,
// SACK-permitted) only on SYNs is the caller's job (RFC 7323 section 2.2).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>

#include "model/proto/bytes.h"
#include "model/proto/seq.h"

namespace toevp::proto {

inline constexpr std::uint8_t kTcpFin = 0x01;
inline constexpr std::uint8_t kTcpSyn = 0x02;
inline constexpr std::uint8_t kTcpRst = 0x04;
inline constexpr std::uint8_t kTcpPsh = 0x08;
inline constexpr std::uint8_t kTcpAck = 0x10;
inline constexpr std::uint8_t kTcpUrg = 0x20;
inline constexpr std::uint8_t kTcpEce = 0x40;
inline constexpr std::uint8_t kTcpCwr = 0x80;

inline constexpr std::size_t kTcpHeaderBytes = 20;      // no options
inline constexpr std::size_t kTcpMaxHeaderBytes = 60;   // data offset 15
inline constexpr std::size_t kTcpTimestampBlockBytes = 12;  // NOP NOP TS

// Option kinds (IANA "TCP Option Kind Numbers").
inline constexpr std::uint8_t kTcpOptEol = 0;
inline constexpr std::uint8_t kTcpOptNop = 1;
inline constexpr std::uint8_t kTcpOptMss = 2;
inline constexpr std::uint8_t kTcpOptWscale = 3;
inline constexpr std::uint8_t kTcpOptSackPermitted = 4;
inline constexpr std::uint8_t kTcpOptSack = 5;
inline constexpr std::uint8_t kTcpOptTimestamps = 8;

struct TcpOptions {
  std::optional<std::uint16_t> mss;
  std::optional<std::uint8_t> wscale;   // shift as received (clamp with window.h)
  bool sack_permitted = false;
  std::optional<std::pair<std::uint32_t, std::uint32_t>> timestamps;  // tsval, tsecr

  bool operator==(const TcpOptions&) const = default;
};

struct TcpHeader {
  std::uint16_t src_port = 0;
  std::uint16_t dst_port = 0;
  Seq seq;
  Seq ack;
  std::uint8_t header_bytes = kTcpHeaderBytes;  // data offset * 4
  std::uint8_t flags = 0;        // CWR..FIN, bit 0 = FIN
  std::uint16_t window = 0;      // the field as on the wire (unscaled)
  std::uint16_t checksum = 0;    // as on the wire
  std::uint16_t urgent = 0;
  TcpOptions options;

  bool operator==(const TcpHeader&) const = default;
};

enum class TcpError {
  kNone,
  kTruncated,      // fewer than 20 bytes
  kBadDataOffset,  // data offset below 5 or beyond the segment
  kBadOptions,     // an option length of 0 or 1, past the header, or wrong for its kind
};

const char* to_string(TcpError e);

// Parses the header at the start of `segment` (the IPv4 payload). Does not
// verify the checksum: that needs the pseudo-header (tcp_checksum_ok).
TcpError parse_tcp(ConstBytes segment, TcpHeader& out);

// Parses the option bytes between the fixed header and the data offset
// (RFC 9293 section 3.2). Unknown kinds are skipped by their length; SACK
// blocks are checked for shape and ignored.
TcpError parse_tcp_options(ConstBytes options, TcpOptions& out);

// Bytes the options take on the wire in the layout above (a multiple of 4).
std::size_t tcp_options_bytes(const TcpOptions& o);

// 20 + tcp_options_bytes(h.options): the header length emit_tcp writes.
std::size_t tcp_header_bytes(const TcpHeader& h);

// Writes the header with its options at the start of `out` and returns its
// length (tcp_header_bytes(h); h.header_bytes is not used). The checksum
// field is h.checksum: fill it afterwards with tcp_checksum().
std::size_t emit_tcp(const TcpHeader& h, Bytes out);

// Checksum field value for `segment` (header + payload, contiguous) whose
// checksum field holds zero, under the RFC 9293 section 3.1 pseudo-header.
std::uint16_t tcp_checksum(std::uint32_t src_ip, std::uint32_t dst_ip, ConstBytes segment);

// True when `segment` (checksum field as received) verifies: the sum over
// pseudo-header and segment folds to 0xFFFF.
bool tcp_checksum_ok(std::uint32_t src_ip, std::uint32_t dst_ip, ConstBytes segment);

// Offset of the checksum field inside the TCP header.
inline constexpr std::size_t kTcpChecksumOffset = 16;

}  // namespace toevp::proto
