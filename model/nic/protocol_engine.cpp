// ProtocolEngine: transmit scheduling, segmentation, ACK processing and the
// retransmission timer. See protocol_engine.h.
#include "model/nic/protocol_engine.h"

#include <algorithm>

#include "model/proto/tcp.h"
#include "model/proto/window.h"

namespace toevp::model {

using proto::Seq;
using sc_core::sc_time;

namespace {
std::uint64_t tuple_key(std::uint32_t remote_ip, std::uint16_t remote_port, std::uint16_t local_port) {
  return (std::uint64_t{remote_ip} << 32) | (std::uint64_t{remote_port} << 16) | local_port;
}
}  // namespace

ProtocolEngine::ProtocolEngine(sc_core::sc_module_name name, const ProtocolEngineParams& params,
                               const ClockDomain& core, TcbCache& tcb_cache, MessageContextTable& contexts,
                               CutThroughDma& dma, CompletionEngine& completions)
    : sc_module(name), params_(params), core_(core), tcb_cache_(tcb_cache), contexts_(contexts), dma_(dma),
      completions_(completions) {
  SC_THREAD(tx_thread);
  SC_THREAD(rx_thread);
  SC_METHOD(timer_method);
  sensitive << timer_event_;
  dont_initialize();
  tcb_cache_.set_encoder([this](std::uint16_t conn, std::uint8_t* out) { encode_tcb(conn, out); });
}

bool ProtocolEngine::offloaded(std::uint16_t conn) const {
  auto it = conns_.find(conn);
  return it != conns_.end() && it->second.offloaded;
}

bool ProtocolEngine::closing(std::uint16_t conn) const {
  auto it = conns_.find(conn);
  return it != conns_.end() && (it->second.close_requested || it->second.tcb.state != abi::kTcbEstablished);
}

bool ProtocolEngine::offload(std::uint16_t conn, const proto::Tcb& pcb, std::string& why) {
  if (pcb.state != abi::kTcbEstablished) {
    why = "PCB state is not ESTABLISHED";
    return false;
  }
  if (pcb.mss == 0) {
    why = "PCB MSS is 0";
    return false;
  }
  if (pcb.snd_una != pcb.snd_nxt) {
    why = "PCB snd_una != snd_nxt (nothing may be in flight when offloading)";
    return false;
  }
  if (by_tuple_.count(tuple_key(pcb.remote_ip, pcb.remote_port, pcb.local_port))) {
    why = "another offloaded connection has the same 4-tuple";
    return false;
  }
  ConnState& c = conns_[conn];
  c = ConnState{};
  c.offloaded = true;
  c.tcb = pcb;
  c.tcb.snd_max = pcb.snd_nxt;
  c.snd_end = pcb.snd_nxt;
  c.snd_wl1 = pcb.rcv_nxt - 1;
  c.snd_wl2 = pcb.snd_una;
  const std::uint32_t iw = params_.initial_cwnd_segments * pcb.mss;
  c.cc = std::make_unique<proto::NewReno>(pcb.mss, pcb.cwnd ? pcb.cwnd : iw, pcb.ssthresh);
  proto::RtoParams rp;
  rp.initial_ns = params_.rto_initial_ns;
  rp.min_ns = params_.rto_min_ns;
  rp.max_ns = params_.rto_max_ns;
  rp.clock_granularity_ns = static_cast<std::int64_t>(core_.period_fs() / 1'000'000);
  c.rto = std::make_unique<proto::RtoEstimator>(rp);
  if (pcb.srtt_ns) c.rto->restore(pcb.srtt_ns, pcb.rttvar_ns, pcb.rto_ns ? pcb.rto_ns : params_.rto_initial_ns);
  by_tuple_[tuple_key(pcb.remote_ip, pcb.remote_port, pcb.local_port)] = conn;
  ++offloaded_count_;
  return true;
}

Seq ProtocolEngine::next_post_seq(std::uint16_t conn) const { return conns_.at(conn).snd_end; }

void ProtocolEngine::append_context(std::uint16_t conn, std::uint32_t ctx) {
  ConnState& c = conns_.at(conn);
  if (c.ctx_tail == kNoContext) {
    c.ctx_head = c.ctx_tail = ctx;
  } else {
    contexts_.at(c.ctx_tail).next = ctx;
    c.ctx_tail = ctx;
  }
  if (c.tx_ctx == kNoContext) c.tx_ctx = ctx;
  c.snd_end = contexts_.at(ctx).end_seq();
  ++c.contexts;
  make_ready(conn);
}

void ProtocolEngine::close(std::uint16_t conn, std::uint16_t sq_index) {
  ConnState& c = conns_.at(conn);
  c.close_requested = true;
  c.close_sq_index = sq_index;
  c.tcb.state = abi::kTcbClosing;
  make_ready(conn);
}

std::optional<std::uint16_t> ProtocolEngine::lookup(std::uint32_t remote_ip, std::uint16_t remote_port,
                                                    std::uint16_t local_port) const {
  auto it = by_tuple_.find(tuple_key(remote_ip, remote_port, local_port));
  if (it == by_tuple_.end()) return std::nullopt;
  return it->second;
}

void ProtocolEngine::encode_tcb(std::uint16_t conn, std::uint8_t* out128) const {
  auto it = conns_.find(conn);
  if (it == conns_.end()) return;
  const ConnState& c = it->second;
  proto::Tcb t = c.tcb;
  t.cwnd = c.cc ? c.cc->cwnd() : t.cwnd;
  t.ssthresh = c.cc ? c.cc->ssthresh() : t.ssthresh;
  if (c.rto && c.rto->has_sample()) {
    t.srtt_ns = static_cast<std::uint32_t>(std::min<std::int64_t>(c.rto->srtt_ns(), 0xFFFFFFFF));
    t.rttvar_ns = static_cast<std::uint32_t>(std::min<std::int64_t>(c.rto->rttvar_ns(), 0xFFFFFFFF));
  }
  if (c.rto) t.rto_ns = static_cast<std::uint32_t>(std::min<std::int64_t>(c.rto->rto_ns(), 0xFFFFFFFF));
  t.bytes_unacked = static_cast<std::uint32_t>(c.snd_end - c.tcb.snd_una);
  proto::encode_tcb(t, proto::Bytes(out128, abi::kTcbBytes));
}

std::uint64_t ProtocolEngine::contexts_linked() const {
  std::uint64_t n = 0;
  for (auto& [id, c] : conns_) n += c.contexts;
  return n;
}

void ProtocolEngine::make_ready(std::uint16_t conn) {
  ConnState& c = conns_.at(conn);
  if (c.in_ready_list || !c.offloaded) return;
  c.in_ready_list = true;
  ready_.push_back(conn);
  ready_event_.notify(sc_core::SC_ZERO_TIME);
}

// --- transmit ---------------------------------------------------------------

std::uint32_t ProtocolEngine::now_ts(const ConnState& c) const {
  // TSval clock: 1 tick per microsecond (RFC 7323 section 5.4 allows 1 ms to
  // 1 us per tick; a datacenter RTT needs the fine end).
  return c.tcb.ts_offset + static_cast<std::uint32_t>(ClockDomain::to_fs(sc_core::sc_time_stamp()) / 1'000'000'000ull);
}

std::uint16_t ProtocolEngine::rcv_window_field(const ConnState& c) const {
  return proto::window_field(c.tcb.rcv_wnd, c.tcb.rcv_wscale);
}

void ProtocolEngine::gather(ConnState& c, Seq seq, std::uint32_t len, std::vector<GatherPiece>& out) {
  // Start at the cursor if it is at or before seq, else from the head (after
  // a go-back-N retransmission the cursor was reset to the head).
  std::uint32_t i = c.tx_ctx;
  if (i == kNoContext || contexts_.at(i).start_seq > seq) i = c.ctx_head;
  while (i != kNoContext && contexts_.at(i).end_seq() <= seq) i = contexts_.at(i).next;
  c.tx_ctx = i;
  while (len > 0) {
    if (i == kNoContext) SC_REPORT_FATAL("toevp/pe", "segment beyond the posted data: context list broken");
    const MessageContext& m = contexts_.at(i);
    const std::uint32_t off = static_cast<std::uint32_t>(seq - m.start_seq);
    const std::uint32_t n = std::min(len, m.length - off);
    out.push_back(GatherPiece{m.host_addr + off, n});
    seq += n;
    len -= n;
    if (seq == m.end_seq()) i = m.next;
  }
}

bool ProtocolEngine::build_segment(std::uint16_t conn, ConnState& c, TxDescriptor& d) {
  proto::Tcb& t = c.tcb;
  const std::uint32_t in_flight = static_cast<std::uint32_t>(t.snd_nxt - t.snd_una);
  const std::uint32_t window = std::min(t.snd_wnd, c.cc->cwnd());
  const std::uint32_t usable = window > in_flight ? window - in_flight : 0;
  const std::uint32_t unsent = t.snd_nxt < c.snd_end ? static_cast<std::uint32_t>(c.snd_end - t.snd_nxt) : 0;
  const std::uint32_t want = std::min<std::uint32_t>(t.mss, unsent);
  std::uint32_t len = std::min(want, usable);
  // Sender silly-window avoidance (RFC 9293 section 3.8.6.2.1): send a full
  // segment, the last piece of posted data, or, with nothing in flight,
  // whatever the window allows.
  if (len < want && !(in_flight == 0 && len > 0)) len = 0;
  const bool fin_now = c.close_requested && !c.fin_sent && t.snd_nxt + len == c.snd_end;
  if (len == 0 && !fin_now && !c.ack_pending) return false;

  d.kind = TxDescriptor::Kind::kSegment;
  d.conn = conn;
  d.retransmission = t.snd_nxt < t.snd_max;
  hdrgen::HeaderRequest& h = d.header;
  h.dst_mac = t.remote_mac;
  h.src_mac = t.local_mac;
  h.src_ip = t.local_ip;
  h.dst_ip = t.remote_ip;
  h.ip_id = t.ip_id++;
  h.ttl = t.ttl;
  h.src_port = t.local_port;
  h.dst_port = t.remote_port;
  h.seq = t.snd_nxt.raw();
  h.ack = t.rcv_nxt.raw();
  h.flags = proto::kTcpAck;
  if (len > 0 && t.snd_nxt + len == c.snd_end) h.flags |= proto::kTcpPsh;
  if (fin_now) h.flags |= proto::kTcpFin;
  h.window = rcv_window_field(c);
  h.ts_en = t.timestamps();
  h.tsval = now_ts(c);
  h.tsecr = t.ts_recent;
  d.payload_len = len;
  if (len > 0) gather(c, t.snd_nxt, len, d.payload);

  if (len > 0 || fin_now) {
    if (!d.retransmission && !c.rtt_timing && !t.timestamps()) {
      c.rtt_timing = true;  // time this segment (Karn: only never-retransmitted data)
      c.rtt_seq = t.snd_nxt + len;
      c.rtt_start = sc_core::sc_time_stamp();
    }
    t.snd_nxt += len + (fin_now ? 1 : 0);
    if (fin_now) c.fin_sent = true;
    if (t.snd_nxt > t.snd_max) t.snd_max = t.snd_nxt;
    if (!c.timer_armed) arm_timer(conn, c);  // RFC 6298 section 5.1
    ++stats_.segments_sent;
    stats_.payload_bytes_sent += len;
    if (d.retransmission) ++stats_.retransmitted_segments;
  }
  c.ack_pending = false;
  return true;
}

void ProtocolEngine::tx_thread() {
  sc_time busy_until = sc_core::SC_ZERO_TIME;
  for (;;) {
    while (ready_.empty()) sc_core::wait(ready_event_);
    const std::uint16_t conn = ready_.front();
    ready_.pop_front();
    ConnState& c = conns_.at(conn);
    c.in_ready_list = false;
    if (!c.offloaded) continue;
    TxDescriptor d;
    if (!build_segment(conn, c, d)) continue;
    // One segment per tx_cycles, after the TCB is on chip.
    const sc_time start = std::max(core_.align_up(sc_core::sc_time_stamp()), busy_until);
    const sc_time tcb_ready = tcb_cache_.access(conn, start, true);
    busy_until = tcb_ready + core_.cycles(params_.tx_cycles);
    wait_until(busy_until);
    while (!dma_.can_push()) sc_core::wait(dma_.space_event());
    dma_.push(std::move(d));
    make_ready(conn);  // round robin: back to the tail; dropped there if it has nothing to send
  }
}

// --- receive and ACK processing -------------------------------------------

void ProtocolEngine::receive(std::uint16_t conn, const RxSegment& seg, const sc_time& ready) {
  rx_queue_.push_back(RxItem{conn, seg, ready});
  rx_event_.notify(sc_core::SC_ZERO_TIME);
}

void ProtocolEngine::rx_thread() {
  sc_time busy_until = sc_core::SC_ZERO_TIME;
  for (;;) {
    while (rx_queue_.empty()) sc_core::wait(rx_event_);
    RxItem item = rx_queue_.front();
    rx_queue_.pop_front();
    const sc_time start = std::max({core_.align_up(item.ready), busy_until, core_.align_up(sc_core::sc_time_stamp())});
    const sc_time tcb_ready = tcb_cache_.access(item.conn, start, true);
    busy_until = tcb_ready + core_.cycles(params_.rx_cycles);
    wait_until(busy_until);
    auto it = conns_.find(item.conn);
    if (it == conns_.end() || !it->second.offloaded) continue;
    ++stats_.rx_segments;
    process(item.conn, it->second, item.seg);
  }
}

void ProtocolEngine::process(std::uint16_t conn, ConnState& c, const RxSegment& seg) {
  proto::Tcb& t = c.tcb;
  if (seg.has_ts && seg.seq <= t.rcv_nxt) t.ts_recent = seg.tsval;  // RFC 7323 section 4.3
  if (seg.flags & proto::kTcpRst) {
    give_up(conn, c, abi::Status::kReset, abi::ConnEvent::kRstReceived);
    return;
  }
  if (seg.payload_len > 0) {
    // The offloaded receive path is not modelled yet: count the bytes and
    // owe the peer an ACK of what we have (it will retransmit).
    stats_.rx_data_ignored += seg.payload_len;
    c.ack_pending = true;
  }
  if (seg.flags & proto::kTcpAck) {
    if (seg.ack > t.snd_max) {
      ++stats_.acks_invalid;  // acks data never sent (RFC 9293 3.10.7.4): ACK and drop
      c.ack_pending = true;
    } else if (seg.ack > t.snd_una) {
      on_new_ack(conn, c, seg.ack, seg);
    } else if (seg.ack == t.snd_una && seg.payload_len == 0 && t.snd_max > t.snd_una) {
      ++stats_.acks_duplicate;
    }
    // Window update (RFC 9293 section 3.10.7.4).
    if (c.snd_wl1 < seg.seq || (c.snd_wl1 == seg.seq && c.snd_wl2 <= seg.ack)) {
      t.snd_wnd = proto::scaled_window(seg.window, t.snd_wscale);
      c.snd_wl1 = seg.seq;
      c.snd_wl2 = seg.ack;
    }
  }
  if ((seg.flags & proto::kTcpFin) && !c.peer_fin && seg.seq + seg.payload_len == t.rcv_nxt) {
    c.peer_fin = true;
    t.rcv_nxt += 1;
    c.ack_pending = true;
    Completion e;
    e.type = abi::CqeType::kConnEvent;
    e.conn = conn;
    e.event = abi::ConnEvent::kFinReceived;
    completions_.post(e, sc_core::sc_time_stamp());
  }
  make_ready(conn);
}

void ProtocolEngine::on_new_ack(std::uint16_t conn, ConnState& c, Seq ack, const RxSegment& seg) {
  proto::Tcb& t = c.tcb;
  const std::uint32_t flight = static_cast<std::uint32_t>(t.snd_max - t.snd_una);
  const std::uint32_t acked = static_cast<std::uint32_t>(ack - t.snd_una);
  ++stats_.acks_new;
  t.snd_una = ack;
  if (t.snd_nxt < ack) t.snd_nxt = ack;
  c.retries = 0;
  // RTT sample: from the echoed timestamp (RFC 7323 section 4.1), or from
  // the timed segment (RFC 6298 section 3, Karn's algorithm).
  if (t.timestamps() && seg.has_ts && seg.tsecr != 0) {
    const std::uint32_t ticks = now_ts(c) - seg.tsecr;
    c.rto->on_sample(std::int64_t{ticks} * 1000);
    ++stats_.rtt_samples;
  } else if (c.rtt_timing && ack >= c.rtt_seq) {
    c.rto->on_sample(static_cast<std::int64_t>((sc_core::sc_time_stamp() - c.rtt_start).to_seconds() * 1e9));
    c.rtt_timing = false;
    ++stats_.rtt_samples;
  }
  c.cc->on_ack(acked, flight);
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
    completions_.post(e, sc_core::sc_time_stamp());
  }
  // RFC 6298 section 5.2/5.3: stop the timer when all is acked, else restart.
  if (t.snd_una == t.snd_max) stop_timer(c);
  else arm_timer(conn, c);
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
      Completion done;
      done.type = abi::CqeType::kSendDone;
      done.status = abi::Status::kOk;
      done.conn = conn;
      done.length = m.message_bytes;
      done.cookie = m.cookie;
      done.sq_index = m.sq_index;
      done.opcode = static_cast<std::uint8_t>(abi::Opcode::kSend);
      completions_.post(done, sc_core::sc_time_stamp());
      ++stats_.send_done;
    }
  }
}

