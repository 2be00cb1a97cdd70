// ARP for IPv4 over Ethernet (RFC 826), the firmware's own copy: the 28-byte
// packet (encode, decode), a small neighbour cache, and ArpAgent, which
// decides what one received ARP frame asks of the host and builds the frames
// it sends. The driver moves the frames and keeps the time (Driver::resolve,
// the raw receive dispatch), as it does for the handshake (active_open.h).
//
// What the host answers: requests whose target is one of its addresses
// (add_address: the driver's DriverConfig::local_ip and every connection's
// local_ip), with a reply from that address's MAC sent to the requester's
// hardware address (RFC 826, "Packet Reception"). A request from 0.0.0.0 (an
// RFC 5227 probe) is answered too, so a probing host sees the address is
// taken. Nothing else is answered: replies, requests for other addresses and
// gratuitous ARP (sender address = target address, RFC 5227 section 3) only
// refresh a cache entry the host already has, as RFC 826's merge step says.
// A reply or request for one of our addresses adds its sender to the cache.
// Opcodes other than request and reply are ignored outright.
//
// What is malformed (counted by the driver, never acted on): fewer than 28
// bytes after the Ethernet header, Ethernet/IPv4 with hardware length other
// than 6 or protocol length other than 4, a sender hardware address that is
// zero or multicast (no host has one; caching it would send segments nowhere
// or everywhere). Other hardware or protocol types are not ours: ignored.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "firmware/pcb.h"
#include "model/proto/bytes.h"

namespace toevp::fw {

inline constexpr std::uint16_t kEtherTypeArp = 0x0806;
inline constexpr std::size_t kArpPacketBytes = 28;  // Ethernet/IPv4: 8 + 2 * (6 + 4)
// 14 + 28 bytes padded with zeros to the Ethernet minimum (64 bytes with the
// FCS the MAC appends, IEEE 802.3 clause 3.2.8), as hosts send them.
inline constexpr std::size_t kArpFrameBytes = 60;
inline constexpr MacAddr kBroadcastMac{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};

enum class ArpOp : std::uint16_t { kRequest = 1, kReply = 2 };  // ares_op$REQUEST, ares_op$REPLY

struct ArpPacket {
  std::uint16_t op = static_cast<std::uint16_t>(ArpOp::kRequest);
  MacAddr sender_mac{};
  std::uint32_t sender_ip = 0;  // as a number: 10.0.0.1 = 0x0A000001
  MacAddr target_mac{};         // zero in a request (RFC 5227 section 2.1.1)
  std::uint32_t target_ip = 0;
};

enum class ArpDecode {
  kOk,
  kNotArp,         // EtherType is not 0x0806 (or no Ethernet header)
  kTruncated,      // fewer than 28 bytes after the Ethernet header
  kOtherProtocol,  // hardware type not Ethernet or protocol type not IPv4
  kBadLengths,     // Ethernet/IPv4 with hardware length not 6 or protocol length not 4
};

// Decodes the ARP packet of an Ethernet frame (trailing padding allowed);
// `eth_dst` gets the frame's destination MAC. Any opcode decodes.
ArpDecode decode_arp_frame(proto::ConstBytes frame, ArpPacket& out, MacAddr& eth_dst);

// The frame (no FCS) that carries `p` to `eth_dst`, from p.sender_mac,
// padded to kArpFrameBytes.
std::vector<std::uint8_t> encode_arp_frame(const MacAddr& eth_dst, const ArpPacket& p);

bool is_zero(const MacAddr& mac);
bool is_multicast(const MacAddr& mac);  // the group bit: broadcast too
std::string to_dotted(std::uint32_t ip);  // 0x0A000002 -> "10.0.0.2"

// IPv4 -> MAC. At most `capacity` entries; when full, the entry written
// longest ago makes room. Entries do not age: firmware resolves a peer once
// per connect(), and a connection keeps the MAC in its PCB.
class NeighbourCache {
 public:
  explicit NeighbourCache(std::size_t capacity = 64) : capacity_(capacity) {}
  std::optional<MacAddr> lookup(std::uint32_t ip) const;
  void insert(std::uint32_t ip, const MacAddr& mac);  // add, or update and renew
  bool update(std::uint32_t ip, const MacAddr& mac);  // only an existing entry
  std::size_t size() const { return entries_.size(); }
  std::size_t capacity() const { return capacity_; }

 private:
  std::size_t capacity_;
  std::vector<std::pair<std::uint32_t, MacAddr>> entries_;  // oldest write first
};

class ArpAgent {
 public:
  enum class Verdict {
    kNotArp,     // not an ARP frame: someone else's business
    kAnswered,   // a request for one of our addresses: `reply` is the answer to send
    kLearned,    // a reply to one of our addresses: its sender is in the cache
    kIgnored,    // well-formed, asks nothing of us
    kMalformed,  // dropped (see the file comment)
  };

  explicit ArpAgent(std::size_t cache_entries = 64) : cache_(cache_entries) {}

  // Answer requests for `ip` with `mac` from now on (a later call for the
  // same ip replaces the MAC). ip 0 is never ours; a zero or multicast MAC
  // is no host's, and the call is ignored.
  void add_address(std::uint32_t ip, const MacAddr& mac);
  bool owns(std::uint32_t ip) const { return owner(ip) != nullptr; }

  // RFC 826 packet reception for one received frame.
  Verdict on_frame(proto::ConstBytes frame, std::vector<std::uint8_t>& reply);

  // Broadcast "who has target_ip? tell sender_ip".
  std::vector<std::uint8_t> request_frame(std::uint32_t target_ip, std::uint32_t sender_ip,
                                          const MacAddr& sender_mac) const;

  const NeighbourCache& cache() const { return cache_; }

 private:
  const MacAddr* owner(std::uint32_t ip) const;
  bool addressed_to_us(const MacAddr& eth_dst) const;

  std::vector<std::pair<std::uint32_t, MacAddr>> addresses_;
  NeighbourCache cache_;
};

}  // namespace toevp::fw
