// Header layout and checksums: RFC 894 (Ethernet II), RFC 791 section 3.1
// (IPv4 header), RFC 9293 section 3.1 (TCP header and pseudo-header),
// RFC 7323 section 3 (Timestamps option, NOP-padded as in its appendix A),
// RFC 1071 (Internet checksum).
#include "model/hdrgen/header_format.h"

#include "model/proto/bytes.h"

namespace toevp::hdrgen {
namespace {

using proto::store_be16;
using proto::store_be32;
using proto::store_be48;

constexpr std::uint16_t kEtherTypeIpv4 = 0x0800;
constexpr std::uint8_t kIpVersionIhl = 0x45;  // version 4, 5 words
constexpr std::uint16_t kIpFlagDf = 0x4000;   // don't fragment, offset 0
constexpr std::uint8_t kIpProtoTcp = 6;
constexpr std::uint8_t kTcpOptNop = 1;
constexpr std::uint8_t kTcpOptTimestamps = 8;
constexpr std::uint8_t kTcpOptTimestampsLen = 10;

// Ones'-complement sum of big-endian 16-bit words of an even-length span,
// added to `sum` without folding (a 32-bit sum of < 64K words cannot overflow).
std::uint32_t add_words(std::uint32_t sum, proto::ConstBytes bytes) {
  for (std::size_t i = 0; i < bytes.size(); i += 2) sum += proto::load_be16(bytes, i);
  return sum;
}

// RFC 1071 section 4.1: fold the carries back in, then take the complement.
std::uint16_t fold_and_invert(std::uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

void store_ethernet(const HeaderRequest& req, proto::Bytes b) {
  store_be48(b, 0, req.dst_mac);
  store_be48(b, 6, req.src_mac);
  store_be16(b, 12, kEtherTypeIpv4);
}

void store_ipv4(const HeaderRequest& req, std::uint16_t total_length, proto::Bytes b) {
  b[0] = kIpVersionIhl;
  b[1] = 0;  // TOS
  store_be16(b, 2, total_length);
  store_be16(b, 4, req.ip_id);
  store_be16(b, 6, kIpFlagDf);
  b[8] = req.ttl;
  b[9] = kIpProtoTcp;
  store_be32(b, 12, req.src_ip);
  store_be32(b, 16, req.dst_ip);
  store_be16(b, 10, fold_and_invert(add_words(0, b.first(kIpHeaderBytes))));
}

void store_tcp(const HeaderRequest& req, std::size_t tcp_header_bytes, proto::Bytes b) {
  store_be16(b, 0, req.src_port);
  store_be16(b, 2, req.dst_port);
  store_be32(b, 4, req.seq);
  store_be32(b, 8, req.ack);
  b[12] = static_cast<std::uint8_t>((tcp_header_bytes / 4) << 4);  // data offset
  b[13] = req.flags;
  store_be16(b, 14, req.window);
  if (req.ts_en) {
    b[20] = kTcpOptNop;
    b[21] = kTcpOptNop;
    b[22] = kTcpOptTimestamps;
    b[23] = kTcpOptTimestampsLen;
    store_be32(b, 24, req.tsval);
    store_be32(b, 28, req.tsecr);
  }
}

// RFC 9293 section 3.1: pseudo-header (addresses, zero + protocol, TCP
// length), then the header with a zero checksum field, then the payload,
// which the caller supplies as its folded sum.
std::uint16_t tcp_checksum(const HeaderRequest& req, std::uint16_t tcp_length,
                           proto::ConstBytes tcp_header) {
  std::uint32_t sum = (req.src_ip >> 16) + (req.src_ip & 0xFFFF) + (req.dst_ip >> 16) +
                      (req.dst_ip & 0xFFFF) + kIpProtoTcp + tcp_length + req.payload_csum;
  return fold_and_invert(add_words(sum, tcp_header));
}

}  // namespace

void build_header(const HeaderRequest& req, Header& out) {
  out.bytes.fill(0);
  out.length = header_length(req.ts_en);
  const std::size_t tcp_bytes = req.ts_en ? kTcpHeaderBytesTs : kTcpHeaderBytesPlain;
  const auto tcp_length = static_cast<std::uint16_t>(tcp_bytes + req.payload_len);
  const auto total_length = static_cast<std::uint16_t>(kIpHeaderBytes + tcp_length);
  const proto::Bytes all(out.bytes);
  store_ethernet(req, all.first(kIpOffset));
  store_ipv4(req, total_length, all.subspan(kIpOffset, kIpHeaderBytes));
  const proto::Bytes tcp = all.subspan(kTcpOffset, tcp_bytes);
  store_tcp(req, tcp_bytes, tcp);
  store_be16(tcp, 16, tcp_checksum(req, tcp_length, tcp));
}

}  // namespace toevp::hdrgen
