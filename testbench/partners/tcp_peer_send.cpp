// TcpPeerLogic: the peer as a data sender, for the NIC's receive path. The
// application answers every request_bytes received with response_bytes of
// pattern data; the sender keeps a fixed window within the NIC's advertised
// one, resends from snd_una (go-back-N) on a timeout or the third duplicate
// ACK, and probes a closed window (up to one MSS) when nothing is in flight
// (RFC 9293 3.8.6.1). No congestion control: the peer is a test partner
// whose only job is to get every byte to the NIC, in order, eventually.
#include <algorithm>

#include "firmware/examples/payload_pattern.h"
#include "testbench/partners/tcp_peer_logic.h"

namespace toevp::tb {

using proto::Seq;

void TcpPeerLogic::expect_request(std::uint32_t key, std::uint64_t request_bytes, std::uint64_t response_bytes) {
  expected_requests_[key].emplace_back(request_bytes, response_bytes);
}

// Queues the responses the requests received so far ask for.
void TcpPeerLogic::queue_responses(PeerConnection& c) {
  if (params_.framed_requests) {
    const auto it = expected_requests_.find(c.pattern_key);
    if (it == expected_requests_.end()) return;
    auto& q = it->second;
    while (!q.empty() && c.stats.bytes_delivered - c.next_request_offset >= q.front().first) {
      c.next_request_offset += q.front().first;
      if (q.front().second > 0) {
        c.tx_queued += q.front().second;
        c.response_ends.push_back(c.tx_queued);
      }
      ++c.stats.responses_queued;
      q.pop_front();
    }
    return;
  }
  if (params_.response_bytes == 0) return;
  const std::uint64_t wanted =
      params_.request_bytes == 0 ? 1 : c.stats.bytes_delivered / params_.request_bytes;
  if (wanted <= c.stats.responses_queued) return;
  c.tx_queued += (wanted - c.stats.responses_queued) * params_.response_bytes;
  c.stats.responses_queued = wanted;
}

// The send stream offset where the response holding byte `offset` ends.
std::uint64_t TcpPeerLogic::response_end_after(const PeerConnection& c, std::uint64_t offset) const {
  if (params_.framed_requests) {
    const auto it = std::upper_bound(c.response_ends.begin(), c.response_ends.end(), offset);
    return it == c.response_ends.end() ? c.tx_queued : *it;
  }
  return offset + (params_.response_bytes - offset % params_.response_bytes);
}

bool TcpPeerLogic::ends_response(const PeerConnection& c, std::uint64_t offset) const {
  if (params_.framed_requests) return std::binary_search(c.response_ends.begin(), c.response_ends.end(), offset);
  return offset % params_.response_bytes == 0;
}

// Sends what the windows allow from snd_nxt; arms the retransmission or the
// persist timer.
void TcpPeerLogic::send_data(PeerConnection& c) {
  if (c.state != TcpState::kEstablished && c.state != TcpState::kCloseWait) return;
  const Seq end = c.data_end();
  const std::uint32_t window = std::min(c.snd_wnd, params_.send_window_bytes);
  // The MSS option counts no TCP options: a segment carrying timestamps has
  // 12 bytes less room for data (RFC 6691 section 2).
  const std::uint32_t mss = c.peer_mss - (c.ts_on ? 12u : 0u);
  while (c.snd_nxt < end) {
    const auto in_flight = static_cast<std::uint32_t>(c.snd_nxt - c.snd_una);
    if (in_flight >= window) break;
    std::uint32_t len = std::min<std::uint32_t>({mss, static_cast<std::uint32_t>(end - c.snd_nxt),
                                                  window - in_flight});
    // A segment never crosses the end of a response, so PSH marks each end.
    const std::uint64_t offset = static_cast<std::uint32_t>(c.snd_nxt - (c.iss + 1));
    const std::uint64_t to_boundary = response_end_after(c, offset) - offset;
    len = static_cast<std::uint32_t>(std::min<std::uint64_t>(len, to_boundary));
    // Sender SWS avoidance (RFC 9293 3.8.6.2.1): no small segment while
    // something is in flight, unless it ends a response.
    if (len < mss && len < to_boundary && in_flight > 0) break;
    send_segment(c, c.snd_nxt, len);
    c.snd_nxt += len;
    if (c.snd_max < c.snd_nxt) {
      c.stats.data_bytes_sent += static_cast<std::uint32_t>(c.snd_nxt - c.snd_max);
      c.snd_max = c.snd_nxt;
    }
  }
  // A probe byte beyond a closed window is not "in flight": the persist
  // timer, not the retransmission timer, looks after it.
  if (c.snd_nxt != c.snd_una) {
    if (c.rto_at == kNever || c.persist) {
      c.persist = false;
      c.rto_at = now_ + (params_.rto_ns << std::min(c.retries, 20u));
    }
  } else if (c.snd_nxt < end && c.snd_wnd == 0 && (c.rto_at == kNever || !c.persist)) {
    c.persist = true;  // closed window, nothing in flight
    c.rto_at = now_ + (params_.rto_ns << std::min(c.retries, 20u));
  }
}

void TcpPeerLogic::send_segment(PeerConnection& c, Seq seq, std::uint32_t len) {
  const std::uint64_t offset = static_cast<std::uint32_t>(seq - (c.iss + 1));
  payload_.resize(len);
  fw::PayloadPattern::instance().fill(fw::kReverseStreamKeyBase + c.pattern_key, offset, payload_.data(), len);
  const bool response_end = ends_response(c, offset + len);
  if (seq < c.snd_max) ++c.stats.data_segments_resent;
  const std::uint16_t win = advertise(c);
  emit(c, proto::kTcpAck | (response_end ? proto::kTcpPsh : 0), seq, timestamp_option(c), win, payload_);
}

// The data timer: a retransmission timeout resends from snd_una with the
// timer backed off (RFC 6298 5.5); the persist timer sends a probe beyond
// the closed window and backs off too, without giving up. The probe carries
// up to one MSS (RFC 9293 3.8.6.1 asks for at least one octet): a window the
// scale factor rounds down to 0 may hold a few bytes, which the NIC keeps.
void TcpPeerLogic::on_data_timer(PeerConnection& c) {
  if (c.persist) {
    c.persist = false;
    if (c.snd_wnd == 0 && c.snd_nxt < c.data_end()) {
      ++c.stats.window_probes_sent;
      const std::uint32_t mss = c.peer_mss - (c.ts_on ? 12u : 0u);
      const auto len = std::min<std::uint32_t>(mss, static_cast<std::uint32_t>(c.data_end() - c.snd_nxt));
      send_segment(c, c.snd_nxt, len);
      if (c.snd_max < c.snd_nxt + len) c.snd_max = c.snd_nxt + len;
      c.retries = std::min(c.retries + 1, 10u);
      c.persist = true;
      c.rto_at = now_ + (params_.rto_ns << c.retries);
    }
    return;
  }
  if (c.snd_una == c.snd_max) return;
  if (++c.retries > params_.max_retries + 10) {
    c.stats.gave_up = true;
    close(c);
    return;
  }
  ++c.stats.data_timeouts;
  c.snd_nxt = c.snd_una;
  c.dupacks = 0;
  c.rto_at = kNever;
  send_data(c);
}

// The ACK side of sending: a new ACK moves snd_una (and snd_nxt after a
// go-back-N), a third duplicate resends from snd_una.
void TcpPeerLogic::on_data_ack(PeerConnection& c, Seq ack, bool duplicate_candidate) {
  if (ack > c.snd_una) {
    c.snd_una = ack;
    // Responses wholly acknowledged are never sent again.
    const std::uint64_t acked = static_cast<std::uint32_t>(ack - (c.iss + 1));
    while (!c.response_ends.empty() && c.response_ends.front() <= acked) c.response_ends.pop_front();
    if (c.snd_nxt < ack) c.snd_nxt = ack;
    c.dupacks = 0;
    c.retries = 0;
    c.rto_at = kNever;
    c.persist = false;
    return;
  }
  if (!duplicate_candidate || c.snd_una == c.snd_max) return;
  if (++c.dupacks == 3) {
    ++c.stats.go_back_n;
    c.snd_nxt = c.snd_una;
  }
}

}  // namespace toevp::tb
