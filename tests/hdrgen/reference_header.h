// An independent reference for the header generator's output, for the
// scoreboards in tests/hdrgen and tests/rtl. It deliberately shares no code
// with model/hdrgen: the header is appended field by field to a byte vector
// and both checksums are a plain loop over bytes (RFC 1071 section 4.1), so a
// mistake in the model's layout or checksum arithmetic cannot hide in both.
#pragma once

#include <cstdint>
#include <vector>

#include "model/hdrgen/header_generator.h"

namespace toevp::hdrgen::test {

inline void append(std::vector<std::uint8_t>& v, std::uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) v.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
}

// ~(ones'-complement sum) over bytes taken as big-endian pairs, plus `extra`.
inline std::uint16_t checksum_over(const std::vector<std::uint8_t>& bytes,
                                   std::uint32_t extra) {
  std::uint64_t sum = extra;
  for (std::size_t i = 0; i + 1 < bytes.size(); i += 2) sum += bytes[i] * 256u + bytes[i + 1];
  while (sum > 0xFFFF) sum = (sum >> 16) + (sum & 0xFFFF);
  return static_cast<std::uint16_t>(0xFFFF - sum);
}

// The header bytes in wire order: 54, or 66 with timestamps.
inline std::vector<std::uint8_t> reference_header(const HeaderRequest& r) {
  const unsigned tcp_hlen = r.ts_en ? 32 : 20;
  const unsigned tcp_len = (tcp_hlen + r.payload_len) & 0xFFFF;
  const unsigned ip_len = (20 + tcp_len) & 0xFFFF;

  std::vector<std::uint8_t> ip;
  append(ip, 0x45, 1);
  append(ip, 0, 1);
  append(ip, ip_len, 2);
  append(ip, r.ip_id, 2);
  append(ip, 0x4000, 2);  // DF
  append(ip, r.ttl, 1);
  append(ip, 6, 1);
  append(ip, 0, 2);  // checksum, filled below
  append(ip, r.src_ip, 4);
  append(ip, r.dst_ip, 4);
  const std::uint16_t ip_csum = checksum_over(ip, 0);
  ip[10] = ip_csum >> 8;
  ip[11] = ip_csum & 0xFF;

  std::vector<std::uint8_t> tcp;
  append(tcp, r.src_port, 2);
  append(tcp, r.dst_port, 2);
  append(tcp, r.seq, 4);
  append(tcp, r.ack, 4);
  append(tcp, (tcp_hlen / 4) << 4, 1);
  append(tcp, r.flags, 1);
  append(tcp, r.window, 2);
  append(tcp, 0, 2);  // checksum, filled below
  append(tcp, 0, 2);  // urgent pointer
  if (r.ts_en) {
    append(tcp, 0x0101080A, 4);
    append(tcp, r.tsval, 4);
    append(tcp, r.tsecr, 4);
  }
  std::vector<std::uint8_t> pseudo;
  append(pseudo, r.src_ip, 4);
  append(pseudo, r.dst_ip, 4);
  append(pseudo, 6, 2);
  append(pseudo, tcp_len, 2);
  pseudo.insert(pseudo.end(), tcp.begin(), tcp.end());
  const std::uint16_t tcp_csum = checksum_over(pseudo, r.payload_csum);
  tcp[16] = tcp_csum >> 8;
  tcp[17] = tcp_csum & 0xFF;

  std::vector<std::uint8_t> frame;
  append(frame, r.dst_mac, 6);
  append(frame, r.src_mac, 6);
  append(frame, 0x0800, 2);
  frame.insert(frame.end(), ip.begin(), ip.end());
  frame.insert(frame.end(), tcp.begin(), tcp.end());
  return frame;
}

}  // namespace toevp::hdrgen::test
