// TcpPeer: arrival, turnaround, MAC serialization and timers around
// TcpPeerLogic. See tcp_peer.h.
#include "testbench/partners/tcp_peer.h"

#include <cmath>

namespace toevp::tb {

using sc_core::sc_time;

TcpPeer::TcpPeer(sc_core::sc_module_name name, const TcpPeerParams& params, link::EthLink& link,
                 link::EthLink::Side my_side)
    : sc_module(name),
      frame_in("frame_in"),
      logic_(params),
      link_(link),
      side_(my_side),
      mac_(link.params().rate_mbps, link.params().lane_bytes),
      turnaround_(sc_time(static_cast<double>(params.turnaround_ns), sc_core::SC_NS)),
      fs_per_tick_(static_cast<std::uint64_t>(std::llround(sc_core::sc_get_time_resolution().to_seconds() * 1e15))) {
  if (fs_per_tick_ == 0) fs_per_tick_ = 1;
  frame_in.bind(*this);
  SC_METHOD(rx_method);
  sensitive << rx_event_;
  dont_initialize();
  SC_METHOD(timer_method);
  sensitive << timer_event_;
  dont_initialize();
}

void TcpPeer::receive_frame(const link::EthFrame& frame) {
  if (turnaround_ == sc_core::SC_ZERO_TIME) {
    handle(frame.data, frame.fcs_ok);
    return;
  }
  Pending p;
  p.due = sc_core::sc_time_stamp() + turnaround_;
  if (!spare_.empty()) {
    p.data = std::move(spare_.back());
    spare_.pop_back();
  }
  p.data.assign(frame.data.begin(), frame.data.end());
  p.fcs_ok = frame.fcs_ok;
  pending_.push_back(std::move(p));
  // Constant turnaround keeps arrival order, so the queue front is next.
  if (pending_.size() == 1) rx_event_.notify(turnaround_);
}

void TcpPeer::rx_method() {
  const sc_time now = sc_core::sc_time_stamp();
  while (!pending_.empty() && pending_.front().due <= now) {
    Pending& p = pending_.front();
    handle(p.data, p.fcs_ok);
    spare_.push_back(std::move(p.data));
    pending_.pop_front();
  }
  if (!pending_.empty()) rx_event_.notify(pending_.front().due - now);
}

void TcpPeer::timer_method() {
  timer_at_ns_ = kNever;
  outputs_.clear();
  logic_.on_timer(static_cast<std::int64_t>(now_fs() / 1'000'000), outputs_);
  transmit();
  reschedule_timer();
}

void TcpPeer::handle(proto::ConstBytes data, bool fcs_ok) {
  if (!fcs_ok) {  // the MAC drops it (IEEE 802.3 clause 3.2.9)
    logic_.on_fcs_error();
    return;
  }
  outputs_.clear();
  logic_.on_frame(data, static_cast<std::int64_t>(now_fs() / 1'000'000), outputs_);
  transmit();
  reschedule_timer();
}

void TcpPeer::transmit() {
  const std::uint64_t ready = now_fs();
  for (auto& o : outputs_) {
    const link::MacTiming t = mac_.transmit(o.frame.size(), ready);
    const sc_time first = from_fs(t.start_fs);
    const sc_time last = from_fs(t.end_fs);
    if (on_ack_sent_ && o.has_ack) on_ack_sent_(first, last, o.conn, o.ack);
    link::EthFrame f;
    f.data = std::move(o.frame);
    f.id = frame_id_++;
    link_.send(side_, std::move(f), first, last);
  }
  outputs_.clear();
}

// The event is only ever moved earlier. A deadline that moved later or went
// away (a delayed ACK replaced by an ACK, the common case) leaves the earlier
// notification in place: it fires, finds nothing due and re-arms. That costs
// one wake-up per delayed-ACK period instead of a cancel and a new kernel
// timer for every frame.
void TcpPeer::reschedule_timer() {
  const std::int64_t at = logic_.next_timer_ns().value_or(kNever);
  if (at >= timer_at_ns_) return;
  timer_at_ns_ = at;
  timer_event_.cancel();
  const sc_time when = from_fs(static_cast<std::uint64_t>(at) * 1'000'000);
  const sc_time now = sc_core::sc_time_stamp();
  timer_event_.notify(when > now ? when - now : sc_core::SC_ZERO_TIME);
}

std::uint64_t TcpPeer::now_fs() const { return sc_core::sc_time_stamp().value() * fs_per_tick_; }

// Rounded up to the time resolution: a frame never leaves before its time.
sc_time TcpPeer::from_fs(std::uint64_t fs) const {
  return sc_time::from_value((fs + fs_per_tick_ - 1) / fs_per_tick_);
}

}  // namespace toevp::tb
