// ARP packet parse/emit; see arp.h. Field offsets from RFC 826, "Packet
// format", for 6-byte hardware and 4-byte protocol addresses.
#include "model/proto/arp.h"

#include "model/proto/ethernet.h"

namespace toevp::proto {

namespace {
constexpr std::size_t kHrd = 0;
constexpr std::size_t kPro = 2;
constexpr std::size_t kHln = 4;
constexpr std::size_t kPln = 5;
constexpr std::size_t kOp = 6;
constexpr std::size_t kSha = 8;
constexpr std::size_t kSpa = 14;
constexpr std::size_t kTha = 18;
constexpr std::size_t kTpa = 24;
constexpr std::uint8_t kMacBytes = 6;
constexpr std::uint8_t kIpv4Bytes = 4;
}  // namespace

const char* to_string(ArpError e) {
  switch (e) {
    case ArpError::kNone: return "none";
    case ArpError::kTruncated: return "truncated";
    case ArpError::kNotIpv4Ether: return "not Ethernet/IPv4";
    case ArpError::kBadLengths: return "bad address lengths";
  }
  return "?";
}

ArpError parse_arp(ConstBytes packet, ArpPacket& out) {
  if (packet.size() < kArpPacketBytes) return ArpError::kTruncated;
  if (load_be16(packet, kHrd) != kArpHardwareEthernet || load_be16(packet, kPro) != kEtherTypeIpv4)
    return ArpError::kNotIpv4Ether;
  if (packet[kHln] != kMacBytes || packet[kPln] != kIpv4Bytes) return ArpError::kBadLengths;
  out.op = load_be16(packet, kOp);
  out.sender_mac = load_be48(packet, kSha);
  out.sender_ip = load_be32(packet, kSpa);
  out.target_mac = load_be48(packet, kTha);
  out.target_ip = load_be32(packet, kTpa);
  return ArpError::kNone;
}

void emit_arp(const ArpPacket& p, Bytes out) {
  store_be16(out, kHrd, kArpHardwareEthernet);
  store_be16(out, kPro, kEtherTypeIpv4);
  out[kHln] = kMacBytes;
  out[kPln] = kIpv4Bytes;
  store_be16(out, kOp, p.op);
  store_be48(out, kSha, p.sender_mac);
  store_be32(out, kSpa, p.sender_ip);
  store_be48(out, kTha, p.target_mac);
  store_be32(out, kTpa, p.target_ip);
}

}  // namespace toevp::proto
