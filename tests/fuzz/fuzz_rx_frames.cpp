// Fuzz target (a): frames from the wire into the NIC's MacRx, receive
// parser and protocol-engine receive path, against an offloaded connection
// in each of its states, and through the RAW path into the driver's raw
// receive dispatch and ARP agent (docs/robustness.md).
//
// Each input: byte 0 picks the state the connection is brought into
// (idle, data in flight, after a retransmission timeout, closing, closed,
// after the peer's FIN, context table full, zero window), the next bytes
// its PCB (sequence numbers, window, scaling, timestamps); the rest is a
// list of frames the link partner sends, each at the next simulated time
// step: TCP segments for the connection built from fuzzed fields (correct
// checksums unless asked otherwise), raw bytes, and raw bytes retargeted at
// the connection's 4-tuple with their checksums fixed so that malformed
// headers reach the engine. Then the connection is reset and drained.
//
// Invariants (a broken one aborts, so libFuzzer keeps the input):
//   - no crash, no sanitizer report, no SC_REPORT_ERROR/FATAL, no hang;
//   - every frame the NIC sends is a TCP segment that parses, or an ARP
//     reply from the host's address (10.0.0.1, DriverConfig::local_ip) to
//     a request the fuzzer sent (the driver reaps RAW_RX at the end of each
//     input and answers);
//   - context table consistent: entries in use == contexts linked to
//     connections, and 0 once the connection is gone;
//   - no SEND_DONE without an ACK covering the message having reached the
//     NIC (tb::Scoreboard, fed with the legitimate ACKs among the frames);
//   - accepted bytes not lost: every accepted SEND ends in exactly one
//     SEND_DONE, a SEND_DONE OK only for bytes that went out on the wire,
//     and every payload byte on the wire equals the host buffer's;
//   - received bytes land intact: the connection has receive buffers posted,
//     and every byte a RECV_DONE hands to firmware is the peer's byte at
//     that stream offset (the agent writes a known pattern, by sequence
//     number, into the payload of every frame it sends for the connection).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "firmware/driver.h"
#include "firmware/entries.h"
#include "firmware/pcb.h"
#include "model/abi/abi.h"
#include "model/abi/toevp_regs.h"
#include "model/proto/arp.h"
#include "model/proto/checksum.h"
#include "model/proto/ethernet.h"
#include "model/proto/tcp_frame.h"
#include "testbench/scoreboard.h"
#include "tests/fuzz/fuzz_platform.h"
#include "tests/fuzz/fuzz_support.h"

namespace toevp::fuzz {
namespace {

using proto::Seq;
using sc_core::sc_time;
using sc_core::SC_NS;
using sc_core::SC_US;

constexpr std::uint16_t kConn = 0;
constexpr std::uint64_t kLocalMac = 0x02'00'00'00'00'01, kRemoteMac = 0x02'00'00'00'00'02;
constexpr std::uint32_t kLocalIp = 0x0A00'0001, kRemoteIp = 0x0A00'0002;
constexpr std::uint16_t kRemotePort = 5001;
constexpr std::uint32_t kStreamBytes = 256 * 1024;  // host buffer holding the whole stream
constexpr unsigned kRecvBuffers = 3;
constexpr std::uint32_t kRecvBufferBytes = 2048;
constexpr std::uint64_t kRecvCookie = 1'000'000;

// The peer's byte at receive stream offset o.
std::uint8_t peer_byte(std::uint32_t o) { return static_cast<std::uint8_t>(o * 7u + (o >> 8) + 0x33u); }
constexpr unsigned kMaxFrames = 48;
constexpr std::uint16_t kMss[] = {536, 1000, 1448, 1460};
constexpr std::uint32_t kWindows[] = {1460, 8192, 65535, 1u << 20, 16u << 20, 3000, 100, 0x3fffffff};

enum class Start : std::uint8_t {
  kIdle, kInFlight, kAfterTimeout, kClosing, kClosed, kPeerFin, kContextsFull, kZeroWindow, kCount
};

const std::vector<std::string> kConfig = {
    "link.propagation_ns=0",  // a frame reaches the NIC when its last bit is sent
    "host.memory_mb=32",
    "ctx.entries=16",         // small: the full table is one of the states
    "tcb.cache_entries=4", "tcb.cache_ways=2",
    "pe.rto_initial_us=100", "pe.rto_min_us=20", "pe.max_retries=4",
    "workload.outstanding_per_conn=1", "workload.message_bytes=65536",
};

fw::MacAddr mac(std::uint64_t v) {
  fw::MacAddr m{};
  for (int i = 0; i < 6; ++i) m[i] = static_cast<std::uint8_t>(v >> (8 * (5 - i)));
  return m;
}

// Recomputes the IPv4 header and TCP checksums of a frame as far as its
// headers allow (malformed frames keep whatever they have).
void fix_checksums(Bytes& f) {
  if (f.size() < 34 || f[12] != 0x08 || f[13] != 0x00) return;
  const std::size_t ihl = (f[14] & 0x0F) * 4u;
  if (ihl < 20 || 14 + ihl > f.size()) return;
  proto::Bytes b(f);
  proto::store_be16(b, 24, 0);
  proto::store_be16(b, 24, proto::internet_checksum(b.subspan(14, ihl)));
  if (f[23] != proto::kIpProtoTcp) return;
  const std::size_t end = std::min<std::size_t>(f.size(), 14 + std::size_t{proto::load_be16(b, 16)});
  if (end < 14 + ihl + 20) return;
  const proto::Bytes seg = b.subspan(14 + ihl, end - 14 - ihl);
  proto::store_be16(seg, proto::kTcpChecksumOffset, 0);
  proto::store_be16(seg, proto::kTcpChecksumOffset,
                    proto::tcp_checksum(proto::load_be32(b, 26), proto::load_be32(b, 30), seg));
}

struct Message {
  std::uint32_t offset = 0, length = 0;
  unsigned finals = 0;     // SEND_DONE or ERROR completions seen
  bool done_ok = false;
};

class RxBench {
 public:
  RxBench();
  void run(Reader& r);

