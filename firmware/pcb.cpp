// Encoding of the PCB / TCB table slot; see pcb.h and abi.h.
#include "firmware/pcb.h"

#include <algorithm>

namespace toevp::fw {

using namespace toevp::proto;

namespace {

void store_mac(Bytes out, std::size_t off, const MacAddr& mac) {
  std::copy(mac.begin(), mac.end(), out.begin() + static_cast<std::ptrdiff_t>(off));
}

MacAddr load_mac(ConstBytes in, std::size_t off) {
  MacAddr mac{};
  std::copy_n(in.begin() + static_cast<std::ptrdiff_t>(off), mac.size(), mac.begin());
  return mac;
}

}  // namespace

void encode_pcb(const Pcb& p, Bytes out) {
  std::fill_n(out.begin(), abi::kTcbBytes, std::uint8_t{0});
  out[abi::kTcbState] = p.state;
  out[abi::kTcbFlags] = p.flags;
  out[abi::kTcbSndWscale] = p.snd_wscale;
  out[abi::kTcbRcvWscale] = p.rcv_wscale;
  store_le16(out, abi::kTcbMss, p.mss);
  store_le16(out, abi::kTcbLocalPort, p.local_port);
  store_le16(out, abi::kTcbRemotePort, p.remote_port);
  out[abi::kTcbTtl] = p.ttl;
  out[abi::kTcbTos] = p.tos;
  store_mac(out, abi::kTcbLocalMac, p.local_mac);
  store_mac(out, abi::kTcbRemoteMac, p.remote_mac);
  store_le32(out, abi::kTcbLocalIp, p.local_ip);
  store_le32(out, abi::kTcbRemoteIp, p.remote_ip);
  store_le32(out, abi::kTcbSndUna, p.snd_una);
  store_le32(out, abi::kTcbSndNxt, p.snd_nxt);
  store_le32(out, abi::kTcbSndWnd, p.snd_wnd);
  store_le32(out, abi::kTcbRcvNxt, p.rcv_nxt);
  store_le32(out, abi::kTcbRcvWnd, p.rcv_wnd);
  store_le32(out, abi::kTcbCwnd, p.cwnd);
  store_le32(out, abi::kTcbSsthresh, p.ssthresh);
  store_le32(out, abi::kTcbSrttNs, p.srtt_ns);
  store_le32(out, abi::kTcbRttvarNs, p.rttvar_ns);
  store_le32(out, abi::kTcbRtoNs, p.rto_ns);
  store_le32(out, abi::kTcbTsRecent, p.ts_recent);
  store_le32(out, abi::kTcbTsOffset, p.ts_offset);
  store_le16(out, abi::kTcbIpId, p.ip_id);
  store_le32(out, abi::kTcbSndMax, p.snd_max);
  store_le32(out, abi::kTcbMsgUnacked, p.msg_unacked);
  store_le32(out, abi::kTcbBytesUnacked, p.bytes_unacked);
}

Pcb decode_pcb(ConstBytes in) {
  Pcb p;
  p.state = in[abi::kTcbState];
  p.flags = in[abi::kTcbFlags];
  p.snd_wscale = in[abi::kTcbSndWscale];
  p.rcv_wscale = in[abi::kTcbRcvWscale];
  p.mss = load_le16(in, abi::kTcbMss);
  p.local_port = load_le16(in, abi::kTcbLocalPort);
  p.remote_port = load_le16(in, abi::kTcbRemotePort);
  p.ttl = in[abi::kTcbTtl];
  p.tos = in[abi::kTcbTos];
  p.local_mac = load_mac(in, abi::kTcbLocalMac);
  p.remote_mac = load_mac(in, abi::kTcbRemoteMac);
  p.local_ip = load_le32(in, abi::kTcbLocalIp);
  p.remote_ip = load_le32(in, abi::kTcbRemoteIp);
  p.snd_una = load_le32(in, abi::kTcbSndUna);
  p.snd_nxt = load_le32(in, abi::kTcbSndNxt);
  p.snd_wnd = load_le32(in, abi::kTcbSndWnd);
  p.rcv_nxt = load_le32(in, abi::kTcbRcvNxt);
  p.rcv_wnd = load_le32(in, abi::kTcbRcvWnd);
  p.cwnd = load_le32(in, abi::kTcbCwnd);
  p.ssthresh = load_le32(in, abi::kTcbSsthresh);
  p.srtt_ns = load_le32(in, abi::kTcbSrttNs);
  p.rttvar_ns = load_le32(in, abi::kTcbRttvarNs);
  p.rto_ns = load_le32(in, abi::kTcbRtoNs);
  p.ts_recent = load_le32(in, abi::kTcbTsRecent);
  p.ts_offset = load_le32(in, abi::kTcbTsOffset);
  p.ip_id = load_le16(in, abi::kTcbIpId);
  p.snd_max = load_le32(in, abi::kTcbSndMax);
  p.msg_unacked = load_le32(in, abi::kTcbMsgUnacked);
  p.bytes_unacked = load_le32(in, abi::kTcbBytesUnacked);
  return p;
}

}  // namespace toevp::fw
