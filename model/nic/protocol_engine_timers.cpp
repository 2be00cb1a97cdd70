// ProtocolEngine: the per-connection timers on one heap (retransmission,
// RFC 6298; persist, RFC 9293 3.8.6.1; delayed ACK, RFC 1122 4.2.3.2) and the
// ways a connection stops being served. See protocol_engine.h.
#include <algorithm>

#include "model/nic/protocol_engine.h"

namespace toevp::model {

using sc_core::sc_time;

namespace {
std::uint64_t tuple_key(std::uint32_t remote_ip, std::uint16_t remote_port, std::uint16_t local_port) {
  return (std::uint64_t{remote_ip} << 32) | (std::uint64_t{remote_port} << 16) | local_port;
}
}  // namespace

// One heap entry per arming; an entry whose generation is no longer the
// timer's is stale and skipped. Deadlines fall on core clock edges.
void ProtocolEngine::arm_timer(std::uint16_t conn, ConnState& c, TimerKind kind, std::int64_t after_ns) {
  Timer& tm = c.timers[kind];
  tm.gen = ++timer_gen_;
  tm.armed = true;
  tm.deadline = core_.align_up(now() + sc_time(double(after_ns), sc_core::SC_NS));
  const bool earliest = timers_.empty() || tm.deadline < timers_.top().deadline;
  timers_.push(TimerEntry{tm.deadline, conn, kind, tm.gen});
  if (earliest) timer_event_.notify(tm.deadline - sc_core::sc_time_stamp());
}

void ProtocolEngine::stop_timer(ConnState& c, TimerKind kind) { c.timers[kind].armed = false; }

void ProtocolEngine::stop_all_timers(ConnState& c) {
  for (int k = 0; k < kTimerKinds; ++k) stop_timer(c, static_cast<TimerKind>(k));
}

bool ProtocolEngine::timer_live(std::uint16_t conn, TimerKind kind, std::uint64_t gen) const {
  auto it = conns_.find(conn);
  return it != conns_.end() && it->second.timers[kind].armed && it->second.timers[kind].gen == gen;
}

// A timer expires on its deadline. In cycle mode a retransmission or persist
// expiry is an event of the receive pipeline, queued behind every segment
// MacRx handed over before it and processed like one (TCB access, then
// pe.rx_cycles): an ACK that reached the NIC before the deadline is
// processed first and restarts or stops the timer, so the expiry finds it
// stale. RFC 6298 times the ACK's arrival, not how long the engine takes to
// get to it: when a burst of TCB misses (about 850 ns each, one at a time)
// held ACKs in the queue for longer than the RTO, expiring at once counted
// timeouts, collapsed cwnd and backed the RTO off for data already
// acknowledged (found by the workload: 300 timeouts and no segment resent,
// 4096 connections through a 256-entry TCB cache). Until it is processed
// the timer stays armed, so nothing arms it again meanwhile. Delayed-ACK
// expiries act at once (an ACK owed stays owed whatever is queued), as does
// every expiry in fast mode, which processes a segment in the activation
// that delivers it (there is no queue to overtake).
void ProtocolEngine::timer_method() {
  const sc_time now = sc_core::sc_time_stamp();
  auto live = [this](const TimerEntry& e) { return timer_live(e.conn, e.kind, e.gen); };
  while (!timers_.empty() && timers_.top().deadline <= now) {
    const TimerEntry e = timers_.top();
    timers_.pop();
    if (!live(e)) continue;
    if (e.kind != kDelackTimer && !params_.fast) {
      rx_queue_.push_back(RxItem{e.conn, RxSegment{}, now, e.kind, e.gen});
      rx_event_.notify(sc_core::SC_ZERO_TIME);
      continue;
    }
    ConnState& c = conns_.at(e.conn);
    c.timers[e.kind].armed = false;
    fire_timer(e.conn, c, e.kind);
  }
  // Drop stale entries at the top so the next notification is meaningful.
  while (!timers_.empty() && !live(timers_.top())) timers_.pop();
  if (!timers_.empty()) timer_event_.notify(timers_.top().deadline - now);
}

// A queued expiry at the head of the receive pipeline, its TCB on chip.
void ProtocolEngine::on_expiry_event(std::uint16_t conn, TimerKind kind, std::uint64_t gen) {
  if (!timer_live(conn, kind, gen)) return;  // restarted or stopped while the TCB was fetched
  ConnState& c = conns_.at(conn);
  c.timers[kind].armed = false;
  fire_timer(conn, c, kind);
}

void ProtocolEngine::fire_timer(std::uint16_t conn, ConnState& c, TimerKind kind) {
  if (!c.offloaded || c.uploading) return;
  switch (kind) {
    case kRtoTimer: on_rto(conn, c); break;
    case kPersistTimer: on_persist(conn, c); break;
    case kDelackTimer: on_delack(conn, c); break;
    default: break;
  }
}

// RFC 6298 5.1: the timer starts, if it is not running, when a segment with
// data (or a FIN) leaves the engine for the DMA engine (docs/timing.md), not
// when the segment was decided: the decision waits for its TCB (a miss
// costs a PCIe read) and for room in the transmit buffer first.
void ProtocolEngine::start_rto_after_handoff(std::uint16_t conn, ConnState& c) {
  if (!c.rto_on_handoff) return;
  c.rto_on_handoff = false;
  if (!c.offloaded || c.uploading || c.tcb.snd_una == c.tcb.snd_max || c.timers[kRtoTimer].armed) return;
  arm_timer(conn, c, kRtoTimer, c.rto->rto_ns());
}

void ProtocolEngine::on_rto(std::uint16_t conn, ConnState& c) {
  proto::Tcb& t = c.tcb;
  if (t.snd_una == t.snd_max) return;
  ++stats_.timeouts;
  if (++c.retries > params_.max_retries) {
    give_up(conn, c, abi::Status::kTimeout, abi::ConnEvent::kTimeout);
    return;
  }
  // RFC 5681 section 3.1 eq. 4 and RFC 6298 5.5-5.6: collapse cwnd, back
  // off, and resend from the oldest unacknowledged byte (go-back-N).
  c.cc->on_timeout(static_cast<std::uint32_t>(t.snd_max - t.snd_una));
  c.lr->on_timeout(t.snd_max);
  c.rto->on_timeout();
  c.rtt_timing = false;
  c.retransmit_now = false;
  t.snd_nxt = t.snd_una;
  c.tx_ctx = c.ctx_head;
  arm_timer(conn, c, kRtoTimer, c.rto->rto_ns());
  make_ready(conn);
}

// The persist timer runs while the peer's window is closed, data waits and
// nothing is in flight; it backs off like the retransmission timer (RFC 9293
// 3.8.6.1, RFC 1122 4.2.2.17) but never gives up while the peer answers.
void ProtocolEngine::start_persist(std::uint16_t conn, ConnState& c) {
  if (c.timers[kPersistTimer].armed || c.timers[kRtoTimer].armed) return;
  const std::int64_t base = c.rto->rto_ns();
  const std::int64_t after = std::min(base << std::min(c.persist_backoff, 20u), params_.rto_max_ns);
  arm_timer(conn, c, kPersistTimer, after);
}

void ProtocolEngine::on_persist(std::uint16_t conn, ConnState& c) {
  if (c.tcb.snd_wnd != 0) return;
  c.probe_now = true;
  ++c.persist_backoff;
  start_persist(conn, c);
  make_ready(conn);
}

void ProtocolEngine::on_delack(std::uint16_t conn, ConnState& c) {
  if (c.unacked_segments == 0) return;
  ++stats_.delayed_acks;
  c.ack_pending = true;
  make_ready(conn);
}

// Every message still held completes with `status` and every posted receive
// buffer is handed back (with the bytes it holds, if any): nothing is left
// for firmware to wait for.
void ProtocolEngine::release_all(std::uint16_t conn, ConnState& c, abi::Status status, const sc_time& at) {
  while (c.ctx_head != kNoContext) {
    const std::uint32_t i = c.ctx_head;
    const MessageContext m = contexts_.at(i);
    c.ctx_head = m.next;
    contexts_.release(i);
    if (!m.last_of_message) continue;
    Completion done;
    done.type = abi::CqeType::kSendDone;
    done.status = status;
    done.conn = conn;
    done.length = m.message_bytes;
    done.cookie = m.cookie;
    done.sq_index = m.sq_index;
    done.opcode = static_cast<std::uint8_t>(abi::Opcode::kSend);
    completions_.post(done, at);
  }
  c.ctx_tail = c.tx_ctx = kNoContext;
  c.contexts = 0;
  c.messages = 0;
  while (!c.recv_buffers.empty()) {
    const bool has_data = c.recv_buffers.front().filled > 0;
    complete_recv_buffer(conn, c, has_data ? abi::Status::kOk : status, at);
  }
}

// The connection leaves the NIC: its final TCB goes back to its slot (a
// posted write) and its 4-tuple goes to the raw path again.
void ProtocolEngine::stop_serving(std::uint16_t conn, ConnState& c) {
  stop_all_timers(c);
  tcb_cache_.flush(conn, core_.align_up(now()));
  c.offloaded = false;
  c.uploading = false;
  by_tuple_.erase(tuple_key(c.tcb.remote_ip, c.tcb.remote_port, c.tcb.local_port));
  --offloaded_count_;
}

// Both FINs are acknowledged (ours by the peer, the peer's by the ACK just
// sent): nothing is left for the NIC to do. TIME-WAIT (RFC 9293 3.6) is
// firmware's: a retransmitted FIN of the peer now arrives on the raw path.
void ProtocolEngine::finish_if_closed(std::uint16_t conn, ConnState& c) {
  if (!c.offloaded || c.uploading || !c.fin_acked || !c.peer_fin || c.ack_pending || c.in_ready_list) return;
  release_all(conn, c, abi::Status::kAborted, now());  // unused receive buffers
  c.tcb.state = abi::kTcbClosed;
  stop_serving(conn, c);
}

void ProtocolEngine::give_up(std::uint16_t conn, ConnState& c, abi::Status status, abi::ConnEvent ev) {
  // Never silent: every message still held completes with an error status,
  // then one CONN_EVENT says why the connection ended.
  release_all(conn, c, status, now());
  c.tcb.state = abi::kTcbClosed;
  stop_serving(conn, c);
  ++stats_.connections_failed;
  Completion e;
  e.type = abi::CqeType::kConnEvent;
  e.status = status;
  e.conn = conn;
  e.event = ev;
  completions_.post(e, now());
}

}  // namespace toevp::model