// --- retransmission timer (RFC 6298 section 5) --------------------------------

void ProtocolEngine::arm_timer(std::uint16_t conn, ConnState& c) {
  ++c.timer_gen;
  c.timer_armed = true;
  c.rto_deadline = core_.align_up(sc_core::sc_time_stamp() + sc_time(double(c.rto->rto_ns()), sc_core::SC_NS));
  const bool earliest = timers_.empty() || c.rto_deadline < timers_.top().deadline;
  timers_.push(TimerEntry{c.rto_deadline, conn, c.timer_gen});
  if (earliest) timer_event_.notify(c.rto_deadline - sc_core::sc_time_stamp());
}

void ProtocolEngine::timer_method() {
  const sc_time now = sc_core::sc_time_stamp();
  while (!timers_.empty() && timers_.top().deadline <= now) {
    const TimerEntry e = timers_.top();
    timers_.pop();
    auto it = conns_.find(e.conn);
    if (it == conns_.end() || !it->second.timer_armed || it->second.timer_gen != e.gen) continue;  // stale
    on_timeout(e.conn, it->second);
  }
  // Drop stale entries at the top so the next notification is meaningful.
  while (!timers_.empty()) {
    auto it = conns_.find(timers_.top().conn);
    if (it != conns_.end() && it->second.timer_armed && it->second.timer_gen == timers_.top().gen) break;
    timers_.pop();
  }
  if (!timers_.empty()) timer_event_.notify(timers_.top().deadline - now);
}

