// WireMonitor: data-segment timing on the wire. See wire_monitor.h.
#include "testbench/wire_monitor.h"

#include <functional>
#include <string_view>

#include <boost/container_hash/hash.hpp>

#include "model/common/clock_domain.h"
#include "model/proto/tcp_frame.h"

namespace toevp::tb {

void WireMonitor::on_frame(const link::EthFrame& frame, bool from_a, const sc_core::sc_time& first_bit) {
  ++frames_[from_a ? 0 : 1];
  boost::hash_combine(digest_, from_a);
  boost::hash_combine(digest_, model::ClockDomain::to_fs(first_bit));
  boost::hash_combine(digest_, frame.fcs_ok);
  // std::hash of a string_view hashes in word-sized steps (murmur), far
  // cheaper per frame than combining byte by byte.
  boost::hash_combine(digest_, std::hash<std::string_view>{}(std::string_view(
                                   reinterpret_cast<const char*>(frame.data.data()), frame.data.size())));
  if (!from_a) return;
  proto::TcpFrameView v;
  if (proto::parse_tcp_frame(frame.data, v, false) != proto::FrameError::kNone || v.payload.empty()) return;
  const std::uint64_t bytes = link::wire_bytes(frame.data.size());
  const sc_core::sc_time end =
      first_bit + model::ClockDomain::fs((bytes + wire_.lane_bytes() - 1) / wire_.lane_bytes() * wire_.cycle_fs());
  if (data_segments_ == 0) first_data_ = first_bit;
  ++data_segments_;
  payload_bytes_ += v.payload.size();
  if (v.payload.size() > max_payload_) max_payload_ = static_cast<std::uint32_t>(v.payload.size());
  if (end > last_data_end_) last_data_end_ = end;
}

}  // namespace toevp::tb