 private:
  fw::Pcb make_pcb(Start s, Reader& r);
  void start(Start s, Reader& r);
  void post_messages(fw::HostInterface& host, unsigned n, Reader& r, std::uint32_t max_len, bool close);
  void frames(Reader& r);
  Bytes segment(Reader& r);
  Bytes raw(Reader& r, bool retarget, bool fix);
  void send(Bytes data, bool fcs_ok, const sc_time& gap);
  void finish();

  void on_nic_frame(const link::EthFrame& f);
  void on_arrival(const link::EthFrame& f);
  void on_completion(const model::Completion& c, const sc_time& landed);
  void on_recv_done(const model::Completion& c);
  void check_received();
  void stamp_payload(Bytes& frame) const;
  void check(bool ok, const std::string& what);

  FuzzPlatform p_;
  fw::Driver drv_;
  std::uint64_t tcb_base_ = 0, stream_ = 0, recv_ = 0;
  Bytes pattern_;
  std::uint64_t inputs_ = 0;
  // The current input's connection.
  bool active_ = false;
  std::uint16_t port_ = 0;
  Seq data_start_, rcv_nxt_, wire_max_, rcv_start_;
  std::uint32_t received_ = 0;  // receive stream bytes handed over by RECV_DONEs
  struct RecvDone {
    unsigned buffer;
    std::uint32_t length, offset;
  };
  std::vector<RecvDone> recv_done_;
  std::uint64_t covered_ = 0;  // stream bytes [0, covered_) have been on the wire
  std::uint32_t posted_ = 0;
  std::vector<Message> msgs_;
  std::uint64_t arp_replies_ = 0;  // ARP answers the NIC sent, all inputs
  std::unique_ptr<tb::Scoreboard> board_;
  std::vector<std::string> problems_;
};

RxBench::RxBench() : p_(make_config(kConfig)), drv_(p_.cpu) {
  p_.agent.on_received = [this](const link::EthFrame& f) { on_nic_frame(f); };
  p_.agent.on_arrival = [this](const link::EthFrame& f) { on_arrival(f); };
  p_.nic.completions.set_observer([this](const model::Completion& c, const sc_time& at) { on_completion(c, at); });
  pattern_.resize(kStreamBytes);
  for (std::uint32_t i = 0; i < kStreamBytes; ++i) pattern_[i] = static_cast<std::uint8_t>((i * 131u) ^ (i >> 9));
  bool ok = false;
  p_.firmware([&](fw::HostInterface& host) {
    fw::DriverConfig dc;
    dc.tcb_entries = 4;
    dc.local_ip = kLocalIp;  // ARP requests for it are answered
    dc.local_mac = mac(kLocalMac);
    if (!drv_.init(dc)) return;
    tcb_base_ = host.mmio_read32(TOEVP_REG_TCB_BASE_LO) | (std::uint64_t{host.mmio_read32(TOEVP_REG_TCB_BASE_HI)} << 32);
    stream_ = host.dma_alloc(kStreamBytes, 4096);
    recv_ = host.dma_alloc(kRecvBuffers * kRecvBufferBytes, 4096);
    if (stream_ == 0 || recv_ == 0) return;
    host.mem_write(stream_, pattern_.data(), pattern_.size());
    ok = true;
  }, sc_time(10, sc_core::SC_MS));
  if (!ok) invariant_failed("fuzz platform: driver init failed: " + drv_.last_error());
}

void RxBench::check(bool ok, const std::string& what) {
  if (!ok) problems_.push_back(what);
}

fw::Pcb RxBench::make_pcb(Start s, Reader& r) {
  fw::Pcb pcb;
  pcb.state = abi::kTcbEstablished;
  const std::uint8_t opt = r.u8();
  pcb.flags = (opt & 1) ? abi::kTcbFlagTimestamps : 0;
  pcb.snd_wscale = static_cast<std::uint8_t>((opt >> 1) % 15);
  pcb.rcv_wscale = static_cast<std::uint8_t>((opt >> 4) % 15);
  pcb.mss = kMss[(opt >> 6) & 3];
  pcb.local_port = port_;
  pcb.remote_port = kRemotePort;
  pcb.local_mac = mac(kLocalMac);
  pcb.remote_mac = mac(kRemoteMac);
  pcb.local_ip = kLocalIp;
  pcb.remote_ip = kRemoteIp;
  pcb.snd_una = pcb.snd_nxt = r.u32() + 1;  // ISS + 1
  pcb.rcv_nxt = r.u32() + 1;                // peer's ISS + 1
  const std::uint8_t window = r.u8();
  pcb.snd_wnd = s == Start::kZeroWindow ? 0 : kWindows[window % std::size(kWindows)];
  pcb.rcv_wnd = 65535;
  pcb.ts_recent = r.u32();
  pcb.ts_offset = r.u32();
  return pcb;
}

// Posts n SENDs of 1..max_len bytes (sizes from the input), consecutive in
// the stream buffer, then CLOSE if asked; one doorbell.
void RxBench::post_messages(fw::HostInterface&, unsigned n, Reader& r, std::uint32_t max_len, bool close) {
  for (unsigned i = 0; i < n && posted_ < kStreamBytes; ++i) {
    const std::uint32_t len = std::min(1 + r.u16() % max_len, kStreamBytes - posted_);
    fw::Sqe s;
    s.opcode = abi::Opcode::kSend;
    s.conn_id = kConn;
    s.length = len;
    s.host_addr = stream_ + posted_;
    s.cookie = msgs_.size();
    drv_.post(s);
    msgs_.push_back(Message{posted_, len});
    posted_ += len;
  }
  if (close) {
    fw::Sqe s;
    s.opcode = abi::Opcode::kClose;
    s.conn_id = kConn;
    drv_.post(s);
  }
  drv_.ring();
}

void RxBench::start(Start s, Reader& r) {
  const fw::Pcb pcb = make_pcb(s, r);
  data_start_ = Seq(pcb.snd_una);
  wire_max_ = data_start_;
  rcv_nxt_ = rcv_start_ = Seq(pcb.rcv_nxt);
  received_ = 0;
  bool offloaded = false;
  p_.firmware([&](fw::HostInterface& host) {
    std::array<std::uint8_t, abi::kTcbBytes> slot{};
    fw::encode_pcb(pcb, slot);
    host.mem_write(tcb_base_ + kConn * abi::kTcbBytes, slot.data(), slot.size());
    fw::Sqe o;
    o.opcode = abi::Opcode::kOffloadConn;
    o.conn_id = kConn;
    drv_.post(o);
    drv_.ring();
    for (int i = 0; i < 100 && drv_.conn_state(kConn) != fw::ConnState::kEstablished; ++i) drv_.poll(10'000);
    offloaded = drv_.conn_state(kConn) == fw::ConnState::kEstablished;
    if (!offloaded) return;
    active_ = true;
    for (unsigned i = 0; i < kRecvBuffers; ++i) {
      fw::Sqe b;
      b.opcode = abi::Opcode::kPostRecv;
      b.conn_id = kConn;
      b.length = kRecvBufferBytes;
      b.host_addr = recv_ + i * kRecvBufferBytes;
      b.cookie = kRecvCookie + i;
      drv_.post(b);
    }
    switch (s) {
      case Start::kInFlight:
      case Start::kAfterTimeout:
      case Start::kZeroWindow: return post_messages(host, 1 + r.u8() % 4, r, 65536, false);
      case Start::kClosing: return post_messages(host, 1 + r.u8() % 3, r, 20000, true);
      case Start::kClosed: return post_messages(host, 0, r, 1, true);
      case Start::kPeerFin: return post_messages(host, 1 + r.u8() % 3, r, 20000, false);
      case Start::kContextsFull: return post_messages(host, 24, r, 200, false);
      default: return;
    }
  }, sc_time(2, sc_core::SC_MS));
  if (!offloaded) invariant_failed("OFFLOAD_CONN of a valid PCB did not complete");
  p_.advance(sc_time(20, SC_US));  // the NIC sends what the windows allow
  if (s == Start::kAfterTimeout) p_.advance(sc_time(150, SC_US));  // past the initial RTO
  if (s == Start::kClosed) {
    const Bytes ack = [&] {
      proto::TcpFrameFields f;
      f.dst_mac = kLocalMac; f.src_mac = kRemoteMac; f.src_ip = kRemoteIp; f.dst_ip = kLocalIp;
      f.src_port = kRemotePort; f.dst_port = port_; f.seq = rcv_nxt_; f.ack = data_start_ + 1;
      f.flags = proto::kTcpAck; f.window = 65535;
      std::vector<std::uint8_t> out;
      proto::build_tcp_frame(f, {}, out);
      return out;
    }();
    send(ack, true, sc_core::SC_ZERO_TIME);
  }
  if (s == Start::kPeerFin) {
    proto::TcpFrameFields f;
    f.dst_mac = kLocalMac; f.src_mac = kRemoteMac; f.src_ip = kRemoteIp; f.dst_ip = kLocalIp;
    f.src_port = kRemotePort; f.dst_port = port_; f.seq = rcv_nxt_; f.ack = data_start_;
    f.flags = proto::kTcpAck | proto::kTcpFin; f.window = 65535;
    std::vector<std::uint8_t> out;
    proto::build_tcp_frame(f, {}, out);
    send(out, true, sc_core::SC_ZERO_TIME);
    rcv_nxt_ += 1;
  }
}

// A TCP segment for the connection from fuzzed fields: sequence and ACK
// numbers relative to what the NIC expects and has sent, flags, window,
// timestamps, raw option bytes, payload length, a wrong port or checksum.
Bytes RxBench::segment(Reader& r) {
  proto::TcpFrameFields f;
  f.dst_mac = kLocalMac; f.src_mac = kRemoteMac; f.src_ip = kRemoteIp; f.dst_ip = kLocalIp;
  f.src_port = kRemotePort; f.dst_port = port_;
  const std::uint8_t sel = r.u8();
  f.flags = r.u8();
  if (p_.nic.pe.offloaded(kConn)) {
    // Aim at what the NIC expects now (its receive path moves rcv_nxt).
    std::array<std::uint8_t, abi::kTcbBytes> live{};
    p_.nic.pe.encode_tcb(kConn, live.data());
    rcv_nxt_ = Seq(fw::decode_pcb(live).rcv_nxt);
  }
  switch (sel & 3) {
    case 0: f.seq = rcv_nxt_; break;
    case 1: f.seq = rcv_nxt_ + static_cast<std::uint32_t>(static_cast<std::int16_t>(r.u16())); break;
    case 2: f.seq = Seq(r.u32()); break;
    default: f.seq = rcv_nxt_ - 1; break;
  }
  switch ((sel >> 2) & 3) {
    case 0: f.ack = wire_max_; break;
    case 1: f.ack = wire_max_ + static_cast<std::uint32_t>(static_cast<std::int16_t>(r.u16())); break;
    case 2: f.ack = data_start_ + r.u32() % (posted_ + 2); break;
    default: f.ack = Seq(r.u32()); break;
  }
  f.window = r.u16();
  if (sel & 0x10) f.options.timestamps = std::make_pair(r.u32(), r.u32());
  if (sel & 0x20) f.dst_port = static_cast<std::uint16_t>(port_ + 1 + r.u8() % 2);  // not ours: raw path
  Bytes opts;
  if (sel & 0x40) {
    opts = r.bytes(4 * (r.u8() % 11u));
    opts.resize((opts.size() + 3) / 4 * 4, proto::kTcpOptNop);
  }
  const std::size_t len = r.u16() % 1520;
  Bytes payload(opts);
  payload.resize(opts.size() + len, 0x5A);
  std::vector<std::uint8_t> out;
  proto::build_tcp_frame(f, payload, out);
  if (!opts.empty()) {
    // The option bytes sit in front of the payload: move the data offset
    // over them (as far as its 4 bits allow).
    std::uint8_t& off = out[14 + 20 + 12];
    const unsigned words = std::min(15u, (off >> 4) + static_cast<unsigned>(opts.size() / 4));
    off = static_cast<std::uint8_t>((words << 4) | (off & 0x0F));
    fix_checksums(out);
  }
  if (sel & 0x80) out[out.size() > 60 ? 50 : 24] ^= 0x01;  // a checksum no longer matches
  return out;
}

// Raw bytes from the input; `retarget` writes the connection's addresses
// and ports over them so that a malformed header reaches the NIC's parser
// and engine as a frame of the connection.
Bytes RxBench::raw(Reader& r, bool retarget, bool fix) {
  Bytes f = r.bytes(r.u16() % 1600);
  if (retarget && f.size() >= 14) {
    proto::Bytes b(f);
    proto::store_be48(b, 0, kLocalMac);
    proto::store_be48(b, 6, kRemoteMac);
    proto::store_be16(b, 12, proto::kEtherTypeIpv4);
    if (f.size() >= 34) {
      f[23] = proto::kIpProtoTcp;
      proto::store_be32(b, 26, kRemoteIp);
      proto::store_be32(b, 30, kLocalIp);
      const std::size_t ihl = (f[14] & 0x0F) * 4u;
      if (14 + ihl + 4 <= f.size()) {
        proto::store_be16(b, 14 + ihl, kRemotePort);
        proto::store_be16(b, 14 + ihl + 2, port_);
      }
    }
  }
  if (fix) fix_checksums(f);
  return f;
}

// Frames of the connection carry the peer's stream pattern as payload, by
// sequence number, whatever else the fuzzer chose; a frame whose checksums
// were right keeps them right.
void RxBench::stamp_payload(Bytes& frame) const {
  proto::TcpFrameView v;
  if (proto::parse_tcp_frame(frame, v, false) != proto::FrameError::kNone) return;
  if (v.ip.src != kRemoteIp || v.tcp.src_port != kRemotePort || v.tcp.dst_port != port_ || v.payload.empty()) return;
  const bool valid = proto::parse_tcp_frame(frame, v, true) == proto::FrameError::kNone;
  const auto first = static_cast<std::uint32_t>(v.tcp.seq - rcv_start_);
  const auto at = static_cast<std::size_t>(v.payload.data() - frame.data());
  for (std::size_t i = 0; i < v.payload.size(); ++i) frame[at + i] = peer_byte(first + static_cast<std::uint32_t>(i));
  if (valid) fix_checksums(frame);
}

void RxBench::send(Bytes data, bool fcs_ok, const sc_time& gap) {
  stamp_payload(data);
  link::EthFrame f;
  f.data = std::move(data);
  f.fcs_ok = fcs_ok;
  p_.agent.send(std::move(f), gap);
  // The next simulated time step: the frame is on the wire, arrives, and the
  // NIC's receive path (parse, engine) has processed it.
  p_.advance(gap + sc_time(2, SC_US));
}

// Frame records: kind (bits 0-1 what, bit 2 bad FCS, bit 3 long gap, bit 4
// fix checksums of raw bytes), gap, then the frame's own fields.
void RxBench::frames(Reader& r) {
  sc_time total = sc_core::SC_ZERO_TIME;
  for (unsigned n = 0; n < kMaxFrames && !r.empty(); ++n) {
    const std::uint8_t kind = r.u8();
    sc_time gap = (kind & 0x08) ? sc_time(20.0 * r.u8(), SC_US) : sc_time(100.0 * r.u8(), SC_NS);
    if (total + gap > sc_time(20, sc_core::SC_MS)) gap = sc_core::SC_ZERO_TIME;
    total += gap;
    Bytes data;
    switch (kind & 3) {
      case 0:
      case 1: data = segment(r); break;
      case 2: data = raw(r, false, kind & 0x10); break;
      default: data = raw(r, true, true); break;
    }
    send(std::move(data), (kind & 0x04) == 0, gap);
  }
}

// Observers ------------------------------------------------------------------------

void RxBench::on_nic_frame(const link::EthFrame& f) {
  proto::EthernetHeader eth;
  proto::ArpPacket arp;
  if (proto::parse_ethernet(f.data, eth) == proto::EthernetError::kNone && eth.ethertype == proto::kEtherTypeArp) {
    const bool parses = proto::parse_arp(proto::ConstBytes(f.data).subspan(proto::kEthernetHeaderBytes), arp) ==
                        proto::ArpError::kNone;
    check(parses && arp.op == proto::kArpOpReply && eth.src == kLocalMac && arp.sender_mac == kLocalMac &&
              arp.sender_ip == kLocalIp && eth.dst == arp.target_mac && ((eth.dst >> 40) & 1) == 0,
          "the NIC sent an ARP frame that is not a reply from 10.0.0.1 to a unicast requester");
    ++arp_replies_;
    return;
  }
  proto::TcpFrameView v;
  const proto::FrameError e = proto::parse_tcp_frame(f.data, v);
  check(e == proto::FrameError::kNone, std::string("the NIC sent a frame that does not parse: ") + proto::to_string(e));
  if (e != proto::FrameError::kNone || !active_ || v.tcp.src_port != port_) return;
  const std::int32_t rel = v.tcp.seq - data_start_;
  const std::uint32_t len = static_cast<std::uint32_t>(v.payload.size());
  if (len > 0) {
    const bool inside = rel >= 0 && std::uint64_t(rel) + len <= posted_;
    check(inside, "the NIC sent stream bytes [" + std::to_string(rel) + ", +" + std::to_string(len) +
                      ") outside the " + std::to_string(posted_) + " posted");
    if (inside) {
      check(std::memcmp(v.payload.data(), pattern_.data() + rel, len) == 0,
            "payload on the wire differs from host memory at stream offset " + std::to_string(rel));
      if (std::uint64_t(rel) <= covered_) covered_ = std::max<std::uint64_t>(covered_, std::uint64_t(rel) + len);
    }
  }
  const Seq end = v.tcp.seq + len + ((v.tcp.flags & proto::kTcpFin) ? 1 : 0);
  if (end > wire_max_) wire_max_ = end;
}

void RxBench::on_arrival(const link::EthFrame& f) {
  // An ACK of the connection that reaches the NIC and acks stream bytes the
  // NIC was given: the scoreboard lets SEND_DONEs up to it through.
  proto::TcpFrameView v;
  if (!active_ || !f.fcs_ok || f.data.size() > 1514 || proto::parse_tcp_frame(f.data, v) != proto::FrameError::kNone) return;
  // The NIC demultiplexes on (remote IP, remote port, local port): so does this.
  if (v.ip.src != kRemoteIp || v.tcp.src_port != kRemotePort || v.tcp.dst_port != port_) return;
  if (!(v.tcp.flags & proto::kTcpAck)) return;
  const std::int32_t acked = v.tcp.ack - data_start_;
  if (acked >= 0 && std::uint32_t(acked) <= posted_ + 1)
    board_->on_ack_at_nic(port_, static_cast<std::uint64_t>(acked), sc_core::sc_time_stamp());
}

void RxBench::on_completion(const model::Completion& c, const sc_time& landed) {
  if (!active_ || c.conn != kConn) return;
  if (c.type == abi::CqeType::kRecvDone) return on_recv_done(c);
  const bool send_done = c.type == abi::CqeType::kSendDone;
  const bool send_error = c.type == abi::CqeType::kError && c.opcode == static_cast<std::uint8_t>(abi::Opcode::kSend);
  if (!send_done && !send_error) return;
  if (c.cookie >= msgs_.size()) {
    check(false, "completion for a SEND that was never posted, cookie " + std::to_string(c.cookie));
    return;
  }
  Message& m = msgs_[c.cookie];
  ++m.finals;
  if (!send_done) return;
  check(c.length == m.length, "SEND_DONE length " + std::to_string(c.length) + " for a message of " + std::to_string(m.length));
  m.done_ok = c.status == abi::Status::kOk;
  board_->on_send_done(port_, m.length, m.done_ok, landed);
}

// Buffers fill in posting order, so each RECV_DONE continues the stream.
// The observer runs when the completion's write is issued, before the data
// has surely landed: the bytes are compared in finish().
void RxBench::on_recv_done(const model::Completion& c) {
  const std::uint64_t i = c.cookie - kRecvCookie;
  if (i >= kRecvBuffers || c.length > kRecvBufferBytes) {
    check(false, "RECV_DONE for no posted buffer (cookie " + std::to_string(c.cookie) + ", length " +
                     std::to_string(c.length) + ")");
    return;
  }
  if (c.status == abi::Status::kOk) recv_done_.push_back(RecvDone{static_cast<unsigned>(i), c.length, received_});
  received_ += c.length;
}

void RxBench::check_received() {
  for (const RecvDone& d : recv_done_) {
    const std::uint8_t* data = p_.host_mem.host_ptr(recv_ + d.buffer * kRecvBufferBytes, d.length);
    for (std::uint32_t k = 0; k < d.length; ++k) {
      if (data[k] == peer_byte(d.offset + k)) continue;
      check(false, "RECV_DONE buffer " + std::to_string(d.buffer) + " byte " + std::to_string(k) +
                       " is not the peer's byte at stream offset " + std::to_string(d.offset + k));
      break;
    }
  }
  recv_done_.clear();
}

// Reset the connection, drain, and check everything of this input.
void RxBench::finish() {
  p_.advance(sc_time(30, SC_US));
  check(p_.nic.contexts.used() == p_.nic.pe.contexts_linked(),
        "context table: " + std::to_string(p_.nic.contexts.used()) + " entries in use, " +
            std::to_string(p_.nic.pe.contexts_linked()) + " linked to connections");
  if (p_.nic.pe.offloaded(kConn)) {
    // Only a RST at exactly rcv_nxt ends the connection (RFC 5961 section 3.2).
    std::array<std::uint8_t, abi::kTcbBytes> live{};
    p_.nic.pe.encode_tcb(kConn, live.data());
    rcv_nxt_ = Seq(fw::decode_pcb(live).rcv_nxt);
  }
  proto::TcpFrameFields f;
  f.dst_mac = kLocalMac; f.src_mac = kRemoteMac; f.src_ip = kRemoteIp; f.dst_ip = kLocalIp;
  f.src_port = kRemotePort; f.dst_port = port_; f.seq = rcv_nxt_; f.flags = proto::kTcpRst;
  std::vector<std::uint8_t> rst;
  proto::build_tcp_frame(f, {}, rst);
  send(rst, true, sc_core::SC_ZERO_TIME);
  // Let the command processor run what is left in the ring, the completion
  // engine write everything, and the driver reap it.
  for (int i = 0; i < 20; ++i) {
    p_.firmware([&](fw::HostInterface&) {
      drv_.poll(5'000);
      fw::Completion c;
      while (drv_.next_completion(c)) {
      }
    }, sc_time(1, sc_core::SC_MS));
    if (p_.nic.completions.pending() == 0 && p_.nic.cmd.head() == p_.nic.regs.stored(TOEVP_REG_SQ_TAIL)) break;
  }
  p_.advance(sc_time(20, SC_US));
  active_ = false;
  check(!p_.nic.pe.offloaded(kConn), "the connection is still offloaded after a RST");
  check(p_.nic.contexts.used() == 0, std::to_string(p_.nic.contexts.used()) +
                                         " message contexts still in use after the connection was reset");
  for (std::size_t i = 0; i < msgs_.size(); ++i) {
    const Message& m = msgs_[i];
    check(m.finals == 1, "SEND " + std::to_string(i) + " (" + std::to_string(m.length) + " bytes) got " +
                             std::to_string(m.finals) + " final completions instead of 1");
    check(!m.done_ok || covered_ >= std::uint64_t{m.offset} + m.length,
          "SEND_DONE OK for SEND " + std::to_string(i) + " whose bytes up to " +
              std::to_string(m.offset + m.length) + " never all went on the wire (" + std::to_string(covered_) + ")");
  }
  for (const auto& v : board_->messages()) check(false, "scoreboard: " + v);
  check_received();
}

void RxBench::run(Reader& r) {
  ++inputs_;
  // A fresh local port per input: frames of the last input's connection
  // still on their way cannot be taken for this one's.
  port_ = static_cast<std::uint16_t>(4000 + inputs_ % 20000);
  msgs_.clear();
  posted_ = 0;
  covered_ = 0;
  problems_.clear();
  board_ = std::make_unique<tb::Scoreboard>();
  p_.align(sc_time(1, sc_core::SC_MS));
  const auto s = static_cast<Start>(r.u8() % static_cast<unsigned>(Start::kCount));
  start(s, r);
  frames(r);
  finish();
  if (std::getenv("TOEVP_FUZZ_VERBOSE")) {
    const auto& pe = p_.nic.pe.stats();
    std::printf("  start %d: %zu messages (%u bytes), %llu bytes on the wire; NIC so far: %llu segments sent, "
                "%llu received, %llu SEND_DONE, %llu new ACKs, %llu invalid ACKs, %llu timeouts, %llu ARP replies; "
                "t=%s\n",
                static_cast<int>(s), msgs_.size(), posted_, static_cast<unsigned long long>(covered_),
                static_cast<unsigned long long>(pe.segments_sent), static_cast<unsigned long long>(pe.rx_segments),
                static_cast<unsigned long long>(pe.send_done), static_cast<unsigned long long>(pe.acks_new),
                static_cast<unsigned long long>(pe.acks_invalid), static_cast<unsigned long long>(pe.timeouts),
                static_cast<unsigned long long>(arp_replies_), p_.now().to_string().c_str());
  }
  if (!problems_.empty()) {
    std::string all;
    for (const auto& p : problems_) all += "\n  " + p;
    invariant_failed("start state " + std::to_string(static_cast<int>(s)) + ":" + all);
  }
}

RxBench* bench = nullptr;

}  // namespace

// Seeds: one per start state with a few ordinary segments (ACKs of what was
// sent, a duplicate ACK, data, a window update), plus frames that probe the
// parser (options, raw bytes, bad checksums, sequence wrap).
std::vector<std::pair<std::string, Bytes>> seeds() {
  std::vector<std::pair<std::string, Bytes>> out;
  auto pcb = [](Writer& w, std::uint8_t opt, std::uint32_t iss, std::uint8_t window) {
    w.u8(opt).u32(iss).u32(0x12345678).u8(window).u32(1000).u32(5000);
  };
  auto ack = [](Writer& w, std::uint8_t gap, std::uint8_t ack_sel, std::uint16_t window) {
    // kind 0 (segment), ACK flag, seq = rcv_nxt, ack chosen by ack_sel
    w.u8(0).u8(gap).u8(static_cast<std::uint8_t>(ack_sel << 2)).u8(proto::kTcpAck);
    if (ack_sel == 1) w.u16(0);
    w.u16(window).u16(0);
  };
  const char* names[] = {"idle", "in_flight", "after_timeout", "closing", "closed", "peer_fin", "contexts_full", "zero_window"};
  for (std::uint8_t s = 0; s < static_cast<std::uint8_t>(Start::kCount); ++s) {
    Writer w;
    w.u8(s);
    pcb(w, static_cast<std::uint8_t>(0x80 | (s & 1) | (7 << 1)), 1000u * s, 2);
    const auto st = static_cast<Start>(s);
    int messages = 3;
    if (st == Start::kIdle || st == Start::kClosed) messages = 0;
    if (st == Start::kContextsFull) messages = 24;
    else if (messages > 0) w.u8(2);  // the message count: 3
    for (int i = 0; i < messages; ++i) w.u16(static_cast<std::uint16_t>(1000 + 997 * i));
    ack(w, 10, 0, 65535);
    ack(w, 10, 0, 65535);  // duplicate
    ack(w, 50, 1, 0);      // window closes
    ack(w, 50, 0, 65535);
    out.emplace_back(std::string("seed-") + names[s], w.data());
  }
  {  // sequence numbers wrap inside the stream
    Writer w;
    w.u8(static_cast<std::uint8_t>(Start::kInFlight));
    pcb(w, 0x81, 0xFFFFF000u, 2);
    w.u8(3).u16(5000).u16(5000).u16(5000).u16(5000);
    for (int i = 0; i < 6; ++i) ack(w, 20, 0, 65535);
    out.emplace_back("seed-wrap", w.data());
  }
  {  // options, data, FIN, RST-looking, raw and retargeted frames
    Writer w;
    w.u8(static_cast<std::uint8_t>(Start::kInFlight));
    pcb(w, 0x01, 77, 2);
    w.u8(0).u16(3000);
    // segment with raw options (MSS, WS, SACK-permitted, SACK block) and 100 payload bytes
    w.u8(0).u8(5).u8(0x40).u8(proto::kTcpAck | proto::kTcpPsh).u16(65535).u8(5);
    // 20 option bytes: MSS 1460, window scale 7, SACK permitted, a SACK block, EOL
    w.u8(2).u8(4).u8(0x05).u8(0xB4).u8(3).u8(3).u8(7).u8(4).u8(2).u8(5).u8(10).u32(1).u32(2).u8(0);
    w.u16(100);
    // FIN with data
    w.u8(0).u8(5).u8(0x00).u8(proto::kTcpAck | proto::kTcpFin).u16(1000).u16(10);
    // raw garbage, then a retargeted frame with a bad IHL
    Bytes junk(60, 0x45);
    w.u8(2).u8(1).u16(static_cast<std::uint16_t>(junk.size())).bytes(junk);
    Bytes hdr(54, 0);
    hdr[14] = 0x46;  // IHL 6
    hdr[16] = 0;
    hdr[17] = 40;
    w.u8(3).u8(1).u16(static_cast<std::uint16_t>(hdr.size())).bytes(hdr);
    // bad FCS
    w.u8(0x04).u8(1).u8(0).u8(proto::kTcpAck).u16(100).u16(0);
    out.emplace_back("seed-parser", w.data());
  }
  {  // ARP through the raw path into the driver: a request for our address
     // (answered), one for another, a gratuitous one, truncated and
     // mis-sized ones, then an ordinary ACK
    auto arp = [](std::uint32_t target_ip, std::uint32_t sender_ip) {
      Bytes f(60, 0);
      proto::Bytes b(f);
      proto::emit_ethernet(proto::EthernetHeader{proto::kBroadcastMac, kRemoteMac, proto::kEtherTypeArp}, b);
      proto::ArpPacket a;
      a.op = proto::kArpOpRequest;
      a.sender_mac = kRemoteMac;
      a.sender_ip = sender_ip;
      a.target_ip = target_ip;
      proto::emit_arp(a, b.subspan(proto::kEthernetHeaderBytes));
      return f;
    };
    auto raw = [](Writer& w, const Bytes& f) { w.u8(2).u8(1).u16(static_cast<std::uint16_t>(f.size())).bytes(f); };
    Writer w;
    w.u8(static_cast<std::uint8_t>(Start::kInFlight));
    pcb(w, 0x81, 4242, 2);
    w.u8(2).u16(2000).u16(2000).u16(2000);
    raw(w, arp(kLocalIp, kRemoteIp));
    raw(w, arp(0x0A00'0063, kRemoteIp));
    raw(w, arp(kRemoteIp, kRemoteIp));
    Bytes truncated = arp(kLocalIp, kRemoteIp);
    truncated.resize(30);
    raw(w, truncated);
    Bytes sized = arp(kLocalIp, kRemoteIp);
    sized[18] = 8;  // hardware address length
    raw(w, sized);
    ack(w, 10, 0, 65535);
    out.emplace_back("seed-arp", w.data());
  }
  return out;
}

}  // namespace toevp::fuzz

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  toevp::fuzz::FuzzPlatform::prepare_kernel();
  toevp::fuzz::bench = new toevp::fuzz::RxBench();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  toevp::fuzz::Reader r(data, size);
  toevp::fuzz::bench->run(r);
  return 0;
}
