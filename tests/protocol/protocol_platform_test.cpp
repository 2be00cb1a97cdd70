// The protocol engine in the running platform: loss recovery (fast
// retransmit, NewReno partial ACKs, RTO back-off), zero-window probing, the
// offloaded receive path with its ACK rules, teardown by the peer's RST and
// by retransmission give-up, UPLOAD/re-OFFLOAD mid-transfer, and many
// connections through a small TCB cache. Every case elaborates its own
// platform (its own ctest process) with a fixed seed printed on failure.
#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>

#include "firmware/driver.h"
#include "model/proto/tcp.h"
#include "model/proto/tcp_frame.h"
#include "tests/platform/platform_harness.h"
#include "tests/protocol/protocol_harness.h"

namespace toevp::tb::test {
namespace {

const int kSeed = test_seed(7);

std::vector<std::string> base(std::vector<std::string> more = {}) {
  std::vector<std::string> v{"sim.seed=" + std::to_string(kSeed), "sim.time_limit_ms=500"};
  v.insert(v.end(), more.begin(), more.end());
  return v;
}

// Loses the NIC's data segments whose running number (1 = first data
// segment, retransmissions counted too) is in `which`.
FrameDropper drop_nic_data(std::vector<int> which, int* counter) {
  return FrameDropper([which, counter](const proto::TcpFrameView& v, bool from_nic) {
    if (!from_nic || v.payload.empty()) return false;
    ++*counter;
    return std::find(which.begin(), which.end(), *counter) != which.end();
  });
}

StreamClientParams bulk(unsigned connections, std::uint32_t messages, std::uint32_t bytes) {
  StreamClientParams s;
  s.connections = connections;
  s.messages_per_conn = messages;
  s.message_bytes = bytes;
  return s;
}

TEST_CASE("a lossless link: no retransmission and no timeout, not even on idle connections",
          "[protocol][loss]") {
  Platform p(make_config(base()));
  // 32 connections: their initial sequence numbers spread over the whole
  // sequence space, so no state that depends on where they lie goes unseen.
  auto sp = bulk(32, 4, 16384);
  sp.close = false;
  sp.linger_ns = 5'000'000;  // idle for 25 minimum RTOs
  StreamClientResult r;
  REQUIRE(run_client(p, sp, r));
  check_transfer_invariants(p, sp, r);
  CHECK(p.nic.pe.stats().retransmitted_segments == 0);
  CHECK(p.nic.pe.stats().timeouts == 0);
  CHECK(p.nic.pe.stats().acks_invalid == 0);
}

TEST_CASE("one lost data segment is recovered by fast retransmit, without a timeout (RFC 5681 3.2)",
          "[protocol][loss]") {
  Platform p(make_config(base()));
  int n = 0;
  FrameDropper drop = drop_nic_data({40}, &n);
  p.link.add_observer(&drop);
  const auto sp = bulk(1, 32, 16384);
  StreamClientResult r;
  REQUIRE(run_client(p, sp, r));
  check_transfer_invariants(p, sp, r);
  const auto& s = p.nic.pe.stats();
  CHECK(drop.dropped() == 1);
  CHECK(s.fast_retransmits == 1);
  CHECK(s.timeouts == 0);
  CHECK(s.retransmitted_segments == 1);
  CHECK(s.acks_duplicate >= 3);
}

TEST_CASE("two holes in one window: the partial ACK resends the second at once (RFC 6582 3.2 step 5)",
          "[protocol][loss]") {
  Platform p(make_config(base()));
  int n = 0;
  FrameDropper drop = drop_nic_data({40, 46}, &n);
  p.link.add_observer(&drop);
  const auto sp = bulk(1, 32, 16384);
  StreamClientResult r;
  REQUIRE(run_client(p, sp, r));
  check_transfer_invariants(p, sp, r);
  const auto& s = p.nic.pe.stats();
  CHECK(s.fast_retransmits == 1);
  CHECK(s.partial_ack_retransmits == 1);
  CHECK(s.timeouts == 0);
  CHECK(s.retransmitted_segments == 2);
}

TEST_CASE("a lost fast retransmission is recovered by the retransmission timeout and go-back-N",
          "[protocol][loss]") {
  Platform p(make_config(base()));
  int n = 0;
  int lost_seq_count = 0;
  std::uint32_t lost_seq = 0;
  // Lose the 40th data segment and the first retransmission of it.
  FrameDropper drop([&](const proto::TcpFrameView& v, bool from_nic) {
    if (!from_nic || v.payload.empty()) return false;
    if (++n == 40) {
      lost_seq = v.tcp.seq.raw();
      return ++lost_seq_count == 1;
    }
    return n > 40 && v.tcp.seq.raw() == lost_seq && ++lost_seq_count == 2;
  });
  p.link.add_observer(&drop);
  const auto sp = bulk(1, 32, 16384);
  StreamClientResult r;
  REQUIRE(run_client(p, sp, r));
  check_transfer_invariants(p, sp, r);
  CHECK(drop.dropped() == 2);
  CHECK(p.nic.pe.stats().fast_retransmits == 1);
  CHECK(p.nic.pe.stats().timeouts == 1);
}

TEST_CASE("without reassembly at the peer, 1% loss is still recovered completely",
          "[protocol][loss]") {
  Platform p(make_config(base({"peer.reassembly=false", "link.a_to_b.loss=0.01"})));
  const auto sp = bulk(2, 32, 16384);
  StreamClientResult r;
  REQUIRE(run_client(p, sp, r));
  check_transfer_invariants(p, sp, r);
  CHECK(p.link.fault_stats(link::EthLink::kA).lost_random > 0);
  CHECK(p.nic.pe.stats().retransmitted_segments > 0);
}

TEST_CASE("a slow reader closes the window; lost window updates are recovered by zero-window probes",
          "[protocol][persist]") {
  Platform p(make_config(base({"peer.app_read_mbps=4000", "peer.rcv_buffer_bytes=65536"})));
  // Lose the first window-opening ACK after each zero window (at most 4):
  // only the persist timer's probe can then find out that it opened.
  std::uint16_t last_window = 1;
  int drops = 0;
  bool dropped_this_episode = false;
  FrameDropper drop([&](const proto::TcpFrameView& v, bool from_nic) {
    if (from_nic) return false;
    const std::uint16_t w = v.tcp.window;
    bool lose = false;
    if (w == 0) dropped_this_episode = false;
    else if (last_window == 0 && !dropped_this_episode && drops < 4) lose = dropped_this_episode = true, ++drops;
    last_window = w;
    return lose;
  });
  p.link.add_observer(&drop);
  const auto sp = bulk(1, 16, 65536);
  StreamClientResult r;
  REQUIRE(run_client(p, sp, r));
  check_transfer_invariants(p, sp, r);
  CHECK(drops == 4);
  CHECK(p.nic.pe.stats().persist_probes >= 4);
  CHECK(p.nic.pe.stats().timeouts == 0);
  CHECK(p.peer.logic().connection(0).stats.window_zero_events >= 4);
}

TEST_CASE("the peer's data lands in POST_RECV buffers in order and is ACKed every second segment",
          "[protocol][receive]") {
  Platform p(make_config(base({"peer.request_bytes=16384", "peer.response_bytes=20000"})));
  auto sp = bulk(2, 8, 16384);
  sp.recv_buffers = 4;
  sp.recv_buffer_bytes = 8192;
  sp.expect_recv_bytes = 8 * 20000;
  StreamClientResult r;
  REQUIRE(run_client(p, sp, r));
  check_transfer_invariants(p, sp, r);
  const auto& s = p.nic.pe.stats();
  CHECK(s.rx_data_bytes == 2 * 8 * 20000);
  CHECK(s.rx_ooo_dropped == 0);
  CHECK(s.rx_no_buffer_bytes == 0);
  // 20000 bytes = 13 full segments and one short one per response, each
  // response ending with PSH: buffers complete full, or at the PSH.
  CHECK(r.recv_done >= 2 * 8 * 3);
  CHECK(s.recv_done >= r.recv_done);  // plus the unused buffers handed back after the close
  const std::uint64_t peer_segments = p.peer.logic().connection(0).stats.data_bytes_sent / 1448 + 16;
  INFO("pure ACKs " << s.pure_acks_sent << " for about " << 2 * peer_segments << " data segments");
  CHECK(s.pure_acks_sent <= peer_segments + 16);  // one per two segments, plus stragglers
}

TEST_CASE("a lone received segment is ACKed pe.ack_delay_us after it arrived (RFC 1122 4.2.3.2)",
          "[protocol][receive]") {
  Platform p(make_config(base({"peer.request_bytes=100", "peer.response_bytes=1000", "pe.ack_delay_us=40"})));
  // When the peer's data segment reaches the NIC, and when the NIC's next
  // pure ACK starts on the wire.
  struct Watch : link::FrameObserver {
    sc_core::sc_time prop, data_at_nic, ack_start;
    void on_frame(const link::EthFrame& f, bool from_nic, const sc_core::sc_time& first_bit) override {
      proto::TcpFrameView v;
      if (proto::parse_tcp_frame(f.data, v, false) != proto::FrameError::kNone) return;
      if (!from_nic && !v.payload.empty()) data_at_nic = first_bit + prop;
      if (from_nic && v.payload.empty() && data_at_nic != sc_core::SC_ZERO_TIME && ack_start == sc_core::SC_ZERO_TIME)
        ack_start = first_bit;
    }
  } watch;
  watch.prop = p.link.params().propagation;
  p.link.add_observer(&watch);
  auto sp = bulk(1, 1, 100);
  sp.recv_buffers = 1;
  sp.recv_buffer_bytes = 4096;
  sp.expect_recv_bytes = 1000;
  sp.close = false;
  sp.linger_ns = 200'000;
  StreamClientResult r;
  REQUIRE(run_client(p, sp, r));
  check_transfer_invariants(p, sp, r);
  CHECK(p.nic.pe.stats().delayed_acks == 1);
  const double delay_us = (watch.ack_start - watch.data_at_nic).to_seconds() * 1e6;
  INFO("ACK left " << delay_us << " us after the data arrived");
  CHECK(delay_us >= 40.0);
  CHECK(delay_us < 41.0);
}

TEST_CASE("out-of-order data at the NIC is dropped with an immediate duplicate ACK and arrives again",
          "[protocol][receive]") {
  Platform p(make_config(base({"peer.request_bytes=16384", "peer.response_bytes=30000", "link.b_to_a.loss=0.03"})));
  auto sp = bulk(2, 16, 16384);
  sp.recv_buffers = 8;
  sp.expect_recv_bytes = 16 * 30000;
  StreamClientResult r;
  REQUIRE(run_client(p, sp, r));
  check_transfer_invariants(p, sp, r);
  CHECK(p.nic.pe.stats().rx_ooo_dropped > 0);
  CHECK(p.peer.logic().connection(0).stats.go_back_n + p.peer.logic().connection(0).stats.data_timeouts > 0);
}

TEST_CASE("UPLOAD then re-OFFLOAD mid-transfer loses nothing, in both directions", "[protocol][upload]") {
  Platform p(make_config(base({"peer.request_bytes=32768", "peer.response_bytes=4000"})));
  auto sp = bulk(2, 48, 32768);
  sp.recv_buffers = 4;
  sp.expect_recv_bytes = 48 * 4000;
  sp.upload_after = 10;
  sp.upload_pause_ns = 20'000;
  StreamClientResult r;
  REQUIRE(run_client(p, sp, r));
  check_transfer_invariants(p, sp, r);
  CHECK(r.uploads == 2);
  CHECK(p.nic.pe.stats().uploads == 2);
  CHECK(r.aborted > 0);
  CHECK(r.reposted_bytes > 0);
  REQUIRE(r.uploaded.size() == 2);
  for (const auto& t : r.uploaded) {
    CHECK(t.state == abi::kTcbUploaded);
    CHECK(t.msg_unacked > 0);
    CHECK(t.bytes_unacked > 0);
    CHECK(proto::Seq(t.snd_una) <= proto::Seq(t.snd_max));
  }
}

TEST_CASE("a PCB mss larger than the MTU carries is clamped: no frame exceeds the MTU, nothing is lost",
          "[protocol][upload][hostile]") {
  // Found by fuzzing (tests/fuzz/corpus/fuzz_submissions/regress-pcb-mss-larger-than-mtu):
  // a 65,535-byte MSS made a frame larger than the transmit buffer.
  Platform p(make_config(base()));
  auto sp = bulk(2, 24, 32768);
  sp.upload_after = 4;
  sp.reoffload_mss = 9000;  // firmware's mistake: mac.mtu is 1500
  std::uint64_t largest = 0;
  FrameDropper watch([&](const proto::TcpFrameView& v, bool from_nic) {
    if (from_nic) largest = std::max<std::uint64_t>(largest, v.payload.size());
    return false;
  });
  p.link.add_observer(&watch);
  StreamClientResult r;
  REQUIRE(run_client(p, sp, r));
  check_transfer_invariants(p, sp, r);
  CHECK(r.uploads == 2);
  CHECK(p.nic.pe.stats().mss_clamped == 2);
  CHECK(largest == 1448);  // mac.mtu 1500 - 40 - 12 (timestamps)
}

// Firmware that posts `n` messages on one connection and collects every
// completion until the connection ends.
struct Ending {
  std::string error;
  std::vector<fw::Completion> completions;
};

int post_and_collect(fw::HostInterface& host, unsigned n, std::uint32_t bytes, Ending& e) {
  fw::Driver drv(host);
  if (!init_and_connect(drv, 1, e.error)) return 1;
  const std::uint64_t buf = host.dma_alloc(std::uint64_t{n} * bytes, 64);
  for (unsigned i = 0; i < n; ++i) {
    fill_pattern(host, buf + std::uint64_t{i} * bytes, 0, std::uint64_t{i} * bytes, bytes);
    drv.post_send(0, buf + std::uint64_t{i} * bytes, bytes, i);
  }
  drv.post_recv(0, host.dma_alloc(4096, 64), 4096, 999);
  drv.ring();
  fw::Completion c;
  while (next(drv, c, 100'000'000)) {
    e.completions.push_back(c);
    if (c.type == abi::CqeType::kConnEvent && c.event != abi::ConnEvent::kFinReceived) break;
  }
  while (drv.next_completion(c)) e.completions.push_back(c);
  return 0;
}

void check_ending(const Platform& p, const Ending& e, unsigned n, abi::Status status, abi::ConnEvent event) {
  INFO("seed " << kSeed << " " << e.error);
  REQUIRE(e.error.empty());
  unsigned ok = 0, failed = 0, events = 0, recv = 0;
  for (const auto& c : e.completions) {
    if (c.type == abi::CqeType::kSendDone) {
      CHECK(c.cookie == ok + failed);  // each message exactly once, in order
      (c.status == abi::Status::kOk ? ok : failed) += 1;
      if (c.status != abi::Status::kOk) CHECK(c.status == status);
    }
    if (c.type == abi::CqeType::kRecvDone) ++recv;
    if (c.type == abi::CqeType::kConnEvent && c.event == event) {
      ++events;
      CHECK(c.status == status);
    }
  }
  CHECK(ok + failed == n);
  CHECK(failed > 0);
  CHECK(events == 1);
  CHECK(recv == 1);  // the posted receive buffer came back too
  CHECK(p.nic.pe.contexts_linked() == 0);
  CHECK(p.nic.contexts.used() == 0);
  CHECK(p.nic.pe.recv_buffers_held() == 0);
  CHECK(p.nic.pe.connections_offloaded() == 0);
  CHECK(p.scoreboard.violations() == 0);
}

TEST_CASE("an RST from the peer completes every held message with RESET and raises CONN_EVENT",
          "[protocol][teardown]") {
  Platform p(make_config(base({"peer.rst_after_bytes=300000"})));
  Ending e;
  REQUIRE(p.run([&](fw::HostInterface& h) { return post_and_collect(h, 16, 65536, e); }));
  check_ending(p, e, 16, abi::Status::kReset, abi::ConnEvent::kRstReceived);
}

// A segment from the peer's addresses and ports (those of `from_peer`) with
// the given sequence number, flags and `payload_bytes` bytes of 0xEE; ACK
// number and window as in `from_peer`.
std::vector<std::uint8_t> forged(const proto::TcpFrameView& from_peer, proto::Seq seq, std::uint8_t flags,
                                 std::size_t payload_bytes = 0) {
  proto::TcpFrameFields f;
  f.dst_mac = from_peer.eth.dst;
  f.src_mac = from_peer.eth.src;
  f.src_ip = from_peer.ip.src;
  f.dst_ip = from_peer.ip.dst;
  f.src_port = from_peer.tcp.src_port;
  f.dst_port = from_peer.tcp.dst_port;
  f.seq = seq;
  f.ack = from_peer.tcp.ack;
  f.window = from_peer.tcp.window;
  f.flags = flags;
  const std::vector<std::uint8_t> payload(payload_bytes, 0xEE);
  std::vector<std::uint8_t> out;
  proto::build_tcp_frame(f, payload, out);
  return out;
}

// Rewrites the peer's pure ACKs on the wire: `rewrite` gets each one with
// its running number (1 = first) and may replace the frame's bytes.
class PeerAckRewriter : public link::FrameObserver {
 public:
  using Rewrite = std::function<bool(const proto::TcpFrameView& v, int n, std::vector<std::uint8_t>& out)>;
  explicit PeerAckRewriter(Rewrite rewrite) : rewrite_(std::move(rewrite)) {}
  void on_frame(const link::EthFrame& frame, bool from_nic, const sc_core::sc_time&) override {
    proto::TcpFrameView v;
    if (from_nic || proto::parse_tcp_frame(frame.data, v) != proto::FrameError::kNone) return;
    if (!v.payload.empty() || (v.tcp.flags & (proto::kTcpSyn | proto::kTcpFin | proto::kTcpRst))) return;
    std::vector<std::uint8_t> out;
    if (rewrite_(v, ++acks_, out)) const_cast<link::EthFrame&>(frame).data = std::move(out);
  }
  int acks() const { return acks_; }

