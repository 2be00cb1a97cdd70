// ProtocolEngine: connection set-up and commands, the transmit scheduler and
// segment building. Receive and ACK processing are in
// protocol_engine_rx.cpp, timers and connection endings in
// protocol_engine_timers.cpp. See protocol_engine.h.
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
  return it != conns_.end() && it->second.offloaded && !it->second.uploading;
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
  // The PCB's snd_max is trusted as "already sent" only as UPLOAD_CONN wrote
  // it: ahead of snd_nxt (= snd_una) by no more than the bytes_unacked written
  // with it. A fresh PCB (snd_max and bytes_unacked 0, docs/abi.md) or a
  // garbled one leaves nothing previously sent, so a peer cannot get bytes
  // that never went on the wire acknowledged (and their messages completed).
  const auto ahead = static_cast<std::uint32_t>(pcb.snd_max - pcb.snd_nxt);
  c.sent_before_offload = ahead <= pcb.bytes_unacked ? pcb.snd_max : pcb.snd_nxt;
  c.tcb.msg_unacked = c.tcb.bytes_unacked = 0;
  c.snd_end = pcb.snd_nxt;
  // RFC 9293 3.7.1: the effective send MSS is the peer's MSS bounded by what
  // one frame of our MTU carries after the IPv4 and TCP headers (and the
  // timestamp option). A PCB with a larger MSS (a firmware bug, or a peer
  // offering more than the link carries) would make frames no MAC can send.
  const std::uint32_t mss_limit = params_.mtu - 40 - (pcb.timestamps() ? 12 : 0);
  if (c.tcb.mss > mss_limit) {
    c.tcb.mss = static_cast<std::uint16_t>(mss_limit);
    ++stats_.mss_clamped;
  }
  c.snd_wl1 = pcb.rcv_nxt - 1;
  c.snd_wl2 = pcb.snd_una;
  // The window the handshake promised stays promised (RFC 9293 3.8.6: a
  // receiver should not shrink it); beyond it the posted buffers count.
  c.rcv_adv = pcb.rcv_nxt + std::min(pcb.rcv_wnd, max_rcv_window(c));
  const std::uint32_t iw = params_.initial_cwnd_segments * c.tcb.mss;
  c.cc = std::make_unique<proto::NewReno>(c.tcb.mss, pcb.cwnd ? pcb.cwnd : iw, pcb.ssthresh);
  c.lr = std::make_unique<proto::LossRecovery>(*c.cc, c.tcb.mss, pcb.snd_una);
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
  if (contexts_.at(ctx).last_of_message) ++c.messages;
  // After a re-offload the peer may have acked bytes before firmware posted
  // them again: such a context is done at once.
  if (contexts_.at(ctx).end_seq() <= c.tcb.snd_una) free_acked_contexts(conn, c);
  make_ready(conn);
}

void ProtocolEngine::close(std::uint16_t conn, std::uint16_t sq_index) {
  ConnState& c = conns_.at(conn);
  c.close_requested = true;
  c.close_sq_index = sq_index;
  c.tcb.state = abi::kTcbClosing;
  make_ready(conn);
}

void ProtocolEngine::post_recv(std::uint16_t conn, std::uint64_t addr, std::uint32_t len, std::uint64_t cookie,
                               std::uint16_t sq_index) {
  ConnState& c = conns_.at(conn);
  c.recv_buffers.push_back(RecvBuffer{addr, len, 0, cookie, sq_index, sc_core::SC_ZERO_TIME});
  c.recv_free += len;
  c.recv_posted += len;
  // Window update (RFC 9293 3.8.6.2.2, RFC 1122 4.2.3.3): a peer told less
  // than one segment of window may be waiting for exactly this space (its
  // sender SWS avoidance holds back a short segment, a closed window waits
  // for its persist timer). Tell it at once when the new space moves the
  // right edge; with a window of a segment or more, the ACKs of the data it
  // sends carry the new edge anyway.
  if (rcv_window_told(c) < c.tcb.mss && rcv_edge_may_move(c, rcv_open_edge(c))) {
    c.ack_pending = true;
    make_ready(conn);
  }
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
  t.msg_unacked = c.messages;
  t.bytes_unacked = static_cast<std::uint32_t>(c.snd_end - c.tcb.snd_una);
  proto::encode_tcb(t, proto::Bytes(out128, abi::kTcbBytes));
}

