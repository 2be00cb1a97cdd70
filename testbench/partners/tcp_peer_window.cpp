// TcpPeerLogic: the receiving application and the window the peer
// advertises. The application drains the receive buffer at app_read_mbps;
// the window is the free buffer space, advertised with receiver-side silly
// window avoidance (RFC 1122 section 4.2.3.3), scaled (RFC 7323 section 2.3)
// and never withdrawn (RFC 9293 section 3.8.6): rcv_adv, the right edge
// promised so far, only moves right.
#include <algorithm>

#include "testbench/partners/tcp_peer_logic.h"

#include "model/proto/window.h"

namespace toevp::tb {

using proto::Seq;

namespace {

std::uint64_t ceil_div(std::uint64_t a, std::uint64_t b) { return (a + b - 1) / b; }

}  // namespace

// Advances the reader to now_. 1 Mb/s is one bit per microsecond, so a
// reader at R Mb/s reads dt * R / 8000 bytes in dt nanoseconds; the
// remainder is carried so no rate is lost to rounding.
void TcpPeerLogic::drain(PeerConnection& c) {
  const std::uint64_t rate = params_.app_read_mbps;
  if (rate == 0 || c.buffered == 0) {
    c.buffered = 0;
    c.app_last_ns = now_;
    c.app_credit = 0;
    return;
  }
  if (now_ <= c.app_last_ns) return;
  const std::uint64_t credit = static_cast<std::uint64_t>(now_ - c.app_last_ns) * rate + c.app_credit;
  c.app_last_ns = now_;
  const std::uint64_t bytes = credit / 8000;
  if (bytes >= c.buffered) {
    c.buffered = 0;  // the reader went idle before now_
    c.app_credit = 0;
  } else {
    c.buffered -= bytes;
    c.app_credit = credit % 8000;
  }
}

// Receiver SWS avoidance: the right edge moves only by at least
// min(buffer / 2, MSS) (RFC 1122 section 4.2.3.3).
std::uint32_t TcpPeerLogic::sws_threshold() const {
  return std::max<std::uint32_t>(1, std::min<std::uint32_t>(params_.rcv_buffer_bytes / 2, params_.mss));
}

namespace {

// Where the right edge would be if the free space were advertised now.
Seq open_right_edge(const PeerConnection& c, std::uint32_t buffer) {
  const std::uint64_t free = buffer > c.buffered ? buffer - c.buffered : 0;
  const std::uint64_t max_window = std::uint64_t{65535} << c.rcv_wscale;
  return c.rcv_nxt + static_cast<std::uint32_t>(std::min(free, max_window));
}

}  // namespace

// The window field of the next segment; moves rcv_adv. The field is rounded
// down (proto::window_field), so with a shift the edge the NIC computes can
// sit up to 2^S - 1 bytes left of rcv_adv, the retraction RFC 7323 section
// 2.4 describes; data up to rcv_adv is still accepted. Rounding up instead
// would let the edge creep right on every ACK without the reader freeing a
// byte.
std::uint16_t TcpPeerLogic::advertise(PeerConnection& c) {
  const Seq right = open_right_edge(c, params_.rcv_buffer_bytes);
  if (right - c.rcv_adv >= static_cast<std::int32_t>(sws_threshold())) c.rcv_adv = right;
  if (c.rcv_adv < c.rcv_nxt) c.rcv_adv = c.rcv_nxt;
  const std::uint16_t field = proto::window_field(static_cast<std::uint32_t>(c.rcv_adv - c.rcv_nxt), c.rcv_wscale);
  if (field == 0 && c.last_window_field != 0) ++c.stats.window_zero_events;
  c.last_window_field = field;
  return field;
}

// A window update is worth a segment of its own when the window we
// advertised has become small (the NIC may be stalled on it) and the reader
// has freed enough to move the edge (RFC 9293 section 3.8.6.2.2).
bool TcpPeerLogic::window_update_due(const PeerConnection& c) const {
  const auto threshold = static_cast<std::int32_t>(sws_threshold());
  if (c.rcv_adv - c.rcv_nxt >= threshold) return false;
  return open_right_edge(c, params_.rcv_buffer_bytes) - c.rcv_adv >= threshold;
}

// When will the reader have read enough for something to happen: for the
// whole buffer to empty (our FIN waits for it), or for a small window to be
// worth an update.
void TcpPeerLogic::plan_app_timer(PeerConnection& c) {
  c.app_at = kNever;
  const std::uint64_t rate = params_.app_read_mbps;
  if (rate == 0 || c.buffered == 0 || c.state == TcpState::kClosed) return;
  std::uint64_t need = c.buffered;
  if (!c.close_pending) {
    const std::uint64_t threshold = sws_threshold();
    const auto remaining = static_cast<std::uint64_t>(std::max(0, c.rcv_adv - c.rcv_nxt));
    if (remaining >= threshold) return;  // updates ride on the ACKs of further data
    // Due once buffer - buffered - remaining >= threshold.
    const std::uint64_t target = params_.rcv_buffer_bytes - remaining - threshold;
    if (c.buffered <= target) return;  // due already, or held back by the 16-bit field
    need = c.buffered - target;
  }
  c.app_at = now_ + static_cast<std::int64_t>(ceil_div(need * 8000 - c.app_credit, rate));
}

}  // namespace toevp::tb
