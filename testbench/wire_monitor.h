// WireMonitor: watches every frame on the link (an EthLink observer) and
// keeps what the reports need: when the first and last TCP data segment from
// the NIC started and ended on the wire, how many payload bytes they carried,
// and frame counts per direction. It parses frames with model/proto and never
// changes them.
#pragma once

#include <cstdint>

#include <systemc>

#include "model/link/eth_link.h"
#include "model/link/mac_serializer.h"

namespace toevp::tb {

class WireMonitor : public link::FrameObserver {
 public:
  WireMonitor(std::uint64_t rate_mbps, unsigned lane_bytes) : wire_(rate_mbps, lane_bytes) {}

  void on_frame(const link::EthFrame& frame, bool from_a, const sc_core::sc_time& first_bit) override;

  // A digest of every frame (direction, first-bit time in fs, bytes, FCS
  // flag) in wire order: two runs with equal digests put identical traffic
  // on the wire at identical times (model vs RTL header generator).
  std::uint64_t digest() const { return digest_; }

  std::uint64_t frames_from_nic() const { return frames_[0]; }
  std::uint64_t frames_from_peer() const { return frames_[1]; }
  std::uint64_t data_segments() const { return data_segments_; }
  std::uint64_t payload_bytes() const { return payload_bytes_; }
  std::uint32_t max_payload() const { return max_payload_; }
  sc_core::sc_time first_data_start() const { return first_data_; }
  sc_core::sc_time last_data_end() const { return last_data_end_; }
  // Bytes the link carried from the NIC (from_nic) or the peer, counting
  // preamble, FCS and inter-frame gap, over the whole run and over the
  // goodput window (the frames from the NIC's first data segment to the one
  // that ends last, and the peer's frames seen between them).
  std::uint64_t wire_bytes(bool from_nic) const { return wire_bytes_[from_nic ? 0 : 1]; }
  std::uint64_t window_wire_bytes(bool from_nic) const {
    const int d = from_nic ? 0 : 1;
    return window_end_bytes_[d] - window_start_bytes_[d];
  }

 private:
  link::MacSerializer wire_;  // for the length of a frame on the wire only
  std::uint64_t frames_[2] = {0, 0};
  std::uint64_t digest_ = 0;
  std::uint64_t data_segments_ = 0;
  std::uint64_t payload_bytes_ = 0;
  std::uint32_t max_payload_ = 0;
  sc_core::sc_time first_data_, last_data_end_;
  std::uint64_t wire_bytes_[2] = {0, 0};
  std::uint64_t window_start_bytes_[2] = {0, 0};
  std::uint64_t window_end_bytes_[2] = {0, 0};
};

}  // namespace toevp::tb
