// IPv4 header parse/emit; see ipv4.h. Field offsets from RFC 791 section 3.1.
#include "model/proto/ipv4.h"

#include <algorithm>

#include "model/proto/checksum.h"

namespace toevp::proto {

namespace {
constexpr std::size_t kVerIhl = 0;
constexpr std::size_t kTos = 1;
constexpr std::size_t kTotalLength = 2;
constexpr std::size_t kId = 4;
constexpr std::size_t kFlagsFrag = 6;
constexpr std::size_t kTtl = 8;
constexpr std::size_t kProtocol = 9;
constexpr std::size_t kChecksum = 10;
constexpr std::size_t kSrc = 12;
constexpr std::size_t kDst = 16;

constexpr std::uint16_t kFlagDf = 0x4000;
constexpr std::uint16_t kFlagMf = 0x2000;
constexpr std::uint16_t kFragMask = 0x1FFF;
}  // namespace

const char* to_string(Ipv4Error e) {
  switch (e) {
    case Ipv4Error::kNone: return "none";
    case Ipv4Error::kTruncated: return "truncated";
    case Ipv4Error::kBadVersion: return "bad version";
    case Ipv4Error::kBadHeaderLength: return "bad header length";
    case Ipv4Error::kBadTotalLength: return "bad total length";
    case Ipv4Error::kBadChecksum: return "bad header checksum";
  }
  return "?";
}

Ipv4Error parse_ipv4(ConstBytes packet, Ipv4Header& out, bool verify_checksum) {
  if (packet.size() < kIpv4HeaderBytes) return Ipv4Error::kTruncated;
  const std::uint8_t ver_ihl = packet[kVerIhl];
  if ((ver_ihl >> 4) != 4) return Ipv4Error::kBadVersion;
  const std::size_t ihl_bytes = std::size_t{ver_ihl & 0x0Fu} * 4;
  if (ihl_bytes < kIpv4HeaderBytes) return Ipv4Error::kBadHeaderLength;
  if (packet.size() < ihl_bytes) return Ipv4Error::kTruncated;
  const std::uint16_t total = load_be16(packet, kTotalLength);
  if (total < ihl_bytes) return Ipv4Error::kBadTotalLength;
  if (packet.size() < total) return Ipv4Error::kTruncated;
  // A correct header, checksum field included, sums to all ones.
  if (verify_checksum && ones_sum(packet.first(ihl_bytes)) != 0xFFFF)
    return Ipv4Error::kBadChecksum;

  const std::uint16_t flags_frag = load_be16(packet, kFlagsFrag);
  out.ihl_bytes = static_cast<std::uint8_t>(ihl_bytes);
  out.tos = packet[kTos];
  out.total_length = total;
  out.id = load_be16(packet, kId);
  out.dont_fragment = (flags_frag & kFlagDf) != 0;
  out.more_fragments = (flags_frag & kFlagMf) != 0;
  out.frag_offset = flags_frag & kFragMask;
  out.ttl = packet[kTtl];
  out.protocol = packet[kProtocol];
  out.checksum = load_be16(packet, kChecksum);
  out.src = load_be32(packet, kSrc);
  out.dst = load_be32(packet, kDst);
  return Ipv4Error::kNone;
}

ConstBytes ipv4_payload(ConstBytes packet, const Ipv4Header& h) {
  return packet.subspan(h.ihl_bytes, h.total_length - h.ihl_bytes);
}

void emit_ipv4(const Ipv4Header& h, Bytes out, bool fill_checksum) {
  const std::size_t ihl_bytes = h.ihl_bytes;
  std::fill_n(out.begin(), ihl_bytes, std::uint8_t{0});
  out[kVerIhl] = static_cast<std::uint8_t>(0x40 | (ihl_bytes / 4));
  out[kTos] = h.tos;
  store_be16(out, kTotalLength, h.total_length);
  store_be16(out, kId, h.id);
  std::uint16_t flags_frag = h.frag_offset & kFragMask;
  if (h.dont_fragment) flags_frag |= kFlagDf;
  if (h.more_fragments) flags_frag |= kFlagMf;
  store_be16(out, kFlagsFrag, flags_frag);
  out[kTtl] = h.ttl;
  out[kProtocol] = h.protocol;
  store_be32(out, kSrc, h.src);
  store_be32(out, kDst, h.dst);
  const std::uint16_t csum =
      fill_checksum ? internet_checksum(ConstBytes(out.data(), ihl_bytes)) : h.checksum;
  store_be16(out, kChecksum, csum);
}

}  // namespace toevp::proto