void ProtocolEngine::on_timeout(std::uint16_t conn, ConnState& c) {
  proto::Tcb& t = c.tcb;
  c.timer_armed = false;
  if (t.snd_una == t.snd_max) return;
  ++stats_.timeouts;
  if (++c.retries > params_.max_retries) {
    give_up(conn, c, abi::Status::kTimeout, abi::ConnEvent::kTimeout);
    return;
  }
  // RFC 5681 section 3.1 eq. 4 and RFC 6298 5.5-5.6: collapse cwnd, back
  // off, and resend from the oldest unacknowledged byte.
  c.cc->on_timeout(static_cast<std::uint32_t>(t.snd_max - t.snd_una));
  c.rto->on_timeout();
  c.rtt_timing = false;
  t.snd_nxt = t.snd_una;
  c.tx_ctx = c.ctx_head;
  if (c.fin_sent && !c.fin_acked) c.fin_sent = false;
  arm_timer(conn, c);
  make_ready(conn);
}

void ProtocolEngine::give_up(std::uint16_t conn, ConnState& c, abi::Status status, abi::ConnEvent ev) {
  // Never silent: every message still held completes with an error status,
  // then one CONN_EVENT says why the connection ended.
  while (c.ctx_head != kNoContext) {
    const std::uint32_t i = c.ctx_head;
    const MessageContext m = contexts_.at(i);
    c.ctx_head = m.next;
    contexts_.release(i);
    if (m.last_of_message) {
      Completion done;
      done.type = abi::CqeType::kSendDone;
      done.status = status;
      done.conn = conn;
      done.length = m.message_bytes;
      done.cookie = m.cookie;
      done.sq_index = m.sq_index;
      done.opcode = static_cast<std::uint8_t>(abi::Opcode::kSend);
      completions_.post(done, sc_core::sc_time_stamp());
    }
  }
  c.ctx_tail = c.tx_ctx = kNoContext;
  c.contexts = 0;
  stop_timer(c);
  c.offloaded = false;
  c.tcb.state = abi::kTcbClosed;
  by_tuple_.erase(tuple_key(c.tcb.remote_ip, c.tcb.remote_port, c.tcb.local_port));
  --offloaded_count_;
  Completion e;
  e.type = abi::CqeType::kConnEvent;
  e.status = status;
  e.conn = conn;
  e.event = ev;
  completions_.post(e, sc_core::sc_time_stamp());
}

}  // namespace toevp::model