 private:
  Rewrite rewrite_;
  int acks_ = 0;
};

TEST_CASE("a RST whose sequence number is not rcv_nxt does not end the connection (RFC 5961)",
          "[protocol][teardown][hostile]") {
  // Three of the peer's pure ACKs become RSTs on the wire: one inside the
  // receive window but past rcv_nxt (challenge ACK), one just below rcv_nxt
  // and one half the sequence space away (both dropped). The peer sends no
  // data, so its ACKs carry seq = the NIC's rcv_nxt.
  Platform p(make_config(base()));
  PeerAckRewriter forger([](const proto::TcpFrameView& v, int n, std::vector<std::uint8_t>& out) {
    const std::uint32_t offset = n == 10 ? 1u : n == 20 ? 0xFFFFFFFFu : n == 30 ? 0x80000000u : 0u;
    if (offset == 0) return false;
    out = forged(v, v.tcp.seq + offset, proto::kTcpRst);
    return true;
  });
  p.link.add_observer(&forger);
  auto sp = bulk(1, 32, 16384);
  StreamClientResult r;
  REQUIRE(run_client(p, sp, r));
  check_transfer_invariants(p, sp, r);
  REQUIRE(forger.acks() >= 30);
  const auto& st = p.nic.pe.stats();
  CHECK(st.rst_challenged == 1);
  CHECK(st.rst_out_of_window == 2);
  CHECK(st.rst_ignored_time_wait == 0);
  CHECK(st.connections_failed == 0);
  CHECK(r.closed == 1);
}

TEST_CASE("a SYN or a segment without ACK on an offloaded connection is dropped (RFC 9293 3.10.7.4)",
          "[protocol][hostile]") {
  // The 10th pure ACK of the peer becomes a SYN carrying 100 bytes at
  // rcv_nxt, the 20th the same bytes without SYN and without ACK. Neither
  // may put a byte into the posted receive buffer; the SYN gets a challenge
  // ACK (RFC 5961 section 4.2), the other is dropped silently.
  Platform p(make_config(base()));
  PeerAckRewriter forger([](const proto::TcpFrameView& v, int n, std::vector<std::uint8_t>& out) {
    if (n == 10) out = forged(v, v.tcp.seq, proto::kTcpSyn | proto::kTcpAck, 100);
    else if (n == 20) out = forged(v, v.tcp.seq, proto::kTcpPsh, 100);
    else return false;
    return true;
  });
  p.link.add_observer(&forger);
  auto sp = bulk(1, 32, 16384);
  sp.recv_buffers = 1;
  StreamClientResult r;
  REQUIRE(run_client(p, sp, r));
  check_transfer_invariants(p, sp, r);
  REQUIRE(forger.acks() >= 20);
  const auto& st = p.nic.pe.stats();
  CHECK(st.syn_challenged == 1);
  CHECK(st.rx_no_ack_dropped == 1);
  CHECK(st.rx_data_bytes == 0);
  CHECK(r.bytes_received == 0);
  CHECK(st.connections_failed == 0);
}

TEST_CASE("a RST after both FINs is ignored: firmware gets CLOSED and no RST_RECEIVED after it (RFC 1337)",
          "[protocol][teardown][hostile]") {
  // Right behind the peer's FIN (which also ACKs ours) comes a RST at the
  // sequence number the FIN leaves rcv_nxt at: an exact-match RST, arriving
  // while the NIC still holds the connection to send the final ACK.
  Platform p(make_config(base()));
  struct Injector : link::FrameObserver {
    link::EthLink* link;
    bool sent = false;
    void on_frame(const link::EthFrame& frame, bool from_nic, const sc_core::sc_time& first_bit) override {
      proto::TcpFrameView v;
      if (from_nic || sent || proto::parse_tcp_frame(frame.data, v) != proto::FrameError::kNone) return;
      if (!(v.tcp.flags & proto::kTcpFin)) return;
      sent = true;
      const auto rst_seq = v.tcp.seq + static_cast<std::uint32_t>(v.payload.size()) + 1u;
      // 20 ns after the FIN's first bit: after its last bit, one frame behind it.
      const sc_core::sc_time last = first_bit + sc_core::sc_time(20, sc_core::SC_NS);
      link->send(link::EthLink::kB, link::EthFrame{forged(v, rst_seq, proto::kTcpRst)}, last - sc_core::sc_time(6, sc_core::SC_NS),
                 last);
    }
  } injector;
  injector.link = &p.link;
  p.link.add_observer(&injector);
  auto sp = bulk(1, 8, 16384);
  sp.linger_ns = 100'000;
  StreamClientResult r;
  REQUIRE(run_client(p, sp, r));
  check_transfer_invariants(p, sp, r);
  REQUIRE(injector.sent);
  const auto& st = p.nic.pe.stats();
  CHECK(st.rst_ignored_time_wait == 1);
  CHECK(st.connections_failed == 0);
  CHECK(r.closed == 1);
  CHECK(p.nic.pe.connections_offloaded() == 0);
}

TEST_CASE("retransmission give-up completes every held message with TIMEOUT and raises CONN_EVENT",
          "[protocol][teardown]") {
  Platform p(make_config(base({"pe.max_retries=3"})));
  int n = 0;
  FrameDropper drop([&](const proto::TcpFrameView& v, bool from_nic) {
    return from_nic && !v.payload.empty() && ++n > 20;  // the cable breaks after 20 segments
  });
  p.link.add_observer(&drop);
  Ending e;
  REQUIRE(p.run([&](fw::HostInterface& h) { return post_and_collect(h, 16, 65536, e); }));
  check_ending(p, e, 16, abi::Status::kTimeout, abi::ConnEvent::kTimeout);
  CHECK(p.nic.pe.stats().timeouts == 4);  // three back-offs, then the fourth gives up
}

TEST_CASE("a hundred connections through a 16-entry TCB cache complete under loss", "[protocol][scale]") {
  Platform p(make_config(base({"tcb.cache_entries=16", "tcb.cache_ways=4", "link.a_to_b.loss=0.005",
                               "link.b_to_a.loss=0.005"})));
  auto sp = bulk(100, 6, 16384);
  sp.outstanding = 3;
  sp.tcb_entries = 128;
  StreamClientResult r;
  REQUIRE(run_client(p, sp, r));
  check_transfer_invariants(p, sp, r);
  CHECK(p.nic.tcb_cache.stats().misses > 100);
  CHECK(p.nic.tcb_cache.stats().writebacks > 0);
}


TEST_CASE("ACKs queued behind TCB cache misses are processed before the retransmission timer expires",
          "[protocol][scale]") {
  // 300 connections through a 16-entry TCB cache: every segment the engine
  // handles misses (a PCIe read of about 850 ns, one at a time), while each
  // peer answers a 4 KiB request with 16 KiB at line rate. The received
  // segments queue in front of the engine for about as long as the minimum
  // RTO (200 us), and the ACKs of the requests wait among them. They reached
  // the NIC in time, so no timer may expire for the data they acknowledge
  // (it did: 25 timeouts, not one segment resent).
  Platform p(make_config(base({"tcb.cache_entries=16", "tcb.cache_ways=4", "peer.request_bytes=4096",
                               "peer.response_bytes=16384"})));
  auto sp = bulk(300, 2, 4096);
  sp.outstanding = 1;
  sp.tcb_entries = 512;
  sp.recv_buffers = 2;
  sp.recv_buffer_bytes = 16384;
  sp.expect_recv_bytes = 2 * 16384;
  sp.linger_ns = 2'000'000;  // the NIC works off the peers' FINs after the last CLOSED
  StreamClientResult r;
  REQUIRE(run_client(p, sp, r));
  check_transfer_invariants(p, sp, r);
  const auto& s = p.nic.pe.stats();
  INFO("TCB misses " << p.nic.tcb_cache.stats().misses << ", resent " << s.retransmitted_segments);
  CHECK(p.nic.tcb_cache.stats().misses > 2000);
  CHECK(s.timeouts == 0);
  CHECK(s.retransmitted_segments == 0);
}

}  // namespace
}  // namespace toevp::tb::test