std::uint64_t ProtocolEngine::contexts_linked() const {
  std::uint64_t n = 0;
  for (auto& [id, c] : conns_) n += c.contexts;
  return n;
}

std::uint64_t ProtocolEngine::recv_buffers_held() const {
  std::uint64_t n = 0;
  for (auto& [id, c] : conns_) n += c.recv_buffers.size();
  return n;
}

std::string ProtocolEngine::describe(std::uint16_t conn) const {
  auto it = conns_.find(conn);
  if (it == conns_.end()) return "conn " + std::to_string(conn) + ": never offloaded";
  const ConnState& c = it->second;
  const proto::Tcb& t = c.tcb;
  auto rel = [&](Seq s) { return std::to_string(static_cast<std::uint32_t>(s - t.snd_una)); };
  std::string s = "conn " + std::to_string(conn) + (c.offloaded ? "" : " (released)") + ": state " +
                  std::to_string(t.state) + ", una+" + rel(t.snd_una) + " nxt=una+" + rel(t.snd_nxt) + " max=una+" +
                  rel(t.snd_max) + " end=una+" + rel(c.snd_end) + ", snd_wnd " + std::to_string(t.snd_wnd) +
                  ", cwnd " + std::to_string(c.cc ? c.cc->cwnd() : 0) + ", recovery " +
                  std::to_string(c.lr && c.lr->in_recovery()) + ", retries " + std::to_string(c.retries) +
                  ", timers rto/persist/delack " + std::to_string(c.timers[kRtoTimer].armed) +
                  std::to_string(c.timers[kPersistTimer].armed) + std::to_string(c.timers[kDelackTimer].armed) +
                  ", contexts " + std::to_string(c.contexts) + ", rcv_nxt " + std::to_string(t.rcv_nxt.raw()) +
                  " adv+" + std::to_string(static_cast<std::uint32_t>(c.rcv_adv - t.rcv_nxt)) + ", recv buffers " +
                  std::to_string(c.recv_buffers.size()) + " free " + std::to_string(c.recv_free) + ", fin sent/acked/peer " +
                  std::to_string(c.fin_sent) + std::to_string(c.fin_acked) + std::to_string(c.peer_fin);
  return s;
}

// --- UPLOAD_CONN ----------------------------------------------------------------

void ProtocolEngine::upload(std::uint16_t conn, std::uint16_t sq_index) {
  ConnState& c = conns_.at(conn);
  c.uploading = true;  // the scheduler sends nothing more for it
  stop_all_timers(c);
  // A segment already handed to the DMA engine still reads the host buffer:
  // the buffers are the host's again only once every such read is done.
  wait_dma_drained();
  c.tcb.state = abi::kTcbUploaded;
  const sc_time on_chip = tcb_cache_.access(conn, core_.align_up(sc_core::sc_time_stamp()), true);
  wait_until(on_chip);
  const sc_time landed = tcb_cache_.flush(conn, sc_core::sc_time_stamp());
  ++stats_.uploads;
  release_all(conn, c, abi::Status::kAborted, sc_core::sc_time_stamp());
  stop_serving(conn, c);
  Completion e;
  e.type = abi::CqeType::kUploadDone;
  e.conn = conn;
  e.sq_index = sq_index;
  e.opcode = static_cast<std::uint8_t>(abi::Opcode::kUploadConn);
  completions_.post(e, landed);
}

// Every segment descriptor this engine has committed so far has had its
// payload read (or failed). The DMA engine works in order, so counting is
// enough; later segments (of other connections) are not waited for.
void ProtocolEngine::wait_dma_drained() {
  const std::uint64_t target = segments_pushed_;
  auto done = [this, target] { return dma_.stats().segments + dma_.stats().dma_errors >= target; };
  while (!done()) sc_core::wait(core_.cycles(16));
  wait_until(core_.align_up(sc_core::sc_time_stamp()));
}

