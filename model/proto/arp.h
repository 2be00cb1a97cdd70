// ARP for IPv4 over Ethernet (RFC 826) as a value with parse/emit over the
// 28-byte packet that follows the Ethernet header (EtherType 0x0806). The
// NIC model never looks at ARP (it is firmware's business, a RAW_RX frame);
// this is the TCP peer model's copy, so the platform's link partner answers
// the firmware's requests like a host would. The firmware carries its own
// (firmware/arp.h), as real firmware would.
#pragma once

#include <cstddef>
#include <cstdint>

#include "model/proto/bytes.h"

namespace toevp::proto {

inline constexpr std::size_t kArpPacketBytes = 28;  // Ethernet/IPv4: 8 + 2 * (6 + 4)
inline constexpr std::uint16_t kArpHardwareEthernet = 1;  // ar$hrd (RFC 826, "Packet format")
inline constexpr std::uint16_t kArpOpRequest = 1;         // ares_op$REQUEST
inline constexpr std::uint16_t kArpOpReply = 2;           // ares_op$REPLY

struct ArpPacket {
  std::uint16_t op = kArpOpRequest;
  std::uint64_t sender_mac = 0;  // 48 bits, first wire byte most significant
  std::uint32_t sender_ip = 0;
  std::uint64_t target_mac = 0;  // zero in a request (RFC 5227 section 2.1.1)
  std::uint32_t target_ip = 0;

  bool operator==(const ArpPacket&) const = default;
};

enum class ArpError {
  kNone,
  kTruncated,     // fewer than 28 bytes
  kNotIpv4Ether,  // hardware type not Ethernet or protocol type not IPv4
  kBadLengths,    // Ethernet/IPv4 but hardware length not 6 or protocol length not 4
};

const char* to_string(ArpError e);

// Parses the packet at the start of `packet` (bytes after the Ethernet
// header; link padding after the 28 bytes is allowed). Any opcode parses.
ArpError parse_arp(ConstBytes packet, ArpPacket& out);

// Writes 28 bytes at the start of `out` (which must hold at least 28).
void emit_arp(const ArpPacket& p, Bytes out);

}  // namespace toevp::proto
