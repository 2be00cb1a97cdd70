// An Ethernet frame as it travels between MACs in the platform: the bytes
// from the destination MAC address to the end of the payload (no preamble,
// no FCS), plus whether the FCS the sending MAC appended still matches.
//
// Why a flag instead of four FCS bytes: computing CRC-32 twice per frame
// would be the largest cost of a simulated frame. The sending MAC always
// appends a correct FCS, so the FCS is modelled by `fcs_ok`; a link fault
// that flips bits clears it (CRC-32 detects every burst of up to 32 bits,
// IEEE 802.3 clause 3.2.9, so the receiving MAC would reject the frame).
// Where real FCS bytes are needed (pcap, the TAP bridge) they are computed
// with Boost.CRC by whoever writes the frame out.
#pragma once

#include <cstdint>
#include <vector>

namespace toevp::link {

struct EthFrame {
  std::vector<std::uint8_t> data;  // destination MAC .. end of payload
  bool fcs_ok = true;              // false: the receiving MAC drops it (FCS error)
  std::uint64_t id = 0;            // sender-assigned sequence number, for traces
};

// Wire overhead of every frame, IEEE 802.3 clause 4.4.2 / 3.1.1.
inline constexpr unsigned kPreambleBytes = 8;   // 7 preamble + 1 SFD
inline constexpr unsigned kFcsBytes = 4;
inline constexpr unsigned kIfgBytes = 12;       // minimum inter-packet gap
inline constexpr unsigned kMinFrameBytes = 64;  // including FCS; shorter frames are padded

// Bytes the frame occupies on the wire from the first preamble byte to the
// end of the FCS (padding included), not counting the inter-frame gap.
inline unsigned wire_bytes(std::size_t frame_len_without_fcs) {
  unsigned with_fcs = static_cast<unsigned>(frame_len_without_fcs) + kFcsBytes;
  if (with_fcs < kMinFrameBytes) with_fcs = kMinFrameBytes;
  return kPreambleBytes + with_fcs;
}

}  // namespace toevp::link
