// ProtocolEngine: what a segment from the peer does, in the order of RFC 9293
// section 3.10.7.4: RST, ACK (new, duplicate, window update), segment text
// (the offloaded receive path) and FIN. See protocol_engine.h.
#include <algorithm>

#include "model/nic/protocol_engine.h"
#include "model/proto/tcp.h"
#include "model/proto/window.h"

namespace toevp::model {

using proto::Seq;
using sc_core::sc_time;

void ProtocolEngine::receive(std::uint16_t conn, RxSegment seg, const sc_time& ready) {
  if (params_.fast) return receive_now(conn, seg, ready);
  rx_queue_.push_back(RxItem{conn, std::move(seg), ready});
  rx_event_.notify(sc_core::SC_ZERO_TIME);
}

void ProtocolEngine::rx_thread() {
  sc_time busy_until = sc_core::SC_ZERO_TIME;
  for (;;) {
    while (rx_queue_.empty()) sc_core::wait(rx_event_);
    RxItem item = std::move(rx_queue_.front());
    rx_queue_.pop_front();
    // An expiry whose timer a segment ahead of it restarted or stopped is
    // dropped without a TCB access (the timer unit knows it is stale).
    if (item.expired != kTimerKinds && !timer_live(item.conn, item.expired, item.gen)) continue;
    const sc_time start = std::max({core_.align_up(item.ready), busy_until, core_.align_up(sc_core::sc_time_stamp())});
    const sc_time tcb_ready = tcb_cache_.access(item.conn, start, true);
    busy_until = tcb_ready + core_.cycles(params_.rx_cycles);
    wait_until(busy_until);
    if (item.expired != kTimerKinds) {
      on_expiry_event(item.conn, item.expired, item.gen);
      continue;
    }
    auto it = conns_.find(item.conn);
    if (it == conns_.end() || !it->second.offloaded) continue;
    ++stats_.rx_segments;
    process(item.conn, it->second, item.seg);
  }
}

void ProtocolEngine::process(std::uint16_t conn, ConnState& c, const RxSegment& seg) {
  proto::Tcb& t = c.tcb;
  if (seg.flags & proto::kTcpRst) return process_reset(conn, c, seg);
  // Fourth check (RFC 9293 3.10.7.4, RFC 5961 section 4.2): a SYN on a
  // synchronized connection, whatever its sequence number, gets a challenge
  // ACK and is dropped; a peer that really restarted answers with a RST at
  // rcv_nxt. Fifth check: a segment without ACK is dropped.
  if (seg.flags & proto::kTcpSyn) {
    ++stats_.syn_challenged;
    c.ack_pending = true;
    make_ready(conn);
    return;
  }
  if (!(seg.flags & proto::kTcpAck)) {
    ++stats_.rx_no_ack_dropped;
    return;
  }
  if (seg.has_ts && seg.seq <= t.rcv_nxt) t.ts_recent = seg.tsval;  // RFC 7323 section 4.3
  process_ack(conn, c, seg);
  if (!c.offloaded) return;
  if (seg.payload_len > 0 || (seg.flags & proto::kTcpFin)) accept_data(conn, c, seg);
  make_ready(conn);
  finish_if_closed(conn, c);
}

// A RST ends the connection only if it is the peer's (RFC 9293 3.10.7.4,
// first check, as RFC 5961 section 3.2 tightens it): its sequence number must
// be exactly rcv_nxt. One elsewhere in the receive window gets a challenge
// ACK, which a real peer that did reset answers with a RST at rcv_nxt; one
// outside the window is dropped. So a blind or stale RST from the link
// cannot end a connection. Challenge ACKs are not rate-limited (RFC 5961
// section 7 allows that): each costs one pure ACK, no more than the RST did.
// Once both FINs are done the connection is in TIME-WAIT until its last ACK
// has gone, and a RST then is ignored (RFC 1337): firmware has had its
// CONN_EVENT CLOSED and must not get a RST_RECEIVED after it.
void ProtocolEngine::process_reset(std::uint16_t conn, ConnState& c, const RxSegment& seg) {
  const proto::Tcb& t = c.tcb;
  if (c.fin_acked && c.peer_fin) {
    ++stats_.rst_ignored_time_wait;
    return;
  }
  if (seg.seq == t.rcv_nxt) {
    give_up(conn, c, abi::Status::kReset, abi::ConnEvent::kRstReceived);
    return;
  }
  if (seg.seq > t.rcv_nxt && seg.seq < c.rcv_adv) {
    ++stats_.rst_challenged;
    c.ack_pending = true;
    make_ready(conn);
    return;
  }
  ++stats_.rst_out_of_window;
}

// RFC 5681 section 2: outstanding data, no payload, no SYN/FIN, ACK equal to
// snd_una and the window unchanged. A closed window's probe answers are not
// duplicates (nothing but the probe byte is outstanding).
bool ProtocolEngine::is_duplicate_ack(const ConnState& c, const RxSegment& seg) const {
  const proto::Tcb& t = c.tcb;
  return seg.ack == t.snd_una && seg.payload_len == 0 && !(seg.flags & (proto::kTcpFin | proto::kTcpSyn)) &&
         t.snd_nxt > t.snd_una && t.snd_wnd != 0 &&
         proto::scaled_window(seg.window, t.snd_wscale) == t.snd_wnd;
}

void ProtocolEngine::process_ack(std::uint16_t conn, ConnState& c, const RxSegment& seg) {
  proto::Tcb& t = c.tcb;
  // An ACK beyond snd_max acks data never sent, with one exception: after an
  // UPLOAD and a new OFFLOAD the peer may ACK bytes the previous incarnation
  // sent (up to sent_before_offload) and this one has not sent again yet;
  // those are valid as far as they have been posted again (plus the FIN).
  const Seq reposted = c.snd_end + (c.close_requested ? 1 : 0);
  const Seq limit = proto::seq_max(t.snd_max, proto::seq_min(c.sent_before_offload, reposted));
  if (seg.ack > limit) {
    ++stats_.acks_invalid;  // acks data never sent (RFC 9293 3.10.7.4): ACK and drop
    c.ack_pending = true;
    return;
  }
  if (seg.ack > t.snd_una) {
    on_new_ack(conn, c, seg.ack, seg);
    if (!c.offloaded) return;
  } else if (is_duplicate_ack(c, seg)) {
    ++stats_.acks_duplicate;
    const auto flight = static_cast<std::uint32_t>(t.snd_max - t.snd_una);
    if (c.lr->on_duplicate_ack(seg.ack, t.snd_max, flight)) {
      ++stats_.fast_retransmits;
      c.retransmit_now = true;
    }
  }
  // Window update (RFC 9293 section 3.10.7.4).
  if (c.snd_wl1 < seg.seq || (c.snd_wl1 == seg.seq && c.snd_wl2 <= seg.ack)) {
    const std::uint32_t old = t.snd_wnd;
    t.snd_wnd = proto::scaled_window(seg.window, t.snd_wscale);
    c.snd_wl1 = seg.seq;
    c.snd_wl2 = seg.ack;
    if (old == 0 && t.snd_wnd != 0) {  // reopened: the persist timer is done
      stop_timer(c, kPersistTimer);
      c.persist_backoff = 0;
    }
  }
}

void ProtocolEngine::on_new_ack(std::uint16_t conn, ConnState& c, Seq ack, const RxSegment& seg) {
  proto::Tcb& t = c.tcb;
  const Seq old_una = t.snd_una;
  const auto flight = static_cast<std::uint32_t>(t.snd_max - old_una);
  ++stats_.acks_new;
  c.persist_backoff = 0;  // the peer takes data: probe at the base interval again
  t.snd_una = ack;
  if (t.snd_nxt < ack) t.snd_nxt = ack;
  if (t.snd_max < ack) t.snd_max = ack;
  c.retries = 0;
  // RTT sample: from the echoed timestamp (RFC 7323 section 4.1), or from
  // the timed segment (RFC 6298 section 3, Karn's algorithm).
  if (t.timestamps() && seg.has_ts && seg.tsecr != 0) {
    const std::uint32_t ticks = now_ts(c) - seg.tsecr;
    c.rto->on_sample(std::int64_t{ticks} * 1000);
    ++stats_.rtt_samples;
    stats_.rtt_sum_ns += ticks * 1000.0;
  } else if (c.rtt_timing && ack >= c.rtt_seq) {
    const double rtt_ns = (now() - c.rtt_start).to_seconds() * 1e9;
    c.rto->on_sample(static_cast<std::int64_t>(rtt_ns));
    c.rtt_timing = false;
    ++stats_.rtt_samples;
    stats_.rtt_sum_ns += rtt_ns;
  }
  if (c.lr->on_new_ack(old_una, ack, t.snd_max, flight)) {
    ++stats_.partial_ack_retransmits;  // RFC 6582 step 5: the next hole
    c.retransmit_now = true;
  }
  free_acked_contexts(conn, c);
  if (c.fin_sent && !c.fin_acked && t.snd_una == c.snd_end + 1) {
    c.fin_acked = true;
    t.state = abi::kTcbClosed;
    Completion e;
    e.type = abi::CqeType::kConnEvent;
    e.conn = conn;
    e.sq_index = c.close_sq_index;
    e.opcode = static_cast<std::uint8_t>(abi::Opcode::kClose);
    e.event = abi::ConnEvent::kClosed;
    completions_.post(e, now());
  }
  // RFC 6298 section 5.2/5.3: stop the timer when all is acked, else restart.
  if (t.snd_una == t.snd_max) stop_timer(c, kRtoTimer);
  else arm_timer(conn, c, kRtoTimer, c.rto->rto_ns());
}

void ProtocolEngine::free_acked_contexts(std::uint16_t conn, ConnState& c) {
  // Claim 6: free every context whose last byte is acked; claim 7: tell the
  // host the buffer may be reused, once per message, in order.
  while (c.ctx_head != kNoContext && contexts_.at(c.ctx_head).end_seq() <= c.tcb.snd_una) {
    const std::uint32_t i = c.ctx_head;
    const MessageContext m = contexts_.at(i);
    c.ctx_head = m.next;
    if (c.ctx_head == kNoContext) c.ctx_tail = kNoContext;
    if (c.tx_ctx == i) c.tx_ctx = c.ctx_head;
    --c.contexts;
    contexts_.release(i);
    if (m.last_of_message) {
      --c.messages;
      Completion done;
      done.type = abi::CqeType::kSendDone;
      done.status = abi::Status::kOk;
      done.conn = conn;
      done.length = m.message_bytes;
      done.cookie = m.cookie;
      done.sq_index = m.sq_index;
      done.opcode = static_cast<std::uint8_t>(abi::Opcode::kSend);
      completions_.post(done, now());
      ++stats_.send_done;
    }
  }
}

// --- the offloaded receive path ------------------------------------------------

// Segment text (RFC 9293 3.10.7.4, seventh check). Only the byte at rcv_nxt
// is accepted: data beyond a hole is dropped (the NIC holds no reassembly
// memory, docs/protocol.md) and answered with a duplicate ACK at once so the
// peer's fast retransmit starts (RFC 5681 4.2).
void ProtocolEngine::accept_data(std::uint16_t conn, ConnState& c, const RxSegment& seg) {
  proto::Tcb& t = c.tcb;
  const bool fin = (seg.flags & proto::kTcpFin) != 0;
  if (c.peer_fin) {  // after the peer's FIN nothing more is data: re-ACK it
    c.ack_pending = true;
    return;
  }
  if (seg.seq > t.rcv_nxt) {
    ++stats_.rx_ooo_dropped;
    c.ack_pending = true;
    return;
  }
  const auto old = static_cast<std::uint32_t>(t.rcv_nxt - seg.seq);
  if (old >= seg.payload_len && !(fin && old == seg.payload_len)) {
    ++stats_.rx_duplicate_segments;  // entirely old: the peer missed our ACK
    c.ack_pending = true;
    return;
  }
  const std::uint32_t len = seg.payload_len - old;
  std::uint32_t placed = 0;
  if (len > 0) {
    ++stats_.rx_data_segments;
    placed = place_data(conn, c, seg.payload.data() + old, len);
    t.rcv_nxt += placed;
    stats_.rx_data_bytes += placed;
    if (placed < len) {
      stats_.rx_no_buffer_bytes += len - placed;
      c.ack_pending = true;  // tell the peer where we stopped
    }
    // PSH (or the end of the peer's data) hands a partly filled buffer over.
    if (placed > 0 && ((seg.flags & proto::kTcpPsh) || fin) && !c.recv_buffers.empty() &&
        c.recv_buffers.front().filled > 0)
      complete_recv_buffer(conn, c, abi::Status::kOk, now());
  }
  if (fin && placed == len) {
    on_peer_fin(conn, c);
    return;
  }
  if (placed > 0) schedule_ack(conn, c);
}

// DMA-writes up to `len` bytes into the posted buffers in order; returns how
// many found room. RECV_DONE for every buffer that fills, when its last
// write has landed.
std::uint32_t ProtocolEngine::place_data(std::uint16_t conn, ConnState& c, const std::uint8_t* data,
                                         std::uint32_t len) {
  std::uint32_t done = 0;
  sc_time ready = now();
  while (done < len && !c.recv_buffers.empty()) {
    RecvBuffer& b = c.recv_buffers.front();
    const std::uint32_t n = std::min(len - done, b.len - b.filled);
    bool ok = true;
    const sc_time landed = rx_dma_ ? rx_dma_(b.addr + b.filled, data + done, n, ready, ok) : ready;
    b.landed = std::max(b.landed, landed);
    b.filled += n;
    c.recv_free -= n;
    done += n;
    if (!ok) {
      complete_recv_buffer(conn, c, abi::Status::kDmaError, landed);
      continue;
    }
    if (b.filled == b.len) complete_recv_buffer(conn, c, abi::Status::kOk, landed);
  }
  return done;
}

void ProtocolEngine::complete_recv_buffer(std::uint16_t conn, ConnState& c, abi::Status status,
                                          const sc_time& landed) {
  const RecvBuffer b = c.recv_buffers.front();
  c.recv_buffers.pop_front();
  c.recv_free -= b.len - b.filled;
  c.recv_posted -= b.len;
  Completion done;
  done.type = abi::CqeType::kRecvDone;
  done.status = status;
  done.conn = conn;
  done.length = b.filled;
  done.cookie = b.cookie;
  done.sq_index = b.sq_index;
  done.opcode = static_cast<std::uint8_t>(abi::Opcode::kPostRecv);
  // Never before the buffer's data is in host memory: firmware reads it then.
  completions_.post(done, std::max({landed, b.landed, now()}));
  ++stats_.recv_done;
}

// The peer closed its side: ACK at once, tell firmware (RFC 9293 3.10.7.4,
// eighth check).
void ProtocolEngine::on_peer_fin(std::uint16_t conn, ConnState& c) {
  c.peer_fin = true;
  c.tcb.rcv_nxt += 1;
  c.ack_pending = true;
  if (!c.recv_buffers.empty() && c.recv_buffers.front().filled > 0)
    complete_recv_buffer(conn, c, abi::Status::kOk, now());
  Completion e;
  e.type = abi::CqeType::kConnEvent;
  e.conn = conn;
  e.event = abi::ConnEvent::kFinReceived;
  completions_.post(e, now());
}

// RFC 1122 4.2.3.2 / RFC 5681 4.2: an ACK for at least every second
// segment, and no later than pe.ack_delay_us after the first unacked one.
void ProtocolEngine::schedule_ack(std::uint16_t conn, ConnState& c) {
  if (++c.unacked_segments >= 2 || params_.ack_delay_ns == 0) {
    c.ack_pending = true;
    return;
  }
  if (!c.timers[kDelackTimer].armed) arm_timer(conn, c, kDelackTimer, params_.ack_delay_ns);
}

}  // namespace toevp::model
