// TcpPeerLogic: what the peer does with a segment, in the order of RFC 9293
// section 3.10.7 ("SEGMENT ARRIVES"): LISTEN, then for a connection the
// sequence check, RST, SYN, ACK, segment text and FIN.
#include <algorithm>
#include <iterator>

#include "firmware/examples/payload_pattern.h"
#include "model/proto/window.h"
#include "testbench/partners/tcp_peer_logic.h"

namespace toevp::tb {

using proto::ConstBytes;
using proto::Seq;
using proto::TcpFrameView;

namespace {

std::uint32_t segment_length(const TcpFrameView& v) {
  const std::uint8_t f = v.tcp.flags;
  return static_cast<std::uint32_t>(v.payload.size()) + ((f & proto::kTcpSyn) ? 1 : 0) +
         ((f & proto::kTcpFin) ? 1 : 0);
}

bool has(const TcpFrameView& v, std::uint8_t flag) { return (v.tcp.flags & flag) != 0; }

}  // namespace

// LISTEN (RFC 9293 section 3.10.7.2), or CLOSED for ports we do not listen on
// (section 3.10.7.1).
void TcpPeerLogic::on_listen(const TcpFrameView& v, const ConnKey& key) {
  if (has(v, proto::kTcpRst)) {
    ++stats_.frames_no_connection;
    return;
  }
  if (has(v, proto::kTcpAck)) {
    ++stats_.frames_no_connection;
    send_rst_reply(v);
    return;
  }
  if (!has(v, proto::kTcpSyn)) {
    ++stats_.frames_no_connection;
    return;
  }
  if (key.local_port < params_.listen_port_lo || key.local_port > params_.listen_port_hi) {
    ++stats_.syn_refused;
    send_rst_reply(v);
    return;
  }
  PeerConnection& c = open(v, key);
  send_synack(c);
  schedule(c);
}

void TcpPeerLogic::on_segment(PeerConnection& c, const TcpFrameView& v) {
  if (has(v, proto::kTcpSyn) && !has(v, proto::kTcpRst)) {
    update_ts_recent(c, v);
    // A retransmitted SYN gets the same SYN-ACK again (the NIC lost ours);
    // any other SYN on a synchronized connection a challenge ACK (RFC 9293
    // section 3.10.7.4, fourth check; RFC 5961 section 4.2).
    if (c.state == TcpState::kSynReceived && v.tcp.seq == c.irs && !has(v, proto::kTcpAck)) {
      send_synack(c);
    } else {
      send_ack(c);
    }
    return;
  }
  if (!acceptable(c, v)) {
    reject(c, v);
    return;
  }
  update_ts_recent(c, v);
  if (has(v, proto::kTcpRst)) {
    ++stats_.rst_received;
    c.stats.rst_received = true;
    close(c);
    return;
  }
  if (!has(v, proto::kTcpAck)) return;  // fifth check: no ACK, drop
  if (!process_ack(c, v)) return;
  if (c.state == TcpState::kEstablished) process_text(c, v);
  // CLOSE-WAIT and LAST-ACK ignore segment text after the FIN (section 3.10.7.4, seventh).
}

// The four cases of RFC 9293 section 3.4 ("segment acceptability"), against
// the window we advertised.
bool TcpPeerLogic::acceptable(const PeerConnection& c, const TcpFrameView& v) const {
  const std::uint32_t len = segment_length(v);
  const std::uint32_t wnd = c.rcv_adv > c.rcv_nxt ? static_cast<std::uint32_t>(c.rcv_adv - c.rcv_nxt) : 0;
  const Seq seq = v.tcp.seq;
  if (len == 0) return wnd == 0 ? seq == c.rcv_nxt : proto::seq_in_window(seq, c.rcv_nxt, wnd);
  if (wnd == 0) return false;
  return proto::seq_in_window(seq, c.rcv_nxt, wnd) || proto::seq_in_window(seq + (len - 1), c.rcv_nxt, wnd);
}

// An unacceptable segment is answered with an ACK unless it is an RST
// (RFC 9293 section 3.10.7.4, first check). That ACK is also the answer to a
// zero-window probe: it carries the current window.
void TcpPeerLogic::reject(PeerConnection& c, const TcpFrameView& v) {
  if (has(v, proto::kTcpRst)) return;
  const std::size_t len = v.payload.size();
  if (len > 0 && v.tcp.seq + static_cast<std::uint32_t>(len) <= c.rcv_nxt) {
    ++c.stats.duplicate_segments;
    c.stats.duplicate_bytes += len;
  } else if (len > 0 && c.rcv_adv == c.rcv_nxt) {
    ++c.stats.zero_window_probes;
  } else if (len > 0) {
    ++c.stats.out_of_window;
  }
  send_ack(c);
}

// RFC 9293 section 3.10.7.4, fifth check. Returns false when the segment is
// done with.
bool TcpPeerLogic::process_ack(PeerConnection& c, const TcpFrameView& v) {
  const Seq ack = v.tcp.ack;
  if (c.state == TcpState::kSynReceived) {
    if (!(c.snd_una < ack && ack <= c.snd_nxt)) {
      send_rst_reply(v);
      return false;
    }
    c.state = TcpState::kEstablished;
    c.stats.established_ns = now_;
    c.rto_at = kNever;
    c.retries = 0;
    queue_responses(c);
  }
  if (ack > c.snd_max) {  // acknowledges something we never sent
    send_ack(c);
    return false;
  }
  const std::uint32_t window = proto::scaled_window(v.tcp.window, c.snd_wscale);  // RFC 7323 section 2.3
  // RFC 5681 section 2: no data, no SYN/FIN, window unchanged.
  const bool duplicate = v.payload.empty() && !has(v, proto::kTcpFin) && window == c.snd_wnd && c.snd_wnd != 0;
  if (c.state == TcpState::kEstablished || c.state == TcpState::kCloseWait) on_data_ack(c, ack, duplicate);
  else if (ack > c.snd_una) c.snd_una = ack;
  c.snd_wnd = window;
  if (c.state == TcpState::kLastAck && c.snd_una == c.snd_nxt) {
    close(c);  // our FIN is acknowledged
    return false;
  }
  return true;
}

// Segment text and FIN in ESTABLISHED (RFC 9293 section 3.10.7.4, seventh
// and eighth checks) with the ACK policy of RFC 1122 section 4.2.3.2 and
// RFC 5681 section 4.2.
void TcpPeerLogic::process_text(PeerConnection& c, const TcpFrameView& v) {
  const bool fin = has(v, proto::kTcpFin);
  ConstBytes data = v.payload;
  if (data.empty() && !fin) return;
  if (v.tcp.seq > c.rcv_nxt) {  // a hole before it: kept (or dropped), duplicate ACK at once
    if (params_.reassembly) queue_out_of_order(c, v);
    else ++c.stats.ooo_dropped;
    send_ack(c);
    return;
  }
  const auto old = static_cast<std::uint32_t>(c.rcv_nxt - v.tcp.seq);
  if (old > 0) {  // partly a duplicate: only the new part is delivered
    const std::size_t skip = std::min<std::size_t>(old, data.size());
    c.stats.duplicate_bytes += skip;
    data = data.subspan(skip);
  }
  const auto room = static_cast<std::uint32_t>(c.rcv_adv - c.rcv_nxt);
  const bool trimmed = data.size() > room;  // beyond the window: cut (section 3.10.7.4)
  if (trimmed) data = data.first(room);
  if (!data.empty()) deliver(c, data);
  if (c.state != TcpState::kEstablished) return;  // aborted by rst_after_bytes
  // A segment that fills all or part of a hole is ACKed at once (RFC 5681 4.2).
  const bool gap = pull_reassembled(c) || !c.ooo.empty();
  if (c.state != TcpState::kEstablished) return;
  const bool fin_reached = c.ooo_fin && *c.ooo_fin == c.stats.bytes_delivered;
  if ((fin && !trimmed) || fin_reached) {
    c.ooo_fin.reset();
    process_fin(c);
  } else if (gap || trimmed || ++c.unacked_segments >= params_.ack_every || window_update_due(c)) {
    send_ack(c);
  } else if (c.delack_at == kNever) {
    c.delack_at = now_ + params_.delayed_ack_ns;
  }
}

// A segment beyond rcv_nxt: its in-window part is checked at its stream
// offset and its range remembered, merged with its neighbours.
void TcpPeerLogic::queue_out_of_order(PeerConnection& c, const TcpFrameView& v) {
  const auto ahead = static_cast<std::uint32_t>(v.tcp.seq - c.rcv_nxt);
  const auto window = static_cast<std::uint32_t>(std::max(0, c.rcv_adv - c.rcv_nxt));
  if (ahead >= window) return;
  ConstBytes data = v.payload;
  const bool trimmed = data.size() > window - ahead;
  if (trimmed) data = data.first(window - ahead);
  const std::uint64_t start = c.stats.bytes_delivered + ahead;
  std::uint64_t end = start + data.size();
  if (has(v, proto::kTcpFin) && !trimmed) c.ooo_fin = end;
  if (data.empty()) return;
  ++c.stats.ooo_queued;
  check_pattern(c, start, data);
  std::uint64_t lo = start;
  auto it = c.ooo.upper_bound(start);
  if (it != c.ooo.begin() && std::prev(it)->second >= start) {
    --it;
    lo = it->first;
    end = std::max(end, it->second);
    it = c.ooo.erase(it);
  }
  while (it != c.ooo.end() && it->first <= end) {
    end = std::max(end, it->second);
    it = c.ooo.erase(it);
  }
  c.ooo[lo] = end;
}

// Delivers queued ranges that are now contiguous. True if any was.
bool TcpPeerLogic::pull_reassembled(PeerConnection& c) {
  bool pulled = false;
  while (!c.ooo.empty() && c.ooo.begin()->first <= c.stats.bytes_delivered) {
    const std::uint64_t end = c.ooo.begin()->second;
    c.ooo.erase(c.ooo.begin());
    if (end <= c.stats.bytes_delivered) continue;
    advance(c, end - c.stats.bytes_delivered);
    pulled = true;
    if (c.state != TcpState::kEstablished) return true;
  }
  if (pulled) ++c.stats.holes_filled;
  return pulled;
}

// In-order bytes to the application, checked against the pattern at their
// stream offset (bytes delivered so far = seq - (IRS + 1), without wrapping).
void TcpPeerLogic::deliver(PeerConnection& c, ConstBytes data) {
  check_pattern(c, c.stats.bytes_delivered, data);
  advance(c, data.size());
}

void TcpPeerLogic::check_pattern(PeerConnection& c, std::uint64_t offset, ConstBytes data) {
  const auto& pattern = fw::PayloadPattern::instance();
  if (!params_.check_pattern || !c.stats.data_ok || pattern.matches(c.pattern_key, offset, data.data(), data.size()))
    return;
  c.stats.data_ok = false;
  for (std::size_t i = 0; i < data.size(); ++i) {
    if (!pattern.matches(c.pattern_key, offset + i, data.data() + i, 1)) {
      c.stats.first_bad_offset = offset + i;
      break;
    }
  }
}

void TcpPeerLogic::advance(PeerConnection& c, std::uint64_t bytes) {
  c.rcv_nxt += static_cast<std::uint32_t>(bytes);
  c.stats.bytes_delivered += bytes;
  ++c.stats.segments;
  if (params_.app_read_mbps != 0) c.buffered += bytes;
  queue_responses(c);
  if (params_.rst_after_bytes != 0 && c.stats.bytes_delivered >= params_.rst_after_bytes) send_rst(c);
}

// The NIC closes: ACK the FIN at once, then close our side as soon as the
// application has read everything (passive close, RFC 9293 section 3.6).
void TcpPeerLogic::process_fin(PeerConnection& c) {
  c.rcv_nxt += 1;
  c.stats.fin_received = true;
  c.stats.fin_offset = c.stats.bytes_delivered;
  c.state = TcpState::kCloseWait;
  send_ack(c);
  c.close_pending = true;
  if (c.buffered == 0 && c.tx_done()) send_fin(c);
}

// RFC 7323 section 4.3: remember the TSval of the segment that our next ACK
// acknowledges first; the window-edge test keeps delayed ACKs echoing the
// earliest unacknowledged segment's time.
void TcpPeerLogic::update_ts_recent(PeerConnection& c, const TcpFrameView& v) {
  if (!c.ts_on || !v.tcp.options.timestamps) return;
  const std::uint32_t tsval = v.tcp.options.timestamps->first;
  if (static_cast<std::int32_t>(tsval - c.ts_recent) >= 0 && v.tcp.seq <= c.last_ack_sent) {
    c.ts_recent = tsval;
  }
}

}  // namespace toevp::tb
