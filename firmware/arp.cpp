// ARP packet code, neighbour cache and the reception rules; see arp.h.
// Field offsets from RFC 826, "Packet format", for 6-byte hardware and
// 4-byte protocol addresses.
#include "firmware/arp.h"

#include <algorithm>

#include "firmware/packet.h"

namespace toevp::fw {

using namespace toevp::proto;

namespace {

constexpr std::uint16_t kHardwareEthernet = 1;  // ar$hrd
constexpr std::uint8_t kMacBytes = 6;
constexpr std::uint8_t kIpv4Bytes = 4;
// Offsets inside the ARP packet.
constexpr std::size_t kHrd = 0, kPro = 2, kHln = 4, kPln = 5, kOp = 6;
constexpr std::size_t kSha = 8, kSpa = 14, kTha = 18, kTpa = 24;

MacAddr load_mac(ConstBytes b, std::size_t off) {
  MacAddr m{};
  std::copy_n(b.begin() + static_cast<std::ptrdiff_t>(off), m.size(), m.begin());
  return m;
}

void store_mac(Bytes b, std::size_t off, const MacAddr& m) {
  std::copy(m.begin(), m.end(), b.begin() + static_cast<std::ptrdiff_t>(off));
}

}  // namespace

bool is_zero(const MacAddr& mac) {
  return std::all_of(mac.begin(), mac.end(), [](std::uint8_t b) { return b == 0; });
}

bool is_multicast(const MacAddr& mac) { return (mac[0] & 0x01) != 0; }

std::string to_dotted(std::uint32_t ip) {
  return std::to_string(ip >> 24) + "." + std::to_string((ip >> 16) & 0xFF) + "." +
         std::to_string((ip >> 8) & 0xFF) + "." + std::to_string(ip & 0xFF);
}

ArpDecode decode_arp_frame(ConstBytes frame, ArpPacket& out, MacAddr& eth_dst) {
  if (frame.size() < kEthHeaderBytes || load_be16(frame, 12) != kEtherTypeArp) return ArpDecode::kNotArp;
  const ConstBytes p = frame.subspan(kEthHeaderBytes);
  if (p.size() < kArpPacketBytes) return ArpDecode::kTruncated;
  if (load_be16(p, kHrd) != kHardwareEthernet || load_be16(p, kPro) != kEtherTypeIpv4)
    return ArpDecode::kOtherProtocol;
  if (p[kHln] != kMacBytes || p[kPln] != kIpv4Bytes) return ArpDecode::kBadLengths;
  eth_dst = load_mac(frame, 0);
  out.op = load_be16(p, kOp);
  out.sender_mac = load_mac(p, kSha);
  out.sender_ip = load_be32(p, kSpa);
  out.target_mac = load_mac(p, kTha);
  out.target_ip = load_be32(p, kTpa);
  return ArpDecode::kOk;
}

std::vector<std::uint8_t> encode_arp_frame(const MacAddr& eth_dst, const ArpPacket& a) {
  std::vector<std::uint8_t> frame(kArpFrameBytes, 0);
  Bytes f(frame);
  store_mac(f, 0, eth_dst);
  store_mac(f, 6, a.sender_mac);
  store_be16(f, 12, kEtherTypeArp);
  const Bytes p = f.subspan(kEthHeaderBytes, kArpPacketBytes);
  store_be16(p, kHrd, kHardwareEthernet);
  store_be16(p, kPro, kEtherTypeIpv4);
  p[kHln] = kMacBytes;
  p[kPln] = kIpv4Bytes;
  store_be16(p, kOp, a.op);
  store_mac(p, kSha, a.sender_mac);
  store_be32(p, kSpa, a.sender_ip);
  store_mac(p, kTha, a.target_mac);
  store_be32(p, kTpa, a.target_ip);
  return frame;
}

// ---------------------------------------------------------------------------

std::optional<MacAddr> NeighbourCache::lookup(std::uint32_t ip) const {
  for (const auto& [addr, mac] : entries_)
    if (addr == ip) return mac;
  return std::nullopt;
}

void NeighbourCache::insert(std::uint32_t ip, const MacAddr& mac) {
  if (capacity_ == 0) return;
  const auto it = std::find_if(entries_.begin(), entries_.end(), [&](const auto& e) { return e.first == ip; });
  if (it != entries_.end()) entries_.erase(it);
  else if (entries_.size() >= capacity_) entries_.erase(entries_.begin());
  entries_.emplace_back(ip, mac);
}

bool NeighbourCache::update(std::uint32_t ip, const MacAddr& mac) {
  for (auto& [addr, m] : entries_) {
    if (addr != ip) continue;
    m = mac;
    return true;
  }
  return false;
}

// ---------------------------------------------------------------------------

void ArpAgent::add_address(std::uint32_t ip, const MacAddr& mac) {
  if (ip == 0 || is_zero(mac) || is_multicast(mac)) return;  // we would answer with nobody's MAC
  for (auto& [addr, m] : addresses_) {
    if (addr != ip) continue;
    m = mac;
    return;
  }
  addresses_.emplace_back(ip, mac);
}

const MacAddr* ArpAgent::owner(std::uint32_t ip) const {
  for (const auto& [addr, mac] : addresses_)
    if (addr == ip) return &mac;
  return nullptr;
}

// The NIC's raw path delivers every frame no connection claims, whatever its
// destination MAC: take broadcasts and frames to one of our MACs only.
bool ArpAgent::addressed_to_us(const MacAddr& eth_dst) const {
  if (eth_dst == kBroadcastMac) return true;
  return std::any_of(addresses_.begin(), addresses_.end(), [&](const auto& a) { return a.second == eth_dst; });
}

ArpAgent::Verdict ArpAgent::on_frame(ConstBytes frame, std::vector<std::uint8_t>& reply) {
  ArpPacket a;
  MacAddr eth_dst{};
  switch (decode_arp_frame(frame, a, eth_dst)) {
    case ArpDecode::kOk: break;
    case ArpDecode::kNotArp: return Verdict::kNotArp;
    case ArpDecode::kOtherProtocol: return Verdict::kIgnored;
    case ArpDecode::kTruncated:
    case ArpDecode::kBadLengths: return Verdict::kMalformed;
  }
  if (is_zero(a.sender_mac) || is_multicast(a.sender_mac)) return Verdict::kMalformed;
  if (!addressed_to_us(eth_dst)) return Verdict::kIgnored;
  // RFC 826 looks at the opcode last; an opcode it does not define (RARP's
  // 3 and 4 belong to EtherType 0x8035, RFC 903) is not trusted to carry a
  // sender worth caching.
  const bool request = a.op == static_cast<std::uint16_t>(ArpOp::kRequest);
  if (!request && a.op != static_cast<std::uint16_t>(ArpOp::kReply)) return Verdict::kIgnored;
  // RFC 826: "If the pair <protocol type, sender protocol address> is already
  // in my translation table, update the sender hardware address field".
  // 0.0.0.0 is a probing host that has no address yet (RFC 5227 2.1.1).
  const bool merged = a.sender_ip != 0 && cache_.update(a.sender_ip, a.sender_mac);
  const MacAddr* ours = owner(a.target_ip);
  const bool gratuitous = a.sender_ip == a.target_ip;
  if (ours == nullptr || gratuitous) return Verdict::kIgnored;
  // "Am I the target protocol address? Yes: if Merge_flag is false, add the
  // triplet ... to the translation table."
  if (!merged && a.sender_ip != 0) cache_.insert(a.sender_ip, a.sender_mac);
  if (!request) return Verdict::kLearned;
  // "Swap hardware and protocol fields, putting the local hardware and
  // protocol addresses in the sender fields ... send the packet to the (new)
  // target hardware address".
  ArpPacket r;
  r.op = static_cast<std::uint16_t>(ArpOp::kReply);
  r.sender_mac = *ours;
  r.sender_ip = a.target_ip;
  r.target_mac = a.sender_mac;
  r.target_ip = a.sender_ip;
  reply = encode_arp_frame(a.sender_mac, r);
  return Verdict::kAnswered;
}

std::vector<std::uint8_t> ArpAgent::request_frame(std::uint32_t target_ip, std::uint32_t sender_ip,
                                                  const MacAddr& sender_mac) const {
  ArpPacket r;
  r.op = static_cast<std::uint16_t>(ArpOp::kRequest);
  r.sender_mac = sender_mac;
  r.sender_ip = sender_ip;
  r.target_ip = target_ip;
  return encode_arp_frame(kBroadcastMac, r);
}

}  // namespace toevp::fw
