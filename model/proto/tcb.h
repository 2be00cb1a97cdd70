// The TCP control block as a value: every field of the 128-byte PCB/TCB
// slot defined in model/abi/abi.h, decoded into typed fields (Seq for
// sequence numbers, 48-bit MACs as numbers whose most significant byte is
// first on the wire). encode_tcb/decode_tcb convert to and from the host
// memory image through the kTcb* offsets of abi.h, so the NIC's TCB store,
// firmware tests and the platform all share one layout.
#pragma once

#include <array>
#include <cstdint>

#include "model/abi/abi.h"
#include "model/proto/bytes.h"
#include "model/proto/seq.h"

namespace toevp::proto {

// Bytes 96..127 of the slot: reserved for the NIC's own state. Round-tripped
// verbatim so the NIC can keep per-connection state across cache evictions.
inline constexpr unsigned kTcbNicReserved = 96;
inline constexpr unsigned kTcbNicReservedBytes = abi::kTcbBytes - kTcbNicReserved;

struct Tcb {
  std::uint8_t state = abi::kTcbFree;     // abi::kTcb{Free,Established,Closing,Closed,Uploaded}
  std::uint8_t flags = 0;                 // abi::kTcbFlagTimestamps | abi::kTcbFlagSackOk
  std::uint8_t snd_wscale = 0;            // peer's window scale shift (RFC 7323)
  std::uint8_t rcv_wscale = 0;            // our window scale shift
  std::uint16_t mss = 0;                  // payload bytes per segment
  std::uint16_t local_port = 0;
  std::uint16_t remote_port = 0;
  std::uint8_t ttl = 0;
  std::uint8_t tos = 0;
  std::uint64_t local_mac = 0;            // 48 bits
  std::uint64_t remote_mac = 0;           // 48 bits
  std::uint32_t local_ip = 0;             // 192.168.0.1 = 0xC0A80001
  std::uint32_t remote_ip = 0;
  Seq snd_una;
  Seq snd_nxt;
  std::uint32_t snd_wnd = 0;              // bytes, already scaled
  Seq rcv_nxt;
  std::uint32_t rcv_wnd = 0;              // bytes we advertise
  std::uint32_t cwnd = 0;                 // 0 = NIC picks its initial window
  std::uint32_t ssthresh = 0;             // 0 = NIC picks (infinite)
  std::uint32_t srtt_ns = 0;              // 0 = no sample yet
  std::uint32_t rttvar_ns = 0;
  std::uint32_t rto_ns = 0;               // 0 = initial RTO from config
  std::uint32_t ts_recent = 0;            // peer's last TSval (RFC 7323 section 4.3)
  std::uint32_t ts_offset = 0;            // our TSval base
  std::uint16_t ip_id = 0;                // next IPv4 identification
  Seq snd_max;                            // highest sequence sent + 1
  std::uint32_t msg_unacked = 0;
  std::uint32_t bytes_unacked = 0;
  std::array<std::uint8_t, kTcbNicReservedBytes> nic_reserved{};

  bool timestamps() const { return (flags & abi::kTcbFlagTimestamps) != 0; }
  bool sack_ok() const { return (flags & abi::kTcbFlagSackOk) != 0; }
  bool operator==(const Tcb&) const = default;
};

// Writes the 128-byte slot image into out[0..127] (out.size() >= 128).
// Reserved bytes 82..83 are written as zero.
void encode_tcb(const Tcb& t, Bytes out);

// Reads a 128-byte slot image (in.size() >= 128). No validation: checking
// what firmware wrote (state, MSS, zero reserved bytes) is the NIC's job.
Tcb decode_tcb(ConstBytes in);

}  // namespace toevp::proto
