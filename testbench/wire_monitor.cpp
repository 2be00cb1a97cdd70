// WireMonitor: data-segment timing on the wire. See wire_monitor.h.
#include "testbench/wire_monitor.h"

#include <cstring>
#include <vector>

#include <boost/container_hash/hash.hpp>

#include "model/common/clock_domain.h"
#include "model/proto/tcp_frame.h"

namespace toevp::tb {

namespace {
// FNV-1a over 8-byte words (then the tail bytes): a few instructions per
// word, so digesting every frame stays a small part of a simulated frame.
std::uint64_t bytes_digest(const std::vector<std::uint8_t>& d) {
  constexpr std::uint64_t kPrime = 0x100000001b3ull;
  std::uint64_t h = 0xcbf29ce484222325ull ^ d.size();
  std::size_t i = 0;
  for (; i + 8 <= d.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, d.data() + i, 8);
    h = (h ^ w) * kPrime;
  }
  for (; i < d.size(); ++i) h = (h ^ d[i]) * kPrime;
  return h;
}
}  // namespace

void WireMonitor::on_frame(const link::EthFrame& frame, bool from_a, const sc_core::sc_time& first_bit) {
  const int dir = from_a ? 0 : 1;
  ++frames_[dir];
  const std::uint64_t bytes = link::wire_bytes(frame.data.size());
  wire_bytes_[dir] += bytes + link::kIfgBytes;
  boost::hash_combine(digest_, from_a);
  boost::hash_combine(digest_, model::ClockDomain::to_fs(first_bit));
  boost::hash_combine(digest_, frame.fcs_ok);
  boost::hash_combine(digest_, bytes_digest(frame.data));
  if (!from_a) return;
  proto::TcpFrameView v;
  if (proto::parse_tcp_frame(frame.data, v, false) != proto::FrameError::kNone || v.payload.empty()) return;
  const sc_core::sc_time end =
      first_bit + model::ClockDomain::fs((bytes + wire_.lane_bytes() - 1) / wire_.lane_bytes() * wire_.cycle_fs());
  if (data_segments_ == 0) {
    first_data_ = first_bit;
    window_start_bytes_[0] = wire_bytes_[0] - bytes - link::kIfgBytes;
    window_start_bytes_[1] = wire_bytes_[1];
  }
  ++data_segments_;
  payload_bytes_ += v.payload.size();
  if (v.payload.size() > max_payload_) max_payload_ = static_cast<std::uint32_t>(v.payload.size());
  if (end >= last_data_end_) {
    last_data_end_ = end;
    window_end_bytes_[0] = wire_bytes_[0] - link::kIfgBytes;  // the window ends with this frame's last bit
    window_end_bytes_[1] = wire_bytes_[1];
  }
}

}  // namespace toevp::tb
