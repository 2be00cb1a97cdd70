// Line-rate serialization of frames by a MAC transmitter, in the MAC clock
// domain. Pure C++ (times are integer femtoseconds), shared by the NIC's
// MacTx and the link partners' MACs so both ends of a link count wire time
// the same way.
//
// The MAC clock moves `lane_bytes` bytes per cycle (100 GbE: 8 bytes every
// 640 ps). A frame (preamble, frame, FCS) starts on a cycle boundary. The
// inter-frame gap is 12 bytes on average: like a 10/40/100G MAC with a
// deficit idle count (IEEE 802.3 clause 46.3.1.4) the gap is shortened to
// align the next start to a cycle boundary while the accumulated deficit
// stays below one lane, and lengthened otherwise, so back-to-back frames
// reach exactly line rate over a run. docs/timing.md, "MAC transmit".
#pragma once

#include <algorithm>
#include <cstdint>

#include "model/link/eth_frame.h"

namespace toevp::link {

struct MacTiming {
  std::uint64_t start_fs = 0;  // first preamble bit leaves (a cycle boundary)
  std::uint64_t end_fs = 0;    // the cycle boundary after the last FCS bit
};

class MacSerializer {
 public:
  MacSerializer(std::uint64_t rate_mbps, unsigned lane_bytes)
      : lane_bytes_(lane_bytes),
        byte_fs_(8ull * 1'000'000'000ull / rate_mbps),
        cycle_fs_(byte_fs_ * lane_bytes) {}

  std::uint64_t cycle_fs() const { return cycle_fs_; }
  std::uint64_t byte_fs() const { return byte_fs_; }
  unsigned lane_bytes() const { return lane_bytes_; }

  // Schedules a frame of `frame_len` bytes (no FCS) that may start at
  // `ready_fs` or later. Frames are serialized in call order.
  MacTiming transmit(std::size_t frame_len, std::uint64_t ready_fs) {
    const std::uint64_t bytes = wire_bytes(frame_len);
    const std::uint64_t ready_byte = (ready_fs + cycle_fs_ - 1) / cycle_fs_ * lane_bytes_;
    std::uint64_t start = std::max(ready_byte, next_start_byte_);
    if (start > next_start_byte_) deficit_ = 0;  // the wire idled: the gap was paid in full
    const std::uint64_t end = start + bytes;
    const std::uint64_t ideal_next = end + kIfgBytes;
    const std::uint64_t floor = ideal_next / lane_bytes_ * lane_bytes_;
    const unsigned short_by = static_cast<unsigned>(ideal_next - floor);
    if (short_by == 0) {
      next_start_byte_ = ideal_next;
    } else if (deficit_ + short_by <= lane_bytes_ - 1) {
      next_start_byte_ = floor;  // shorten the gap, remember the debt
      deficit_ += short_by;
    } else {
      next_start_byte_ = floor + lane_bytes_;  // lengthen the gap, repay the debt
      const unsigned extra = lane_bytes_ - short_by;
      deficit_ = deficit_ > extra ? deficit_ - extra : 0;
    }
    payload_bytes_ += bytes;
    MacTiming t;
    t.start_fs = start * byte_fs_;
    t.end_fs = (end + lane_bytes_ - 1) / lane_bytes_ * cycle_fs_;
    return t;
  }

  // Earliest time the next frame could start.
  std::uint64_t next_free_fs() const { return next_start_byte_ * byte_fs_; }
  // Wire bytes sent so far (preamble + frame + FCS, gaps excluded).
  std::uint64_t wire_bytes_sent() const { return payload_bytes_; }

 private:
  unsigned lane_bytes_;
  std::uint64_t byte_fs_;
  std::uint64_t cycle_fs_;
  std::uint64_t next_start_byte_ = 0;
  unsigned deficit_ = 0;
  std::uint64_t payload_bytes_ = 0;
};

}  // namespace toevp::link