void ProtocolEngine::make_ready(std::uint16_t conn) {
  ConnState& c = conns_.at(conn);
  if (c.in_ready_list || !c.offloaded || c.uploading) return;
  c.in_ready_list = true;
  ready_.push_back(conn);
  ready_event_.notify(sc_core::SC_ZERO_TIME);
}

// --- transmit ---------------------------------------------------------------

std::uint32_t ProtocolEngine::now_ts(const ConnState& c) const {
  // TSval clock: 1 tick per microsecond (RFC 7323 section 5.4 allows 1 ms to
  // 1 us per tick; a datacenter RTT needs the fine end).
  return c.tcb.ts_offset + static_cast<std::uint32_t>(ClockDomain::to_fs(now()) / 1'000'000'000ull);
}

std::uint32_t ProtocolEngine::max_rcv_window(const ConnState& c) const {
  return std::uint32_t{0xFFFF} << proto::clamp_window_shift(c.tcb.rcv_wscale);
}

// Where the right edge would be if all free posted buffer space were offered.
Seq ProtocolEngine::rcv_open_edge(const ConnState& c) const {
  return c.tcb.rcv_nxt + static_cast<std::uint32_t>(std::min<std::uint64_t>(c.recv_free, max_rcv_window(c)));
}

// Receiver silly-window avoidance (RFC 9293 3.8.6.2.2, RFC 1122 4.2.3.3):
// the right edge moves right only, and only by at least min(MSS, RCV.BUFF /
// 2), RCV.BUFF being the posted buffer space. It also moves when the window
// it makes holds a full segment or all the space firmware has posted: such a
// window is not silly (the peer can do no better than fill it). The RFC's
// rule counts on the application freeing more space soon, but firmware posts
// exactly the buffers it wants filled: an edge stopped short of them (the
// handshake's promise ending inside a buffer, buffers below one MSS) would
// never move again, and the peer would wait for its persist timer.
bool ProtocolEngine::rcv_edge_may_move(const ConnState& c, Seq edge) const {
  if (edge <= c.rcv_adv) return false;
  const auto buff = static_cast<std::uint32_t>(std::min<std::uint64_t>(c.recv_posted, max_rcv_window(c)));
  const std::uint32_t mss = c.tcb.mss;
  return static_cast<std::uint32_t>(edge - c.rcv_adv) >= std::min(mss, buff / 2) ||
         static_cast<std::uint32_t>(edge - c.tcb.rcv_nxt) >= std::min(mss, buff);
}

// The window in bytes the peer reads from the field we send now (before any
// move of the edge).
std::uint32_t ProtocolEngine::rcv_window_told(const ConnState& c) const {
  const auto left = c.rcv_adv > c.tcb.rcv_nxt ? static_cast<std::uint32_t>(c.rcv_adv - c.tcb.rcv_nxt) : 0u;
  return proto::scaled_window(proto::window_field_round_up(left, c.tcb.rcv_wscale), c.tcb.rcv_wscale);
}

// The window field of the next segment. The field is rounded up to the
// scale unit (RFC 7323 section 2.3): rounded down, the last few bytes of
// posted space (fewer than 2^rcv_wscale) read as a closed window and the
// peer waits for its persist timer with its last bytes in hand (found by the
// workload: 16 KiB responses, 72 bytes left, a 1 ms stall). The peer may
// then send up to 2^rcv_wscale - 1 bytes beyond the posted buffers; those
// are dropped and resent like any data without buffer space.
std::uint16_t ProtocolEngine::rcv_window_field(ConnState& c) {
  const proto::Tcb& t = c.tcb;
  const Seq edge = rcv_open_edge(c);
  if (rcv_edge_may_move(c, edge)) c.rcv_adv = edge;
  if (c.rcv_adv < t.rcv_nxt) c.rcv_adv = t.rcv_nxt;
  return proto::window_field_round_up(static_cast<std::uint32_t>(c.rcv_adv - t.rcv_nxt), t.rcv_wscale);
}

void ProtocolEngine::gather(ConnState& c, Seq seq, std::uint32_t len, std::vector<GatherPiece>& out) {
  // Start at the cursor if it is at or before seq, else from the head (a
  // retransmission goes back before the cursor).
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

void ProtocolEngine::fill_header(std::uint16_t conn, ConnState& c, Seq seq, std::uint32_t len, std::uint8_t flags,
                                 TxDescriptor& d) {
  proto::Tcb& t = c.tcb;
  d.kind = TxDescriptor::Kind::kSegment;
  d.conn = conn;
  d.retransmission = seq < t.snd_max && (len > 0 || (flags & proto::kTcpFin));
  hdrgen::HeaderRequest& h = d.header;
  h.dst_mac = t.remote_mac;
  h.src_mac = t.local_mac;
  h.src_ip = t.local_ip;
  h.dst_ip = t.remote_ip;
  h.ip_id = t.ip_id++;
  h.ttl = t.ttl;
  h.src_port = t.local_port;
  h.dst_port = t.remote_port;
  h.seq = seq.raw();
  h.ack = t.rcv_nxt.raw();
  h.flags = static_cast<std::uint8_t>(proto::kTcpAck | flags);
  h.window = rcv_window_field(c);
  h.ts_en = t.timestamps();
  h.tsval = now_ts(c);
  h.tsecr = t.ts_recent;
  d.payload_len = len;
  if (len > 0) gather(c, seq, len, d.payload);
  // Every segment carries the ACK of everything received (RFC 9293 3.10.7.4).
  c.ack_pending = false;
  c.unacked_segments = 0;
  stop_timer(c, kDelackTimer);
}

void ProtocolEngine::count_sent(ConnState& c, const TxDescriptor& d) {
  ++segments_pushed_;
  if (d.payload_len == 0 && !(d.header.flags & proto::kTcpFin)) {
    ++stats_.pure_acks_sent;
    return;
  }
  ++stats_.segments_sent;
  stats_.payload_bytes_sent += d.payload_len;
  if (d.retransmission) ++stats_.retransmitted_segments;
}

// Fast retransmit or a partial ACK (RFC 5681 3.2 step 2, RFC 6582 step 5):
// one segment from snd_una, whatever cwnd says.
bool ProtocolEngine::build_retransmission(std::uint16_t conn, ConnState& c, TxDescriptor& d) {
  proto::Tcb& t = c.tcb;
  c.retransmit_now = false;
  if (t.snd_una == t.snd_max) return false;
  const std::uint32_t data = t.snd_una < c.snd_end ? static_cast<std::uint32_t>(c.snd_end - t.snd_una) : 0;
  const std::uint32_t len = std::min<std::uint32_t>({t.mss, data, static_cast<std::uint32_t>(t.snd_max - t.snd_una)});
  const bool fin = c.fin_sent && !c.fin_acked && t.snd_una + len == c.snd_end;
  if (len == 0 && !fin) return false;
  fill_header(conn, c, t.snd_una, len, fin ? proto::kTcpFin : 0, d);
  const Seq end = t.snd_una + len + (fin ? 1 : 0);
  if (t.snd_nxt < end) t.snd_nxt = end;
  c.rtt_timing = false;  // Karn: nothing timed across a retransmission
  c.rto_on_handoff = true;
  return true;
}

// Zero-window probe (RFC 9293 3.8.6.1: "at least one octet" of new data
// beyond the closed window). It carries up to one MSS: a window the scale
// factor rounds down to 0 may still hold a few bytes, and the peer keeps
// what fits. snd_nxt stays (what the peer takes is acked and moves it);
// snd_max covers the probe so an ACK of it is valid.
bool ProtocolEngine::build_probe(std::uint16_t conn, ConnState& c, TxDescriptor& d) {
  proto::Tcb& t = c.tcb;
  c.probe_now = false;
  if (t.snd_wnd != 0 || t.snd_nxt >= c.snd_end || t.snd_una != t.snd_nxt) return false;
  const std::uint32_t len = std::min<std::uint32_t>(t.mss, static_cast<std::uint32_t>(c.snd_end - t.snd_nxt));
  fill_header(conn, c, t.snd_nxt, len, 0, d);
  if (t.snd_max < t.snd_nxt + len) t.snd_max = t.snd_nxt + len;
  ++stats_.persist_probes;
  return true;
}

bool ProtocolEngine::build_segment(std::uint16_t conn, ConnState& c, TxDescriptor& d) {
  if (c.retransmit_now && build_retransmission(conn, c, d)) return true;
  if (c.probe_now && build_probe(conn, c, d)) return true;
  proto::Tcb& t = c.tcb;
  const std::uint32_t in_flight = static_cast<std::uint32_t>(t.snd_nxt - t.snd_una);
  const std::uint32_t cwnd = c.cc->cwnd() + c.lr->limited_transmit_allowance();  // RFC 3042
  const std::uint32_t window = std::min(t.snd_wnd, cwnd);
  const std::uint32_t usable = window > in_flight ? window - in_flight : 0;
  const std::uint32_t unsent = t.snd_nxt < c.snd_end ? static_cast<std::uint32_t>(c.snd_end - t.snd_nxt) : 0;
  const std::uint32_t want = std::min<std::uint32_t>(t.mss, unsent);
  std::uint32_t len = std::min(want, usable);
  // Sender silly-window avoidance (RFC 9293 section 3.8.6.2.1): send a full
  // segment, the last piece of posted data, or, with nothing in flight,
  // whatever the window allows.
  if (len < want && !(in_flight == 0 && len > 0)) len = 0;
  // A closed window with nothing in flight: only the persist timer can
  // learn that it reopened (RFC 9293 3.8.6.1).
  if (unsent > 0 && t.snd_wnd == 0 && t.snd_una == t.snd_nxt) start_persist(conn, c);
  // The FIN takes the sequence number after the last posted byte; it goes
  // (again, after a go-back-N) whenever a segment reaches that point.
  const bool fin_now = c.close_requested && !c.fin_acked && t.snd_nxt + len == c.snd_end;
  if (len == 0 && !fin_now && !c.ack_pending) return false;

  std::uint8_t flags = 0;
  if (len > 0 && t.snd_nxt + len == c.snd_end) flags |= proto::kTcpPsh;
  if (fin_now) flags |= proto::kTcpFin;
  fill_header(conn, c, t.snd_nxt, len, flags, d);
  if (len > 0 || fin_now) {
    if (!d.retransmission && !c.rtt_timing && !t.timestamps()) {
      c.rtt_timing = true;  // time this segment (Karn: only never-retransmitted data)
      c.rtt_seq = t.snd_nxt + len;
      c.rtt_start = now();
    }
    t.snd_nxt += len + (fin_now ? 1 : 0);
    if (fin_now) c.fin_sent = true;
    if (t.snd_nxt > t.snd_max) t.snd_max = t.snd_nxt;
    c.rto_on_handoff = true;  // RFC 6298 5.1
  }
  return true;
}

// Takes the connection at the head of the ready list and builds its next
// segment (both transmit loops, cycle and fast, start each step here); false
// if it has nothing to send now.
bool ProtocolEngine::next_segment(std::uint16_t& conn, TxDescriptor& d) {
  conn = ready_.front();
  ready_.pop_front();
  ConnState& c = conns_.at(conn);
  c.in_ready_list = false;
  if (!c.offloaded || c.uploading) return false;
  if (!build_segment(conn, c, d)) {
    finish_if_closed(conn, c);
    return false;
  }
  count_sent(c, d);
  return true;
}

void ProtocolEngine::tx_thread() {
  if (params_.fast) return tx_loop_fast();
  sc_time busy_until = sc_core::SC_ZERO_TIME;
  for (;;) {
    while (ready_.empty()) sc_core::wait(ready_event_);
    std::uint16_t conn = 0;
    TxDescriptor d;
    if (!next_segment(conn, d)) continue;
    ConnState& c = conns_.at(conn);
    // One segment per tx_cycles, after the TCB is on chip.
    const sc_time start = std::max(core_.align_up(sc_core::sc_time_stamp()), busy_until);
    const sc_time tcb_ready = tcb_cache_.access(conn, start, true);
    busy_until = tcb_ready + core_.cycles(params_.tx_cycles);
    wait_until(busy_until);
    while (!dma_.can_push()) sc_core::wait(dma_.space_event());
    dma_.push(std::move(d));
    start_rto_after_handoff(conn, c);
    make_ready(conn);  // round robin: back to the tail; dropped there if it has nothing to send
    finish_if_closed(conn, c);
  }
}

}  // namespace toevp::model
