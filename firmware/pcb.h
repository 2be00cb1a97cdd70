// The protocol control block firmware hands to the NIC with OFFLOAD_CONN and
// reads back after UPLOAD_CONN, as a value with an encoder for the 128-byte
// TCB table slot of model/abi/abi.h. Fields the NIC owns (RTT state, snd_max,
// the UPLOAD counters, the reserved tail) are carried so an uploaded TCB can
// be inspected, and are zero in a PCB firmware builds.
#pragma once

#include <array>
#include <cstdint>

#include "model/abi/abi.h"
#include "model/proto/bytes.h"

namespace toevp::fw {

using MacAddr = std::array<std::uint8_t, 6>;  // wire order: [0] goes first

struct Pcb {
  // Filled by firmware after the handshake.
  std::uint8_t state = abi::kTcbFree;
  std::uint8_t flags = 0;  // abi::kTcbFlag*
  std::uint8_t snd_wscale = 0;
  std::uint8_t rcv_wscale = 0;
  std::uint16_t mss = 0;  // payload bytes per segment
  std::uint16_t local_port = 0;
  std::uint16_t remote_port = 0;
  std::uint8_t ttl = 64;
  std::uint8_t tos = 0;
  MacAddr local_mac{};
  MacAddr remote_mac{};
  std::uint32_t local_ip = 0;
  std::uint32_t remote_ip = 0;
  std::uint32_t snd_una = 0;
  std::uint32_t snd_nxt = 0;
  std::uint32_t snd_wnd = 0;
  std::uint32_t rcv_nxt = 0;
  std::uint32_t rcv_wnd = 0;
  std::uint32_t cwnd = 0;
  std::uint32_t ssthresh = 0;
  std::uint32_t ts_recent = 0;
  std::uint32_t ts_offset = 0;
  std::uint16_t ip_id = 0;
  // Owned by the NIC.
  std::uint32_t srtt_ns = 0;
  std::uint32_t rttvar_ns = 0;
  std::uint32_t rto_ns = 0;
  std::uint32_t snd_max = 0;
  std::uint32_t msg_unacked = 0;
  std::uint32_t bytes_unacked = 0;
};

// Writes all abi::kTcbBytes of `out`; reserved bytes are zero.
void encode_pcb(const Pcb& pcb, proto::Bytes out);
Pcb decode_pcb(proto::ConstBytes in);

}  // namespace toevp::fw
