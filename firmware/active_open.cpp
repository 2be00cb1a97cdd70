// The client side of the three-way handshake; see active_open.h.
#include "firmware/active_open.h"

#include <algorithm>

namespace toevp::fw {

namespace {

constexpr std::uint16_t kDefaultPeerMss = 536;  // RFC 9293 section 3.7.1
constexpr int kMaxWscale = 14;                  // RFC 7323 section 2.3
constexpr std::uint32_t kMaxUnscaledWindow = 0xFFFF;

}  // namespace

ActiveOpen::ActiveOpen(const ConnectParams& params, std::uint16_t mtu_mss, std::uint32_t iss,
                       std::uint32_t ts_base, std::uint16_t first_ip_id)
    : p_(params),
      our_mss_(params.mss != 0 ? params.mss : mtu_mss),
      iss_(iss),
      ts_base_(ts_base),
      next_ip_id_(first_ip_id) {
  p_.wscale = std::min(p_.wscale, kMaxWscale);
}

TcpFrame ActiveOpen::base_frame(std::uint8_t flags, std::uint32_t seq) {
  TcpFrame f;
  f.dst_mac = p_.peer_mac;
  f.src_mac = p_.local_mac;
  f.src_ip = p_.local_ip;
  f.dst_ip = p_.peer_ip;
  f.ip_id = next_ip_id_++;
  f.ttl = p_.ttl;
  f.src_port = p_.local_port;
  f.dst_port = p_.peer_port;
  f.seq = seq;
  f.flags = flags;
  return f;
}

std::vector<std::uint8_t> ActiveOpen::syn_frame() {
  TcpFrame f = base_frame(tcp_flag::kSyn, iss_);
  // The window of a SYN is never scaled (RFC 7323 section 2.2).
  f.window = static_cast<std::uint16_t>(std::min(p_.rcv_wnd, kMaxUnscaledWindow));
  f.options.mss = our_mss_;
  f.options.wscale = p_.wscale;
  f.options.sack_permitted = p_.sack;
  f.options.timestamps = p_.timestamps;
  f.options.tsval = ts_base_;
  return build_tcp_frame(f);
}

bool ActiveOpen::same_flow(const TcpFrame& seg) const {
  return seg.src_ip == p_.peer_ip && seg.dst_ip == p_.local_ip && seg.src_port == p_.peer_port &&
         seg.dst_port == p_.local_port;
}

ActiveOpen::Verdict ActiveOpen::on_frame(const TcpFrame& seg) {
  if (!same_flow(seg) || established_) return Verdict::kIgnored;
  const bool ack_ok = (seg.flags & tcp_flag::kAck) != 0 && seg.ack == iss_ + 1;
  if ((seg.flags & tcp_flag::kRst) != 0) return ack_ok ? Verdict::kRefused : Verdict::kIgnored;
  if (!ack_ok || (seg.flags & tcp_flag::kSyn) == 0) return Verdict::kIgnored;
  learn_peer(seg);
  return Verdict::kEstablished;
}

void ActiveOpen::learn_peer(const TcpFrame& synack) {
  established_ = true;
  irs_ = synack.seq;
  peer_window_ = synack.window;
  peer_mss_ = synack.options.mss != 0 ? synack.options.mss : kDefaultPeerMss;
  if (p_.wscale >= 0 && synack.options.wscale >= 0)
    snd_wscale_ = std::min(synack.options.wscale, kMaxWscale);
  timestamps_ = p_.timestamps && synack.options.timestamps;
  sack_ = p_.sack && synack.options.sack_permitted;
  ts_recent_ = synack.options.tsval;
}

std::vector<std::uint8_t> ActiveOpen::ack_frame() {
  TcpFrame f = base_frame(tcp_flag::kAck, iss_ + 1);
  f.ack = irs_ + 1;
  const Pcb pcb_now = pcb();
  f.window = static_cast<std::uint16_t>(
      std::min(pcb_now.rcv_wnd >> pcb_now.rcv_wscale, kMaxUnscaledWindow));
  f.options.timestamps = timestamps_;
  f.options.tsval = ts_base_;
  f.options.tsecr = ts_recent_;
  return build_tcp_frame(f);
}

Pcb ActiveOpen::pcb() const {
  Pcb pcb;
  pcb.state = abi::kTcbEstablished;
  pcb.flags = static_cast<std::uint8_t>((timestamps_ ? abi::kTcbFlagTimestamps : 0) |
                                        (sack_ ? abi::kTcbFlagSackOk : 0));
  const bool scaling = snd_wscale_ >= 0;
  pcb.snd_wscale = static_cast<std::uint8_t>(scaling ? snd_wscale_ : 0);
  pcb.rcv_wscale = static_cast<std::uint8_t>(scaling ? p_.wscale : 0);
  const std::uint16_t mss = std::min(peer_mss_, our_mss_);
  pcb.mss = static_cast<std::uint16_t>(mss - (timestamps_ ? kTimestampOptionBytes : 0));
  pcb.local_port = p_.local_port;
  pcb.remote_port = p_.peer_port;
  pcb.ttl = p_.ttl;
  pcb.local_mac = p_.local_mac;
  pcb.remote_mac = p_.peer_mac;
  pcb.local_ip = p_.local_ip;
  pcb.remote_ip = p_.peer_ip;
  pcb.snd_una = pcb.snd_nxt = iss_ + 1;
  pcb.snd_wnd = peer_window_;  // a SYN-ACK's window is not scaled (RFC 7323 section 2.2)
  pcb.rcv_nxt = irs_ + 1;
  // Without scaling we cannot advertise more than 64 KiB - 1.
  const std::uint32_t max_wnd = kMaxUnscaledWindow << pcb.rcv_wscale;
  pcb.rcv_wnd = std::min(p_.rcv_wnd, max_wnd);
  pcb.ts_recent = timestamps_ ? ts_recent_ : 0;
  pcb.ts_offset = timestamps_ ? ts_base_ : 0;
  pcb.ip_id = next_ip_id_;
  return pcb;
}

}  // namespace toevp::fw
