// Ethernet II header (IEEE 802.3 with an EtherType, RFC 894) as a value with
// parse/emit over bytes. MAC addresses are 48-bit numbers whose most
// significant byte is the first on the wire, the convention of the header
// generator and the PCB. No FCS here: the MAC appends and checks it.
#pragma once

#include <cstddef>
#include <cstdint>

#include "model/proto/bytes.h"

namespace toevp::proto {

inline constexpr std::size_t kEthernetHeaderBytes = 14;
inline constexpr std::uint16_t kEtherTypeIpv4 = 0x0800;
inline constexpr std::uint16_t kEtherTypeArp = 0x0806;
inline constexpr std::uint64_t kBroadcastMac = 0xFFFF'FFFF'FFFFull;

struct EthernetHeader {
  std::uint64_t dst = 0;  // 48 bits
  std::uint64_t src = 0;  // 48 bits
  std::uint16_t ethertype = 0;

  bool operator==(const EthernetHeader&) const = default;
};

enum class EthernetError { kNone, kTruncated };

// Reads the first 14 bytes of `frame`.
EthernetError parse_ethernet(ConstBytes frame, EthernetHeader& out);

// Writes 14 bytes at the start of `out` (which must hold at least 14).
void emit_ethernet(const EthernetHeader& h, Bytes out);

}  // namespace toevp::proto
