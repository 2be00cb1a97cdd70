// The firmware's own small packet code: it builds the Ethernet II / IPv4 /
// TCP frames of an active open (SYN, final ACK) and parses what comes back
// (SYN-ACK, RST) through the raw L2 path. Real firmware carries its own copy
// of this rather than the NIC model's, so nothing here comes from model/
// except the byte helpers. Checksums are the plain RFC 1071 loop; the frames
// are small and rare (one handshake per connection), so speed does not matter.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "firmware/pcb.h"
#include "model/proto/bytes.h"

namespace toevp::fw {

inline constexpr std::size_t kEthHeaderBytes = 14;
inline constexpr std::size_t kIpv4HeaderBytes = 20;
inline constexpr std::size_t kTcpHeaderBytes = 20;
inline constexpr std::uint16_t kEtherTypeIpv4 = 0x0800;
inline constexpr std::uint8_t kIpProtoTcp = 6;
// A TCP segment with the timestamp option carries 12 option bytes more
// (NOP, NOP, kind 8 length 10; RFC 7323 section 3 and appendix A).
inline constexpr std::uint16_t kTimestampOptionBytes = 12;

// TCP header flags (RFC 9293 section 3.1).
namespace tcp_flag {
inline constexpr std::uint8_t kFin = 0x01;
inline constexpr std::uint8_t kSyn = 0x02;
inline constexpr std::uint8_t kRst = 0x04;
inline constexpr std::uint8_t kPsh = 0x08;
inline constexpr std::uint8_t kAck = 0x10;
}  // namespace tcp_flag

// The options of a handshake segment. A value that is absent on the wire is
// mss == 0 / wscale < 0 / false.
struct TcpOptions {
  std::uint16_t mss = 0;          // RFC 9293 section 3.7.1
  int wscale = -1;                // shift count, RFC 7323 section 2
  bool sack_permitted = false;    // RFC 2018 section 2
  bool timestamps = false;        // RFC 7323 section 3
  std::uint32_t tsval = 0;
  std::uint32_t tsecr = 0;
};

// Every header field of one Ethernet/IPv4/TCP frame. The IPv4 header has no
// options, DF set, TOS 0 (like the NIC's own headers).
struct TcpFrame {
  MacAddr dst_mac{};
  MacAddr src_mac{};
  std::uint32_t src_ip = 0;  // as a number: 10.0.0.1 = 0x0A000001
  std::uint32_t dst_ip = 0;
  std::uint16_t ip_id = 0;
  std::uint8_t ttl = 64;
  std::uint16_t src_port = 0;
  std::uint16_t dst_port = 0;
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;
  std::uint8_t flags = 0;
  std::uint16_t window = 0;
  TcpOptions options;
  std::uint16_t payload_bytes = 0;  // parse only: bytes after the TCP header
};

// Builds the frame (no payload, no FCS; the MAC appends the FCS). Options are
// laid out as Linux does, each group padded with NOPs to 32 bits: MSS,
// SACK-permitted + timestamps, NOP + window scale.
std::vector<std::uint8_t> build_tcp_frame(const TcpFrame& f);

// Parses an Ethernet II / IPv4 / TCP frame; nullopt when it is anything else,
// truncated, fragmented, or has a wrong IPv4 or TCP checksum. Trailing
// Ethernet padding is ignored (IPv4 total length rules).
std::optional<TcpFrame> parse_tcp_frame(proto::ConstBytes frame);

// RFC 1071: checksum_add returns the 16-bit ones'-complement sum of `data`
// (big-endian words, an odd last byte padded with zero) added to `sum`,
// folded to 16 bits so sums can be chained; checksum_finish folds and
// complements it into the value that goes on the wire.
std::uint32_t checksum_add(std::uint32_t sum, proto::ConstBytes data);
std::uint16_t checksum_finish(std::uint32_t sum);

}  // namespace toevp::fw
