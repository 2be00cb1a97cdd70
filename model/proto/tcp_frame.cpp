// Whole-frame parse and build; see tcp_frame.h.
#include "model/proto/tcp_frame.h"

#include <algorithm>

#include "model/proto/checksum.h"

namespace toevp::proto {

const char* to_string(FrameError e) {
  switch (e) {
    case FrameError::kNone: return "none";
    case FrameError::kTruncated: return "truncated";
    case FrameError::kNotIpv4: return "not IPv4";
    case FrameError::kBadIpHeader: return "bad IPv4 header";
    case FrameError::kBadIpChecksum: return "bad IPv4 checksum";
    case FrameError::kFragment: return "IPv4 fragment";
    case FrameError::kNotTcp: return "not TCP";
    case FrameError::kBadTcpHeader: return "bad TCP header";
    case FrameError::kBadTcpChecksum: return "bad TCP checksum";
    case FrameError::kBadOptions: return "bad TCP options";
  }
  return "?";
}

namespace {

FrameError from_ipv4(Ipv4Error e) {
  switch (e) {
    case Ipv4Error::kNone: return FrameError::kNone;
    case Ipv4Error::kTruncated: return FrameError::kTruncated;
    case Ipv4Error::kBadChecksum: return FrameError::kBadIpChecksum;
    case Ipv4Error::kBadVersion:
    case Ipv4Error::kBadHeaderLength:
    case Ipv4Error::kBadTotalLength: return FrameError::kBadIpHeader;
  }
  return FrameError::kBadIpHeader;
}

FrameError from_tcp(TcpError e) {
  switch (e) {
    case TcpError::kNone: return FrameError::kNone;
    case TcpError::kTruncated: return FrameError::kTruncated;
    case TcpError::kBadDataOffset: return FrameError::kBadTcpHeader;
    case TcpError::kBadOptions: return FrameError::kBadOptions;
  }
  return FrameError::kBadTcpHeader;
}

}  // namespace

FrameError parse_tcp_frame(ConstBytes frame, TcpFrameView& out, bool verify_checksums) {
  if (parse_ethernet(frame, out.eth) != EthernetError::kNone) return FrameError::kTruncated;
  if (out.eth.ethertype != kEtherTypeIpv4) return FrameError::kNotIpv4;
  const ConstBytes packet = frame.subspan(kEthernetHeaderBytes);
  FrameError e = from_ipv4(parse_ipv4(packet, out.ip, verify_checksums));
  if (e != FrameError::kNone) return e;
  if (out.ip.is_fragment()) return FrameError::kFragment;
  if (out.ip.protocol != kIpProtoTcp) return FrameError::kNotTcp;
  const ConstBytes segment = ipv4_payload(packet, out.ip);
  if (segment.size() < kTcpHeaderBytes) return FrameError::kTruncated;
  if (verify_checksums && !tcp_checksum_ok(out.ip.src, out.ip.dst, segment))
    return FrameError::kBadTcpChecksum;
  e = from_tcp(parse_tcp(segment, out.tcp));
  if (e != FrameError::kNone) return e;
  out.payload = segment.subspan(out.tcp.header_bytes);
  return FrameError::kNone;
}

void build_tcp_frame(const TcpFrameFields& f, ConstBytes payload, std::vector<std::uint8_t>& out) {
  TcpHeader tcp;
  tcp.src_port = f.src_port;
  tcp.dst_port = f.dst_port;
  tcp.seq = f.seq;
  tcp.ack = f.ack;
  tcp.flags = f.flags;
  tcp.window = f.window;
  tcp.options = f.options;
  const std::size_t tcp_len = tcp_header_bytes(tcp);
  const std::size_t ip_total = kIpv4HeaderBytes + tcp_len + payload.size();

  out.assign(kEthernetHeaderBytes + ip_total, 0);
  const Bytes frame(out);
  emit_ethernet({f.dst_mac, f.src_mac, kEtherTypeIpv4}, frame);

  Ipv4Header ip;
  ip.total_length = static_cast<std::uint16_t>(ip_total);
  ip.id = f.ip_id;
  ip.ttl = f.ttl;
  ip.src = f.src_ip;
  ip.dst = f.dst_ip;
  emit_ipv4(ip, frame.subspan(kEthernetHeaderBytes));

  const Bytes segment = frame.subspan(kEthernetHeaderBytes + kIpv4HeaderBytes);
  emit_tcp(tcp, segment);
  std::copy(payload.begin(), payload.end(), segment.begin() + tcp_len);
  store_be16(segment, kTcpChecksumOffset, tcp_checksum(f.src_ip, f.dst_ip, segment));
}

}  // namespace toevp::proto
