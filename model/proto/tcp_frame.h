// One-call helpers for whole Ethernet/IPv4/TCP frames, used by the NIC's
// receive parser and by the TCP peer model: parse_tcp_frame() checks a frame
// layer by layer and says why it was rejected; build_tcp_frame() makes a
// complete frame with correct checksums. A frame here runs from the Ethernet
// destination address to the end of the IP packet or beyond (link padding),
// never including the FCS.
#pragma once

#include <cstdint>
#include <vector>

#include "model/proto/bytes.h"
#include "model/proto/ethernet.h"
#include "model/proto/ipv4.h"
#include "model/proto/seq.h"
#include "model/proto/tcp.h"

namespace toevp::proto {

enum class FrameError {
  kNone,
  kTruncated,        // shorter than a header or than the IPv4 total length
  kNotIpv4,          // EtherType is not 0x0800
  kBadIpHeader,      // version not 4, IHL < 5, total length < IHL
  kBadIpChecksum,
  kFragment,         // MF set or fragment offset non-zero (the NIC does not reassemble)
  kNotTcp,           // IPv4 protocol is not 6
  kBadTcpHeader,     // data offset < 5 or beyond the segment
  kBadTcpChecksum,
  kBadOptions,       // malformed TCP options
};

const char* to_string(FrameError e);

struct TcpFrameView {
  EthernetHeader eth;
  Ipv4Header ip;
  TcpHeader tcp;
  ConstBytes payload;  // TCP payload, pointing into the parsed frame
};

// Parses and checks `frame`. Checks run outside in (Ethernet, IPv4 header,
// fragment, protocol, TCP length, TCP checksum, TCP header and options), so a
// corrupted segment reports its checksum rather than whatever the corruption
// looks like. Bytes after the IPv4 total length (Ethernet padding to 60
// bytes) are ignored. `out` is only meaningful when kNone is returned.
FrameError parse_tcp_frame(ConstBytes frame, TcpFrameView& out, bool verify_checksums = true);

struct TcpFrameFields {
  std::uint64_t dst_mac = 0;
  std::uint64_t src_mac = 0;
  std::uint32_t src_ip = 0;
  std::uint32_t dst_ip = 0;
  std::uint16_t ip_id = 0;
  std::uint8_t ttl = 64;
  std::uint16_t src_port = 0;
  std::uint16_t dst_port = 0;
  Seq seq;
  Seq ack;
  std::uint8_t flags = 0;
  std::uint16_t window = 0;   // the field as sent (already scaled down)
  TcpOptions options;         // emitted in the layout of tcp.h
};

// Replaces `out` with a complete frame: Ethernet II, IPv4 (IHL 5, TOS 0, DF,
// no fragment) and TCP with correct checksums, then the payload. Frames
// shorter than 60 bytes are not padded: the MAC pads. The payload must fit
// the 16-bit IPv4 total length.
void build_tcp_frame(const TcpFrameFields& f, ConstBytes payload, std::vector<std::uint8_t>& out);

}  // namespace toevp::proto
