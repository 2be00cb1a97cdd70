// PCB/TCB slot encode/decode; see tcb.h and the layout in model/abi/abi.h.
#include "model/proto/tcb.h"

#include <algorithm>

namespace toevp::proto {

using namespace toevp::abi;

void encode_tcb(const Tcb& t, Bytes out) {
  std::fill_n(out.begin(), kTcbBytes, std::uint8_t{0});
  out[kTcbState] = t.state;
  out[kTcbFlags] = t.flags;
  out[kTcbSndWscale] = t.snd_wscale;
  out[kTcbRcvWscale] = t.rcv_wscale;
  store_le16(out, kTcbMss, t.mss);
  store_le16(out, kTcbLocalPort, t.local_port);
  store_le16(out, kTcbRemotePort, t.remote_port);
  out[kTcbTtl] = t.ttl;
  out[kTcbTos] = t.tos;
  store_be48(out, kTcbLocalMac, t.local_mac);  // wire order, not little-endian
  store_be48(out, kTcbRemoteMac, t.remote_mac);
  store_le32(out, kTcbLocalIp, t.local_ip);
  store_le32(out, kTcbRemoteIp, t.remote_ip);
  store_le32(out, kTcbSndUna, t.snd_una.raw());
  store_le32(out, kTcbSndNxt, t.snd_nxt.raw());
  store_le32(out, kTcbSndWnd, t.snd_wnd);
  store_le32(out, kTcbRcvNxt, t.rcv_nxt.raw());
  store_le32(out, kTcbRcvWnd, t.rcv_wnd);
  store_le32(out, kTcbCwnd, t.cwnd);
  store_le32(out, kTcbSsthresh, t.ssthresh);
  store_le32(out, kTcbSrttNs, t.srtt_ns);
  store_le32(out, kTcbRttvarNs, t.rttvar_ns);
  store_le32(out, kTcbRtoNs, t.rto_ns);
  store_le32(out, kTcbTsRecent, t.ts_recent);
  store_le32(out, kTcbTsOffset, t.ts_offset);
  store_le16(out, kTcbIpId, t.ip_id);
  store_le32(out, kTcbSndMax, t.snd_max.raw());
  store_le32(out, kTcbMsgUnacked, t.msg_unacked);
  store_le32(out, kTcbBytesUnacked, t.bytes_unacked);
  std::copy(t.nic_reserved.begin(), t.nic_reserved.end(), out.begin() + kTcbNicReserved);
}

Tcb decode_tcb(ConstBytes in) {
  Tcb t;
  t.state = in[kTcbState];
  t.flags = in[kTcbFlags];
  t.snd_wscale = in[kTcbSndWscale];
  t.rcv_wscale = in[kTcbRcvWscale];
  t.mss = load_le16(in, kTcbMss);
  t.local_port = load_le16(in, kTcbLocalPort);
  t.remote_port = load_le16(in, kTcbRemotePort);
  t.ttl = in[kTcbTtl];
  t.tos = in[kTcbTos];
  t.local_mac = load_be48(in, kTcbLocalMac);
  t.remote_mac = load_be48(in, kTcbRemoteMac);
  t.local_ip = load_le32(in, kTcbLocalIp);
  t.remote_ip = load_le32(in, kTcbRemoteIp);
  t.snd_una = Seq(load_le32(in, kTcbSndUna));
  t.snd_nxt = Seq(load_le32(in, kTcbSndNxt));
  t.snd_wnd = load_le32(in, kTcbSndWnd);
  t.rcv_nxt = Seq(load_le32(in, kTcbRcvNxt));
  t.rcv_wnd = load_le32(in, kTcbRcvWnd);
  t.cwnd = load_le32(in, kTcbCwnd);
  t.ssthresh = load_le32(in, kTcbSsthresh);
  t.srtt_ns = load_le32(in, kTcbSrttNs);
  t.rttvar_ns = load_le32(in, kTcbRttvarNs);
  t.rto_ns = load_le32(in, kTcbRtoNs);
  t.ts_recent = load_le32(in, kTcbTsRecent);
  t.ts_offset = load_le32(in, kTcbTsOffset);
  t.ip_id = load_le16(in, kTcbIpId);
  t.snd_max = Seq(load_le32(in, kTcbSndMax));
  t.msg_unacked = load_le32(in, kTcbMsgUnacked);
  t.bytes_unacked = load_le32(in, kTcbBytesUnacked);
  std::copy_n(in.begin() + kTcbNicReserved, kTcbNicReservedBytes, t.nic_reserved.begin());
  return t;
}

}  // namespace toevp::proto
