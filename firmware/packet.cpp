// Handshake frame builder and parser; see packet.h.
#include "firmware/packet.h"

#include <algorithm>
#include <array>

namespace toevp::fw {

using namespace toevp::proto;

namespace {

constexpr std::uint8_t kOptEnd = 0;
constexpr std::uint8_t kOptNop = 1;
constexpr std::uint8_t kOptMss = 2;
constexpr std::uint8_t kOptWscale = 3;
constexpr std::uint8_t kOptSackPermitted = 4;
constexpr std::uint8_t kOptTimestamps = 8;
constexpr std::uint16_t kIpFlagDf = 0x4000;
constexpr std::uint16_t kIpFlagMf = 0x2000;
constexpr std::uint16_t kIpFragOffsetMask = 0x1FFF;

void push_be16(std::vector<std::uint8_t>& v, std::uint16_t x) {
  v.push_back(static_cast<std::uint8_t>(x >> 8));
  v.push_back(static_cast<std::uint8_t>(x));
}

void push_be32(std::vector<std::uint8_t>& v, std::uint32_t x) {
  push_be16(v, static_cast<std::uint16_t>(x >> 16));
  push_be16(v, static_cast<std::uint16_t>(x));
}

// Option bytes in 32-bit groups, so the data offset is exact.
std::vector<std::uint8_t> encode_options(const TcpOptions& o) {
  std::vector<std::uint8_t> v;
  if (o.mss != 0) {
    v.insert(v.end(), {kOptMss, 4});
    push_be16(v, o.mss);
  }
  if (o.timestamps) {
    if (o.sack_permitted) v.insert(v.end(), {kOptSackPermitted, 2});
    else v.insert(v.end(), {kOptNop, kOptNop});
    v.insert(v.end(), {kOptTimestamps, 10});
    push_be32(v, o.tsval);
    push_be32(v, o.tsecr);
  } else if (o.sack_permitted) {
    v.insert(v.end(), {kOptNop, kOptNop, kOptSackPermitted, 2});
  }
  if (o.wscale >= 0) {
    v.insert(v.end(), {kOptNop, kOptWscale, 3, static_cast<std::uint8_t>(o.wscale)});
  }
  return v;
}

// Sum of the TCP pseudo-header (RFC 9293 section 3.1, "Checksum").
std::uint32_t pseudo_header_sum(std::uint32_t src, std::uint32_t dst, std::size_t tcp_len) {
  std::array<std::uint8_t, 12> ph{};
  store_be32(ph, 0, src);
  store_be32(ph, 4, dst);
  ph[9] = kIpProtoTcp;
  store_be16(ph, 10, static_cast<std::uint16_t>(tcp_len));
  return checksum_add(0, ph);
}

void write_ethernet(Bytes b, const TcpFrame& f) {
  std::copy(f.dst_mac.begin(), f.dst_mac.end(), b.begin());
  std::copy(f.src_mac.begin(), f.src_mac.end(), b.begin() + 6);
  store_be16(b, 12, kEtherTypeIpv4);
}

void write_ipv4(Bytes ip, const TcpFrame& f, std::size_t total_len) {
  ip[0] = 0x45;  // version 4, IHL 5
  ip[1] = 0;     // TOS
  store_be16(ip, 2, static_cast<std::uint16_t>(total_len));
  store_be16(ip, 4, f.ip_id);
  store_be16(ip, 6, kIpFlagDf);
  ip[8] = f.ttl;
  ip[9] = kIpProtoTcp;
  store_be16(ip, 10, 0);
  store_be32(ip, 12, f.src_ip);
  store_be32(ip, 16, f.dst_ip);
  store_be16(ip, 10, checksum_finish(checksum_add(0, ip.first(kIpv4HeaderBytes))));
}

void write_tcp(Bytes tcp, const TcpFrame& f, const std::vector<std::uint8_t>& opts) {
  store_be16(tcp, 0, f.src_port);
  store_be16(tcp, 2, f.dst_port);
  store_be32(tcp, 4, f.seq);
  store_be32(tcp, 8, f.ack);
  tcp[12] = static_cast<std::uint8_t>(((kTcpHeaderBytes + opts.size()) / 4) << 4);
  tcp[13] = f.flags;
  store_be16(tcp, 14, f.window);
  store_be16(tcp, 16, 0);
  store_be16(tcp, 18, 0);  // urgent pointer
  std::copy(opts.begin(), opts.end(), tcp.begin() + kTcpHeaderBytes);
  const std::uint32_t sum = checksum_add(pseudo_header_sum(f.src_ip, f.dst_ip, tcp.size()), tcp);
  store_be16(tcp, 16, checksum_finish(sum));
}

void parse_options(ConstBytes opts, TcpOptions& o) {
  std::size_t i = 0;
  while (i < opts.size()) {
    const std::uint8_t kind = opts[i];
    if (kind == kOptEnd) break;
    if (kind == kOptNop) {
      ++i;
      continue;
    }
    if (i + 1 >= opts.size()) break;
    const std::uint8_t len = opts[i + 1];
    if (len < 2 || i + len > opts.size()) break;  // malformed: stop (RFC 9293 3.1)
    if (kind == kOptMss && len == 4) o.mss = load_be16(opts, i + 2);
    if (kind == kOptWscale && len == 3) o.wscale = opts[i + 2];
    if (kind == kOptSackPermitted && len == 2) o.sack_permitted = true;
    if (kind == kOptTimestamps && len == 10) {
      o.timestamps = true;
      o.tsval = load_be32(opts, i + 2);
      o.tsecr = load_be32(opts, i + 6);
    }
    i += len;
  }
}

bool ipv4_acceptable(ConstBytes ip, std::size_t& total_len) {
  if (ip.size() < kIpv4HeaderBytes || ip[0] != 0x45) return false;  // no IP options
  total_len = load_be16(ip, 2);
  if (total_len < kIpv4HeaderBytes + kTcpHeaderBytes || total_len > ip.size()) return false;
  const std::uint16_t frag = load_be16(ip, 6);
  if ((frag & kIpFlagMf) != 0 || (frag & kIpFragOffsetMask) != 0) return false;
  if (ip[9] != kIpProtoTcp) return false;
  return checksum_finish(checksum_add(0, ip.first(kIpv4HeaderBytes))) == 0;
}

}  // namespace

std::uint32_t checksum_add(std::uint32_t sum, ConstBytes data) {
  std::size_t i = 0;
  for (; i + 1 < data.size(); i += 2) sum += (std::uint32_t{data[i]} << 8) | data[i + 1];
  if (i < data.size()) sum += std::uint32_t{data[i]} << 8;  // odd byte: pad with zero
  while (sum > 0xFFFF) sum = (sum & 0xFFFF) + (sum >> 16);
  return sum;
}

std::uint16_t checksum_finish(std::uint32_t sum) {
  while (sum > 0xFFFF) sum = (sum & 0xFFFF) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

std::vector<std::uint8_t> build_tcp_frame(const TcpFrame& f) {
  const std::vector<std::uint8_t> opts = encode_options(f.options);
  const std::size_t tcp_len = kTcpHeaderBytes + opts.size();
  std::vector<std::uint8_t> frame(kEthHeaderBytes + kIpv4HeaderBytes + tcp_len);
  Bytes b(frame);
  write_ethernet(b, f);
  write_ipv4(b.subspan(kEthHeaderBytes, kIpv4HeaderBytes), f, kIpv4HeaderBytes + tcp_len);
  write_tcp(b.subspan(kEthHeaderBytes + kIpv4HeaderBytes), f, opts);
  return frame;
}

std::optional<TcpFrame> parse_tcp_frame(ConstBytes frame) {
  if (frame.size() < kEthHeaderBytes + kIpv4HeaderBytes + kTcpHeaderBytes) return std::nullopt;
  if (load_be16(frame, 12) != kEtherTypeIpv4) return std::nullopt;
  const ConstBytes ip_and_rest = frame.subspan(kEthHeaderBytes);
  std::size_t total_len = 0;
  if (!ipv4_acceptable(ip_and_rest, total_len)) return std::nullopt;
  const ConstBytes tcp = ip_and_rest.subspan(kIpv4HeaderBytes, total_len - kIpv4HeaderBytes);
  const std::size_t data_offset = static_cast<std::size_t>(tcp[12] >> 4) * 4;
  if (data_offset < kTcpHeaderBytes || data_offset > tcp.size()) return std::nullopt;
  TcpFrame f;
  f.src_ip = load_be32(ip_and_rest, 12);
  f.dst_ip = load_be32(ip_and_rest, 16);
  if (checksum_finish(checksum_add(pseudo_header_sum(f.src_ip, f.dst_ip, tcp.size()), tcp)) != 0)
    return std::nullopt;
  std::copy_n(frame.begin(), 6, f.dst_mac.begin());
  std::copy_n(frame.begin() + 6, 6, f.src_mac.begin());
  f.ip_id = load_be16(ip_and_rest, 4);
  f.ttl = ip_and_rest[8];
  f.src_port = load_be16(tcp, 0);
  f.dst_port = load_be16(tcp, 2);
  f.seq = load_be32(tcp, 4);
  f.ack = load_be32(tcp, 8);
  f.flags = tcp[13];
  f.window = load_be16(tcp, 14);
  parse_options(tcp.subspan(kTcpHeaderBytes, data_offset - kTcpHeaderBytes), f.options);
  f.payload_bytes = static_cast<std::uint16_t>(tcp.size() - data_offset);
  return f;
}

}  // namespace toevp::fw
