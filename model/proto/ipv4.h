// IPv4 header (RFC 791 section 3.1) as a value with parse/emit over bytes.
// The NIC neither sends nor reassembles fragments: parse reports them (DF,
// MF, offset) so the caller can drop them. Header options are skipped on
// parse and never emitted by the NIC (IHL 5), but a longer ihl_bytes is
// honored on emit with zero (End of Option List) padding.
#pragma once

#include <cstddef>
#include <cstdint>

#include "model/proto/bytes.h"

namespace toevp::proto {

inline constexpr std::size_t kIpv4HeaderBytes = 20;  // IHL 5, no options
inline constexpr std::uint8_t kIpProtoTcp = 6;

struct Ipv4Header {
  std::uint8_t ihl_bytes = kIpv4HeaderBytes;  // IHL * 4
  std::uint8_t tos = 0;
  std::uint16_t total_length = 0;  // header plus payload, bytes
  std::uint16_t id = 0;
  bool dont_fragment = true;
  bool more_fragments = false;
  std::uint16_t frag_offset = 0;   // the 13-bit field, in units of 8 bytes
  std::uint8_t ttl = 64;
  std::uint8_t protocol = kIpProtoTcp;
  std::uint16_t checksum = 0;      // as on the wire
  std::uint32_t src = 0;           // 192.168.0.1 = 0xC0A80001
  std::uint32_t dst = 0;

  bool is_fragment() const { return more_fragments || frag_offset != 0; }
  bool operator==(const Ipv4Header&) const = default;
};

enum class Ipv4Error {
  kNone,
  kTruncated,        // fewer bytes than 20, than IHL, or than total_length
  kBadVersion,       // version field is not 4
  kBadHeaderLength,  // IHL below 5
  kBadTotalLength,   // total_length smaller than the header
  kBadChecksum,      // header checksum does not verify (RFC 791 section 3.1)
};

const char* to_string(Ipv4Error e);

// Parses the header at the start of `packet` (bytes after the Ethernet
// header; link padding after total_length is allowed). Fragments are parsed
// successfully: check out.is_fragment().
Ipv4Error parse_ipv4(ConstBytes packet, Ipv4Header& out, bool verify_checksum = true);

// The payload of a packet that parsed: bytes ihl_bytes .. total_length.
ConstBytes ipv4_payload(ConstBytes packet, const Ipv4Header& h);

// Writes h.ihl_bytes bytes at the start of `out`. With fill_checksum the
// header checksum is computed and written (h.checksum is ignored);
// otherwise h.checksum is written as is (to inject bad checksums).
void emit_ipv4(const Ipv4Header& h, Bytes out, bool fill_checksum = true);

}  // namespace toevp::proto
