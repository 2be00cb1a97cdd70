// TcpPeerLogic: frame dispatch, connection table, timers and segment
// emission. Segment processing is in tcp_peer_receive.cpp, the application
// reader and advertised window in tcp_peer_window.cpp.
#include "testbench/partners/tcp_peer_logic.h"

#include "model/proto/arp.h"
#include "model/proto/ethernet.h"
#include "model/proto/window.h"

namespace toevp::tb {

using proto::ConstBytes;
using proto::FrameError;
using proto::Seq;
using proto::TcpFrameView;
using proto::TcpOptions;

const char* to_string(TcpState s) {
  switch (s) {
    case TcpState::kSynReceived: return "SYN-RECEIVED";
    case TcpState::kEstablished: return "ESTABLISHED";
    case TcpState::kCloseWait: return "CLOSE-WAIT";
    case TcpState::kLastAck: return "LAST-ACK";
    case TcpState::kClosed: return "CLOSED";
  }
  return "?";
}

namespace {

// splitmix64: a well-mixed 64-bit value per (seed, connection), so ISS and
// timestamp offsets differ between connections but repeat between runs.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

}  // namespace

TcpPeerLogic::TcpPeerLogic(const TcpPeerParams& params) : params_(params) {
  params_.wscale = proto::clamp_window_shift(params_.wscale);  // RFC 7323 section 2.3
  if (params_.ack_every == 0) params_.ack_every = 1;
}

std::vector<TcpPeerLogic::Output> TcpPeerLogic::on_frame(ConstBytes frame, std::int64_t now_ns) {
  std::vector<Output> out;
  on_frame(frame, now_ns, out);
  return out;
}

std::vector<TcpPeerLogic::Output> TcpPeerLogic::on_timer(std::int64_t now_ns) {
  std::vector<Output> out;
  on_timer(now_ns, out);
  return out;
}

void TcpPeerLogic::on_frame(ConstBytes frame, std::int64_t now_ns, std::vector<Output>& out) {
  ++stats_.frames_received;
  if (frame.size() >= proto::kEthernetHeaderBytes && proto::load_be16(frame, 12) == proto::kEtherTypeArp) {
    out_ = &out;
    on_arp(frame);
    out_ = nullptr;
    return;
  }
  TcpFrameView v;
  const FrameError err = proto::parse_tcp_frame(frame, v, true);
  if (err != FrameError::kNone) {
    ++stats_.frames_bad;
    ++stats_.frames_bad_by_error[static_cast<std::size_t>(err)];
    return;
  }
  if (v.ip.dst != params_.ip || (v.eth.dst != params_.mac && v.eth.dst != proto::kBroadcastMac)) {
    ++stats_.frames_not_for_us;
    return;
  }
  now_ = now_ns;
  out_ = &out;
  const ConnKey key{v.ip.src, v.tcp.src_port, v.tcp.dst_port};
  const auto it = by_key_.find(key.packed());
  if (it == by_key_.end() || conns_[it->second].state == TcpState::kClosed) {
    on_listen(v, key);
  } else {
    PeerConnection& c = conns_[it->second];
    drain(c);
    on_segment(c, v);
    send_data(c);
    settle(c);
    schedule(c);
  }
  out_ = nullptr;
}

void TcpPeerLogic::on_timer(std::int64_t now_ns, std::vector<Output>& out) {
  now_ = now_ns;
  out_ = &out;
  while (!timers_.empty() && timers_.top().first <= now_ns) {
    const auto [at, idx] = timers_.top();
    timers_.pop();
    PeerConnection& c = conns_[idx];
    if (c.scheduled_at != at) continue;  // superseded by a later schedule()
    c.scheduled_at = kNever;
    run_timers(c);
    schedule(c);
  }
  out_ = nullptr;
}

std::optional<std::int64_t> TcpPeerLogic::next_timer_ns() {
  while (!timers_.empty() && conns_[timers_.top().second].scheduled_at != timers_.top().first) {
    timers_.pop();
  }
  if (timers_.empty()) return std::nullopt;
  return timers_.top().first;
}

const PeerConnection* TcpPeerLogic::find(const ConnKey& key) const {
  const auto it = by_key_.find(key.packed());
  return it == by_key_.end() ? nullptr : &conns_[it->second];
}

bool TcpPeerLogic::all_data_ok() const {
  for (const auto& c : conns_) {
    if (!c.stats.data_ok) return false;
  }
  return true;
}

// RFC 826, "Packet Reception", for a host with one address and no cache of
// its own (the peer addresses its segments to the MAC the SYN came from):
// a request whose target is params.ip is answered to its sender, from our
// MAC; anything else (a reply, a gratuitous announcement, a request for
// another address) needs nothing from us.
void TcpPeerLogic::on_arp(ConstBytes frame) {
  proto::EthernetHeader eth;
  proto::ArpPacket p;
  if (proto::parse_ethernet(frame, eth) != proto::EthernetError::kNone ||
      proto::parse_arp(frame.subspan(proto::kEthernetHeaderBytes), p) != proto::ArpError::kNone) {
    ++stats_.frames_bad;
    ++stats_.arp_bad;
    return;
  }
  const bool to_us = eth.dst == params_.mac || eth.dst == proto::kBroadcastMac;
  if (!to_us || p.op != proto::kArpOpRequest || p.target_ip != params_.ip || p.sender_ip == p.target_ip) {
    ++stats_.arp_ignored;
    return;
  }
  // Swap the addresses, ours in the sender fields, and send it back to the
  // requester's hardware address.
  proto::ArpPacket reply;
  reply.op = proto::kArpOpReply;
  reply.sender_mac = params_.mac;
  reply.sender_ip = params_.ip;
  reply.target_mac = p.sender_mac;
  reply.target_ip = p.sender_ip;
  std::vector<std::uint8_t>& f = out_->emplace_back().frame;
  f.assign(proto::kEthernetHeaderBytes + proto::kArpPacketBytes, 0);
  proto::emit_ethernet(proto::EthernetHeader{p.sender_mac, params_.mac, proto::kEtherTypeArp}, f);
  proto::emit_arp(reply, proto::Bytes(f).subspan(proto::kEthernetHeaderBytes));
  ++stats_.frames_sent;
  ++stats_.arp_replies_sent;
}

void TcpPeerLogic::run_timers(PeerConnection& c) {
  drain(c);
  if (c.rto_at <= now_) {
    c.rto_at = kNever;
    if (c.state == TcpState::kEstablished || c.state == TcpState::kCloseWait) {
      on_data_timer(c);  // data retransmission or persist: its own back-off
      if (c.state == TcpState::kClosed) return;
    } else {
      if (++c.retries > params_.max_retries) {
        c.stats.gave_up = true;
        close(c);
        return;
      }
      ++c.stats.retransmissions;
      if (c.state == TcpState::kSynReceived) send_synack(c);
      if (c.state == TcpState::kLastAck) send_fin(c);
    }
  }
  send_data(c);
  if (c.delack_at <= now_) send_ack(c);
  settle(c);
}

// What the application's reading may have made due, then when to look again.
void TcpPeerLogic::settle(PeerConnection& c) {
  if (c.state == TcpState::kClosed) return;
  if (c.close_pending && c.buffered == 0 && c.tx_done()) {
    send_fin(c);
  } else if (window_update_due(c)) {
    send_ack(c);  // the reader reopened a small window (RFC 9293 3.8.6.2.2)
  }
  plan_app_timer(c);
}

// Keeps one live heap entry per connection: the one whose time equals
// scheduled_at; older entries are skipped when they surface.
void TcpPeerLogic::schedule(PeerConnection& c) {
  const std::int64_t t = c.state == TcpState::kClosed ? kNever : c.next_deadline();
  if (t == c.scheduled_at) return;
  c.scheduled_at = t;
  if (t != kNever) timers_.emplace(t, c.index);
}

void TcpPeerLogic::close(PeerConnection& c) {
  c.state = TcpState::kClosed;
  c.stats.closed_ns = now_;
  c.delack_at = c.app_at = c.rto_at = kNever;
}

PeerConnection& TcpPeerLogic::open(const TcpFrameView& v, const ConnKey& key) {
  const auto idx = static_cast<std::uint32_t>(conns_.size());
  const std::uint64_t r = mix(params_.iss_seed ^ mix(key.packed()) ^ idx);
  PeerConnection& c = conns_.emplace_back();
  c.index = idx;
  c.key = key;
  c.remote_mac = v.eth.src;
  c.pattern_key = static_cast<std::uint16_t>(key.remote_port - params_.pattern_port_base);
  c.iss = Seq(static_cast<std::uint32_t>(r));
  c.snd_una = c.iss;
  c.snd_nxt = c.iss + 1;
  c.snd_max = c.snd_nxt;
  c.irs = v.tcp.seq;
  c.rcv_nxt = v.tcp.seq + 1;
  const TcpOptions& o = v.tcp.options;
  if (o.mss) c.peer_mss = *o.mss;
  if (o.wscale) {  // both shifts only if the SYN offered one (RFC 7323 section 2.2)
    c.wscale_on = true;
    c.snd_wscale = proto::clamp_window_shift(*o.wscale);  // RFC 7323 section 2.3
    c.rcv_wscale = params_.wscale;
  }
  if (o.timestamps && params_.timestamps) {
    c.ts_on = true;
    c.ts_offset = static_cast<std::uint32_t>(r >> 32);
    c.ts_recent = o.timestamps->first;
  }
  c.snd_wnd = v.tcp.window;  // a SYN's window is never scaled (RFC 7323 2.2)
  c.app_last_ns = now_;
  by_key_[key.packed()] = idx;
  return c;
}

TcpOptions TcpPeerLogic::timestamp_option(const PeerConnection& c) const {
  TcpOptions o;
  // A 1 us clock: RFC 7323 section 5.4 suggests 1 ms to 1 s per tick for
  // PAWS, but a 1 us tick keeps RTT samples meaningful at rack scale and
  // still wraps only after 71 minutes, far beyond any simulated run.
  if (c.ts_on) o.timestamps.emplace(static_cast<std::uint32_t>(now_ / 1000) + c.ts_offset, c.ts_recent);
  return o;
}

void TcpPeerLogic::send_synack(PeerConnection& c) {
  TcpOptions o = timestamp_option(c);
  o.mss = params_.mss;
  if (c.wscale_on) o.wscale = c.rcv_wscale;
  const std::uint32_t win = params_.rcv_buffer_bytes < 65535 ? params_.rcv_buffer_bytes : 65535;
  c.rcv_adv = c.rcv_nxt + win;
  c.last_window_field = static_cast<std::uint16_t>(win);
  emit(c, proto::kTcpSyn | proto::kTcpAck, c.iss, o, static_cast<std::uint16_t>(win));
  c.rto_at = now_ + (params_.rto_ns << c.retries);
}

void TcpPeerLogic::send_ack(PeerConnection& c) {
  const std::uint16_t win = advertise(c);
  emit(c, proto::kTcpAck, c.snd_nxt, timestamp_option(c), win);
}

void TcpPeerLogic::send_fin(PeerConnection& c) {
  if (c.state != TcpState::kLastAck) {  // first transmission: FIN takes a sequence number
    c.state = TcpState::kLastAck;
    c.close_pending = false;
    c.snd_nxt = c.snd_nxt + 1;
    c.snd_max = c.snd_nxt;
  }
  const std::uint16_t win = advertise(c);
  emit(c, proto::kTcpFin | proto::kTcpAck, c.snd_nxt - 1, timestamp_option(c), win);
  c.rto_at = now_ + (params_.rto_ns << c.retries);
}

// Abort (RFC 9293 section 3.10.5): <SEQ=SND.NXT><CTL=RST>, with ACK as Linux
// sends it.
void TcpPeerLogic::send_rst(PeerConnection& c) {
  emit(c, proto::kTcpRst | proto::kTcpAck, c.snd_nxt, TcpOptions{}, 0);
  ++stats_.rst_sent;
  c.stats.rst_sent = true;
  close(c);
}

// Reset for a segment that belongs to no connection (RFC 9293 3.10.7.1/2):
// <SEQ=SEG.ACK><CTL=RST> if it had ACK, else <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>.
void TcpPeerLogic::send_rst_reply(const TcpFrameView& v) {
  proto::TcpFrameFields f;
  f.dst_mac = v.eth.src;
  f.src_mac = params_.mac;
  f.src_ip = params_.ip;
  f.dst_ip = v.ip.src;
  f.ip_id = ip_id_++;
  f.src_port = v.tcp.dst_port;
  f.dst_port = v.tcp.src_port;
  if (v.tcp.flags & proto::kTcpAck) {
    f.seq = v.tcp.ack;
    f.flags = proto::kTcpRst;
  } else {
    const auto syn_fin = ((v.tcp.flags & proto::kTcpSyn) ? 1u : 0u) + ((v.tcp.flags & proto::kTcpFin) ? 1u : 0u);
    f.seq = Seq(0);
    f.ack = v.tcp.seq + static_cast<std::uint32_t>(v.payload.size() + syn_fin);
    f.flags = proto::kTcpRst | proto::kTcpAck;
  }
  proto::build_tcp_frame(f, ConstBytes{}, out_->emplace_back().frame);
  ++stats_.frames_sent;
  ++stats_.rst_sent;
}

void TcpPeerLogic::emit(PeerConnection& c, std::uint8_t flags, Seq seq, TcpOptions options,
                        std::uint16_t window, ConstBytes payload) {
  proto::TcpFrameFields f;
  f.dst_mac = c.remote_mac;
  f.src_mac = params_.mac;
  f.src_ip = params_.ip;
  f.dst_ip = c.key.remote_ip;
  f.ip_id = ip_id_++;
  f.src_port = c.key.local_port;
  f.dst_port = c.key.remote_port;
  f.seq = seq;
  f.ack = (flags & proto::kTcpAck) ? c.rcv_nxt : Seq(0);
  f.flags = flags;
  f.window = window;
  f.options = std::move(options);
  Output& o = out_->emplace_back();
  proto::build_tcp_frame(f, payload, o.frame);
  o.conn = c.index;
  ++stats_.frames_sent;
  if (!(flags & proto::kTcpAck)) return;
  o.has_ack = true;
  o.ack = c.rcv_nxt;
  // Every ACK acknowledges everything received: no delayed ACK is owed.
  c.last_ack_sent = c.rcv_nxt;
  c.unacked_segments = 0;
  c.delack_at = kNever;
  ++c.stats.acks_sent;
  if (on_ack_sent_) on_ack_sent_(now_, c.index, c.rcv_nxt);
}

}  // namespace toevp::tb
