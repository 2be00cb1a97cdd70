// TcpPeerLogic without a kernel: hand-built NIC frames in, parsed peer
// frames out, times given explicitly. Every ISS and timestamp offset comes
// from the fixed iss_seed below (printed on failure).
#include <catch2/catch.hpp>

#include <chrono>
#include <random>

#include "model/proto/arp.h"
#include "tests/partners/peer_test_nic.h"

using namespace toevp;
using namespace toevp::tb;
using namespace toevp::tb::test;
using proto::Seq;

namespace {

constexpr std::uint64_t kSeed = 20240611;

TcpPeerParams base_params() {
  TcpPeerParams p;
  p.iss_seed = kSeed;
  return p;
}

proto::TcpOptions full_syn_options(std::uint32_t tsval = 777) {
  proto::TcpOptions o;
  o.mss = 1460;
  o.wscale = 9;
  o.sack_permitted = true;
  o.timestamps = {{tsval, 0}};
  return o;
}

proto::TcpOptions ts(std::uint32_t tsval, std::uint32_t tsecr) {
  proto::TcpOptions o;
  o.timestamps = {{tsval, tsecr}};
  return o;
}

// SYN at t, final ACK at t + 10 ns. Returns the SYN-ACK.
PeerSegment establish(TcpPeerLogic& peer, TestNic& nic, const proto::TcpOptions& syn_opts, std::int64_t t = 0) {
  auto out = parse_outputs(peer.on_frame(nic.syn(syn_opts), t));
  REQUIRE(out.size() == 1);
  const PeerSegment synack = out[0];
  REQUIRE(synack.is(proto::kTcpSyn | proto::kTcpAck));
  proto::TcpOptions ack_opts;
  if (synack.tcp.options.timestamps) ack_opts = ts(synack.tcp.options.timestamps->second, synack.tcp.options.timestamps->first);
  out = parse_outputs(peer.on_frame(nic.frame(proto::kTcpAck, nic.stream_seq(0), synack.tcp.seq + 1, {}, ack_opts), t + 10));
  REQUIRE(out.empty());
  return synack;
}

const PeerConnection& conn(const TcpPeerLogic& peer, const TestNic& nic) {
  const PeerConnection* c = peer.find(nic.key());
  REQUIRE(c != nullptr);
  return *c;
}

}  // namespace

TEST_CASE("SYN gets a SYN-ACK with our MSS, window scale and echoed timestamp") {
  INFO("iss_seed " << kSeed);
  auto params = base_params();
  params.mss = 8960;
  params.wscale = 7;
  TcpPeerLogic peer(params);
  TestNic nic(params);
  const auto out = parse_outputs(peer.on_frame(nic.syn(full_syn_options(777)), 5'000));
  REQUIRE(out.size() == 1);
  const auto& s = out[0];
  CHECK(s.is(proto::kTcpSyn | proto::kTcpAck));
  CHECK(s.eth.dst == kNicMac);
  CHECK(s.eth.src == params.mac);
  CHECK(s.ip.src == params.ip);
  CHECK(s.ip.dst == kNicIp);
  CHECK(s.tcp.src_port == 5001);
  CHECK(s.tcp.dst_port == 40000);
  CHECK(s.tcp.ack == nic.iss() + 1);
  CHECK(s.tcp.options.mss == std::optional<std::uint16_t>(8960));
  CHECK(s.tcp.options.wscale == std::optional<std::uint8_t>(7));
  CHECK_FALSE(s.tcp.options.sack_permitted);  // SACK is not offered
  REQUIRE(s.tcp.options.timestamps);
  CHECK(s.tcp.options.timestamps->second == 777);
  CHECK(s.tcp.window == 65535);  // a SYN-ACK's window is never scaled (RFC 7323 2.2)
  const auto& c = conn(peer, nic);
  CHECK(c.state == TcpState::kSynReceived);
  CHECK(c.iss == s.tcp.seq);
  CHECK(c.snd_wscale == 9);
  CHECK(c.rcv_wscale == 7);
  CHECK(c.peer_mss == 1460);
  CHECK(c.ts_on);
  // TSval runs on a 1 us clock from a per-connection offset.
  CHECK(s.tcp.options.timestamps->first == 5 + c.ts_offset);
}

TEST_CASE("SYN without window scale or timestamps gets neither back (RFC 7323 2.2, 3.2)") {
  auto params = base_params();
  TcpPeerLogic peer(params);
  TestNic nic(params);
  proto::TcpOptions o;
  o.mss = 1460;
  const PeerSegment synack = establish(peer, nic, o);
  CHECK_FALSE(synack.tcp.options.wscale);
  CHECK_FALSE(synack.tcp.options.timestamps);
  CHECK(synack.tcp.options.mss == std::optional<std::uint16_t>(1460));
  // Without scaling the 4 MiB buffer shows as the largest unscaled window.
  peer.on_frame(nic.data(0, 1000, synack.tcp.seq + 1), 100);
  const auto out = parse_outputs(peer.on_frame(nic.data(1000, 1000, synack.tcp.seq + 1), 200));
  REQUIRE(out.size() == 1);
  CHECK(out[0].tcp.window == 65535);
  CHECK_FALSE(out[0].tcp.options.timestamps);
  CHECK(conn(peer, nic).rcv_wscale == 0);
}

TEST_CASE("peer with timestamps disabled ignores a SYN's timestamps") {
  auto params = base_params();
  params.timestamps = false;
  TcpPeerLogic peer(params);
  TestNic nic(params);
  const auto out = parse_outputs(peer.on_frame(nic.syn(full_syn_options()), 0));
  REQUIRE(out.size() == 1);
  CHECK_FALSE(out[0].tcp.options.timestamps);
  CHECK(out[0].tcp.options.wscale == std::optional<std::uint8_t>(7));
}

TEST_CASE("retransmitted SYN gets the same SYN-ACK and no second connection") {
  auto params = base_params();
  TcpPeerLogic peer(params);
  TestNic nic(params);
  const auto first = parse_outputs(peer.on_frame(nic.syn(full_syn_options(100)), 0));
  const auto again = parse_outputs(peer.on_frame(nic.syn(full_syn_options(1100)), 1'000'000 - 1));
  REQUIRE(first.size() == 1);
  REQUIRE(again.size() == 1);
  CHECK(again[0].tcp.flags == first[0].tcp.flags);
  CHECK(again[0].tcp.seq == first[0].tcp.seq);
  CHECK(again[0].tcp.ack == first[0].tcp.ack);
  CHECK(again[0].tcp.options.mss == first[0].tcp.options.mss);
  CHECK(again[0].tcp.options.wscale == first[0].tcp.options.wscale);
  CHECK(again[0].tcp.options.timestamps->second == 1100);  // echoes the newer SYN (RFC 7323 4.3)
  CHECK(peer.connection_count() == 1);
}

TEST_CASE("final ACK of the handshake establishes the connection") {
  auto params = base_params();
  TcpPeerLogic peer(params);
  TestNic nic(params);
  establish(peer, nic, full_syn_options(), 1'000);
  const auto& c = conn(peer, nic);
  CHECK(c.state == TcpState::kEstablished);
  CHECK(c.stats.established_ns == 1'010);
  CHECK_FALSE(peer.next_timer_ns());  // SYN-ACK retransmission timer stopped
}

TEST_CASE("lost SYN-ACK is retransmitted after the RTO, with backoff") {
  auto params = base_params();
  params.rto_ns = 100'000;
  TcpPeerLogic peer(params);
  TestNic nic(params);
  const auto first = parse_outputs(peer.on_frame(nic.syn(full_syn_options()), 0));
  REQUIRE(peer.next_timer_ns() == std::optional<std::int64_t>(100'000));
  CHECK(peer.on_timer(99'999).empty());
  const auto second = parse_outputs(peer.on_timer(100'000));
  REQUIRE(second.size() == 1);
  CHECK(second[0].tcp.seq == first[0].tcp.seq);
  CHECK(second[0].is(proto::kTcpSyn | proto::kTcpAck));
  CHECK(peer.next_timer_ns() == std::optional<std::int64_t>(300'000));  // doubled
  CHECK(conn(peer, nic).stats.retransmissions == 1);
}

TEST_CASE("ACK every second full-sized segment (RFC 5681 4.2)") {
  auto params = base_params();
  TcpPeerLogic peer(params);
  TestNic nic(params);
  const Seq ack = establish(peer, nic, full_syn_options()).tcp.seq + 1;
  std::vector<std::int64_t> ack_times;
  std::vector<Seq> ack_seqs;
  peer.set_on_ack_sent([&](std::int64_t t, std::uint32_t c, Seq a) {
    CHECK(c == 0);
    ack_times.push_back(t);
    ack_seqs.push_back(a);
  });
  const std::size_t mss = 1448;  // 1460 - 12 bytes of timestamps
  for (int i = 0; i < 6; ++i) {
    const auto out = parse_outputs(peer.on_frame(nic.data(i * mss, mss, ack, ts(10 + i, 0)), 1'000 + 120 * i));
    if (i % 2 == 0) {
      CHECK(out.empty());
      CHECK(peer.next_timer_ns() == std::optional<std::int64_t>(1'000 + 120 * i + 40'000));
    } else {
      REQUIRE(out.size() == 1);
      CHECK(out[0].is(proto::kTcpAck));
      CHECK(out[0].tcp.ack == nic.stream_seq((i + 1) * mss));
      CHECK_FALSE(peer.next_timer_ns());  // the ACK cancelled the delayed ACK
    }
  }
  CHECK(ack_times == std::vector<std::int64_t>{1'120, 1'360, 1'600});
  CHECK(ack_seqs.back() == nic.stream_seq(6 * mss));
  const auto& c = conn(peer, nic);
  CHECK(c.stats.acks_sent == 4);  // the SYN-ACK and three ACKs
  CHECK(c.stats.segments == 6);
  CHECK(c.stats.bytes_delivered == 6 * mss);
  CHECK(c.stats.data_ok);
}

TEST_CASE("ack_every 4 waits for four segments") {
  auto params = base_params();
  params.ack_every = 4;
  TcpPeerLogic peer(params);
  TestNic nic(params);
  const Seq ack = establish(peer, nic, {}).tcp.seq + 1;
  for (int i = 0; i < 3; ++i) CHECK(peer.on_frame(nic.data(i * 100, 100, ack), 100 + i).empty());
  const auto out = parse_outputs(peer.on_frame(nic.data(300, 100, ack), 200));
  REQUIRE(out.size() == 1);
  CHECK(out[0].tcp.ack == nic.stream_seq(400));
}

TEST_CASE("a lone segment is ACKed by the 40 us delayed-ACK timer (RFC 1122 4.2.3.2)") {
  auto params = base_params();
  TcpPeerLogic peer(params);
  TestNic nic(params);
  const Seq ack = establish(peer, nic, full_syn_options()).tcp.seq + 1;
  CHECK(peer.on_frame(nic.data(0, 500, ack, ts(1050, 0)), 2'000).empty());
  REQUIRE(peer.next_timer_ns() == std::optional<std::int64_t>(42'000));
  CHECK(peer.on_timer(41'999).empty());
  const auto out = parse_outputs(peer.on_timer(42'000));
  REQUIRE(out.size() == 1);
  CHECK(out[0].is(proto::kTcpAck));
  CHECK(out[0].tcp.ack == nic.stream_seq(500));
  CHECK(out[0].tcp.options.timestamps->second == 1050);
  CHECK(out[0].tcp.options.timestamps->first == 42 + conn(peer, nic).ts_offset);
  CHECK_FALSE(peer.next_timer_ns());
}

TEST_CASE("delayed ACK echoes the earliest unacknowledged TSval (RFC 7323 4.3)") {
  auto params = base_params();
  TcpPeerLogic peer(params);
  TestNic nic(params);
  const Seq ack = establish(peer, nic, full_syn_options()).tcp.seq + 1;
  peer.on_frame(nic.data(0, 100, ack, ts(1500, 0)), 100);
  const auto out = parse_outputs(peer.on_frame(nic.data(100, 100, ack, ts(1501, 0)), 200));
  REQUIRE(out.size() == 1);
  CHECK(out[0].tcp.options.timestamps->second == 1500);
  // The next pair starts at the ACKed edge again.
  peer.on_frame(nic.data(200, 100, ack, ts(1502, 0)), 300);
  const auto out2 = parse_outputs(peer.on_frame(nic.data(300, 100, ack, ts(1503, 0)), 400));
  CHECK(out2[0].tcp.options.timestamps->second == 1502);
}

TEST_CASE("without reassembly an out-of-order segment is dropped with an immediate duplicate ACK (RFC 5681 4.2)") {
  auto params = base_params();
  params.reassembly = false;
  TcpPeerLogic peer(params);
  TestNic nic(params);
  const Seq ack = establish(peer, nic, {}).tcp.seq + 1;
  CHECK(peer.on_frame(nic.data(0, 1000, ack), 100).empty());
  auto out = parse_outputs(peer.on_frame(nic.data(2000, 1000, ack), 200));  // 1000..2000 missing
  REQUIRE(out.size() == 1);
  CHECK(out[0].tcp.ack == nic.stream_seq(1000));
  out = parse_outputs(peer.on_frame(nic.data(3000, 1000, ack), 300));
  REQUIRE(out.size() == 1);
  CHECK(out[0].tcp.ack == nic.stream_seq(1000));
  const auto& c = conn(peer, nic);
  CHECK(c.stats.ooo_dropped == 2);
  CHECK(c.stats.bytes_delivered == 1000);
  // The NIC retransmits from the hole: delivered in order again.
  CHECK(peer.on_frame(nic.data(1000, 1000, ack), 400).empty());
  out = parse_outputs(peer.on_frame(nic.data(2000, 1000, ack), 500));
  REQUIRE(out.size() == 1);
  CHECK(out[0].tcp.ack == nic.stream_seq(3000));
  CHECK(c.stats.bytes_delivered == 3000);
  CHECK(c.stats.data_ok);
}

TEST_CASE("out-of-order segments are kept; the segment filling the hole is ACKed at once up to the end") {
  auto params = base_params();
  TcpPeerLogic peer(params);
  TestNic nic(params);
  const Seq ack = establish(peer, nic, {}).tcp.seq + 1;
  CHECK(peer.on_frame(nic.data(0, 1000, ack), 100).empty());
  // 1000..2000 and 3000..4000 missing; 2000..3000, 4000..5000, 4500..5500 queued.
  for (auto [off, len, t] : {std::tuple{2000, 1000, 200}, {4000, 1000, 300}, {4500, 1000, 400}}) {
    const auto out = parse_outputs(peer.on_frame(nic.data(off, len, ack), t));
    REQUIRE(out.size() == 1);
    CHECK(out[0].tcp.ack == nic.stream_seq(1000));  // duplicate ACK at once
  }
  const auto& c = conn(peer, nic);
  CHECK(c.stats.ooo_queued == 3);
  CHECK(c.ooo.size() == 2);
  // The first hole filled: ACK at once, up to the next hole.
  auto out = parse_outputs(peer.on_frame(nic.data(1000, 1000, ack), 500));
  REQUIRE(out.size() == 1);
  CHECK(out[0].tcp.ack == nic.stream_seq(3000));
  out = parse_outputs(peer.on_frame(nic.data(3000, 1000, ack), 600));
  REQUIRE(out.size() == 1);
  CHECK(out[0].tcp.ack == nic.stream_seq(5500));
  CHECK(c.stats.bytes_delivered == 5500);
  CHECK(c.ooo.empty());
  CHECK(c.stats.holes_filled == 2);
  CHECK(c.stats.data_ok);
}

TEST_CASE("a FIN that arrives out of order is acted on when the hole before it is filled") {
  auto params = base_params();
  TcpPeerLogic peer(params);
  TestNic nic(params);
  const Seq ack = establish(peer, nic, {}).tcp.seq + 1;
  peer.on_frame(nic.data(1000, 500, ack, {}, proto::kTcpFin), 100);
  const auto& c = conn(peer, nic);
  CHECK_FALSE(c.stats.fin_received);
  const auto out = parse_outputs(peer.on_frame(nic.data(0, 1000, ack), 200));
  CHECK(c.stats.fin_after(1500));
  REQUIRE(out.size() >= 1);
  CHECK(out[0].tcp.ack == nic.stream_seq(1500) + 1);
}

TEST_CASE("a wrong byte in an out-of-order segment is caught at its stream offset") {
  auto params = base_params();
  TcpPeerLogic peer(params);
  TestNic nic(params);
  const Seq ack = establish(peer, nic, {}).tcp.seq + 1;
  auto bytes = nic.pattern(2000, 100);
  bytes[7] ^= 1;
  peer.on_frame(nic.frame(proto::kTcpAck, nic.stream_seq(2000), ack, bytes), 100);
  const auto& c = conn(peer, nic);
  CHECK_FALSE(c.stats.data_ok);
  REQUIRE(c.stats.first_bad_offset);
  CHECK(*c.stats.first_bad_offset == 2007);
}

TEST_CASE("duplicate and partly duplicate segments: old bytes counted, new bytes delivered") {
  auto params = base_params();
  TcpPeerLogic peer(params);
  TestNic nic(params);
  const Seq ack = establish(peer, nic, {}).tcp.seq + 1;
  peer.on_frame(nic.data(0, 1000, ack), 100);
  peer.on_frame(nic.data(1000, 1000, ack), 200);
  auto out = parse_outputs(peer.on_frame(nic.data(0, 1000, ack), 300));  // whole duplicate
  REQUIRE(out.size() == 1);
  CHECK(out[0].tcp.ack == nic.stream_seq(2000));
  const auto& c = conn(peer, nic);
  CHECK(c.stats.duplicate_segments == 1);
  CHECK(c.stats.duplicate_bytes == 1000);
  peer.on_frame(nic.data(1500, 1000, ack), 400);  // 500 old, 500 new
  CHECK(c.stats.duplicate_segments == 1);
  CHECK(c.stats.duplicate_bytes == 1500);
  CHECK(c.stats.bytes_delivered == 2500);
  CHECK(c.stats.data_ok);
  CHECK(c.rcv_nxt == nic.stream_seq(2500));
}

TEST_CASE("window is scaled by our shift and the 4 MiB buffer fills the field") {
  auto params = base_params();
  params.wscale = 7;
  TcpPeerLogic peer(params);
  TestNic nic(params);
  const Seq ack = establish(peer, nic, full_syn_options()).tcp.seq + 1;
  peer.on_frame(nic.data(0, 1448, ack), 100);
  const auto out = parse_outputs(peer.on_frame(nic.data(1448, 1448, ack), 200));
  REQUIRE(out.size() == 1);
  CHECK(out[0].tcp.window == (4u << 20) / 128);  // the whole buffer free: read at once
  const auto& c = conn(peer, nic);
  CHECK(c.rcv_adv - c.rcv_nxt == 4 << 20);
}

TEST_CASE("scaled window rounds down yet data up to the promised edge is accepted (RFC 7323 2.4)") {
  auto params = base_params();
  params.wscale = 7;
  params.rcv_buffer_bytes = 100'000;
  params.app_read_mbps = 1;  // reads 1 byte per 8 us: nothing during the test
  TcpPeerLogic peer(params);
  TestNic nic(params);
  const Seq ack = establish(peer, nic, full_syn_options()).tcp.seq + 1;
  std::vector<PeerSegment> acks;
  for (int i = 0; i < 20; ++i) {
    for (auto& s : parse_outputs(peer.on_frame(nic.data(i * 1001, 1001, ack), 100 + i))) acks.push_back(s);
  }
  REQUIRE(acks.size() == 10);
  // First ACK: 2002 bytes buffered, 97998 free -> field 765 (97920 bytes).
  CHECK(acks[0].tcp.window == 97998 / 128);
  // Last: 20020 buffered, 79980 free -> field 624; the edge the NIC sees is
  // 108 bytes left of the promised one.
  CHECK(acks.back().tcp.window == 79980 / 128);
  const auto& c = conn(peer, nic);
  CHECK(c.rcv_adv == nic.stream_seq(100'000));
  // The NIC may still fill up to the edge first promised: all accepted.
  for (std::uint64_t off = 20020; off < 100'000; off += 1001) {
    peer.on_frame(nic.data(off, std::min<std::uint64_t>(1001, 100'000 - off), ack), 1'000);
  }
  CHECK(c.stats.bytes_delivered == 100'000);
  CHECK(c.stats.out_of_window == 0);
  CHECK(c.last_window_field == 0);
  CHECK(c.stats.window_zero_events == 1);
  // One byte more is beyond the window: refused.
  const auto out = parse_outputs(peer.on_frame(nic.data(100'000, 1, ack), 2'000));
  REQUIRE(out.size() == 1);
  CHECK(out[0].tcp.window == 0);
  CHECK(c.stats.zero_window_probes == 1);
  CHECK(c.stats.bytes_delivered == 100'000);
}

TEST_CASE("slow reader: window fills to zero, probe answered, timer reopens it") {
  auto params = base_params();
  params.rcv_buffer_bytes = 8 * 1460;  // 11680
  params.app_read_mbps = 1000;         // 1 byte every 8 ns
  TcpPeerLogic peer(params);
  TestNic nic(params);
  proto::TcpOptions o;
  o.mss = 1460;  // no scaling, no timestamps
  const PeerSegment synack = establish(peer, nic, o);
  CHECK(synack.tcp.window == 11680);
  const Seq ack = synack.tcp.seq + 1;
  std::vector<PeerSegment> acks;
  for (int i = 0; i < 8; ++i) {
    for (auto& s : parse_outputs(peer.on_frame(nic.data(i * 1460, 1460, ack), 1000 + i))) acks.push_back(s);
  }
  // The reader started at 1000 ns and read under a byte by 1007 ns; SWS
  // avoidance keeps the right edge put, so the window shrinks to zero.
  REQUIRE(acks.size() == 4);
  CHECK(acks[0].tcp.window == 11680 - 2 * 1460);
  CHECK(acks[3].tcp.window == 0);
  const auto& c = conn(peer, nic);
  CHECK(c.stats.window_zero_events == 1);
  // Zero-window probe at 5000 ns: one byte at rcv_nxt, refused, ACKed with
  // the current (still zero) window; 500 bytes free are below min(buf/2, MSS).
  auto out = parse_outputs(peer.on_frame(nic.data(11680, 1, ack), 5'000));
  REQUIRE(out.size() == 1);
  CHECK(out[0].tcp.ack == nic.stream_seq(11680));
  CHECK(out[0].tcp.window == 0);
  CHECK(c.stats.zero_window_probes == 1);
  CHECK(c.stats.bytes_delivered == 11680);
  // 1460 bytes read (one MSS) at 1000 + 1460 * 8 ns: the window update goes out then.
  REQUIRE(peer.next_timer_ns() == std::optional<std::int64_t>(1000 + 1460 * 8));
  out = parse_outputs(peer.on_timer(1000 + 1460 * 8));
  REQUIRE(out.size() == 1);
  CHECK(out[0].is(proto::kTcpAck));
  CHECK(out[0].tcp.ack == nic.stream_seq(11680));
  CHECK(out[0].tcp.window == 1460);
  // The NIC sends into the reopened window; accepted in full.
  peer.on_frame(nic.data(11680, 1460, ack), 13'000);
  CHECK(c.stats.bytes_delivered == 11680 + 1460);
  CHECK(c.stats.data_ok);
}

TEST_CASE("segment beyond the advertised window is dropped with an ACK (RFC 9293 3.10.7.4)") {
  auto params = base_params();
  params.rcv_buffer_bytes = 4000;
  params.app_read_mbps = 1;
  TcpPeerLogic peer(params);
  TestNic nic(params);
  const Seq ack = establish(peer, nic, {}).tcp.seq + 1;
  auto out = parse_outputs(peer.on_frame(nic.data(5000, 100, ack), 100));
  REQUIRE(out.size() == 1);
  CHECK(out[0].tcp.ack == nic.stream_seq(0));
  const auto& c = conn(peer, nic);
  CHECK(c.stats.out_of_window == 1);
  // A segment straddling the right edge is trimmed to it.
  peer.on_frame(nic.data(0, 3000, ack), 200);
  out = parse_outputs(peer.on_frame(nic.data(3000, 2000, ack), 300));
  REQUIRE(out.size() == 1);
  CHECK(out[0].tcp.ack == nic.stream_seq(4000));
  CHECK(out[0].tcp.window == 0);
  CHECK(c.stats.bytes_delivered == 4000);
}

TEST_CASE("FIN: ACKed at once, our FIN follows, its ACK closes") {
  auto params = base_params();
  TcpPeerLogic peer(params);
  TestNic nic(params);
  const Seq ack = establish(peer, nic, full_syn_options()).tcp.seq + 1;
  peer.on_frame(nic.data(0, 3000, ack, ts(5, 0)), 100);
  const auto out = parse_outputs(peer.on_frame(nic.frame(proto::kTcpFin | proto::kTcpAck, nic.stream_seq(3000), ack, {}, ts(6, 0)), 200));
  REQUIRE(out.size() == 2);
  CHECK(out[0].is(proto::kTcpAck));
  CHECK(out[0].tcp.ack == nic.stream_seq(3001));
  CHECK(out[1].is(proto::kTcpFin | proto::kTcpAck));
  CHECK(out[1].tcp.seq == ack);
  CHECK(out[1].tcp.ack == nic.stream_seq(3001));
  const auto& c = conn(peer, nic);
  CHECK(c.state == TcpState::kLastAck);
  CHECK(c.stats.fin_received);
  CHECK(c.stats.fin_offset == 3000);
  CHECK(c.stats.fin_after(3000));
  CHECK_FALSE(c.stats.fin_after(3001));
  // A retransmitted FIN (our ACK lost) is ACKed again.
  const auto again = parse_outputs(peer.on_frame(nic.frame(proto::kTcpFin | proto::kTcpAck, nic.stream_seq(3000), ack, {}, ts(7, 0)), 300));
  REQUIRE(again.size() == 1);
  CHECK(again[0].tcp.ack == nic.stream_seq(3001));
  CHECK(peer.on_frame(nic.frame(proto::kTcpAck, nic.stream_seq(3001), ack + 1, {}, ts(8, 0)), 400).empty());
  CHECK(c.state == TcpState::kClosed);
  CHECK(c.stats.closed_ns == 400);
  CHECK_FALSE(peer.next_timer_ns());
  // The same 4-tuple can open again: a new connection.
  peer.on_frame(nic.syn(full_syn_options()), 500);
  CHECK(peer.connection_count() == 2);
  CHECK(conn(peer, nic).index == 1);
}

TEST_CASE("our FIN is retransmitted when its ACK does not come") {
  auto params = base_params();
  params.rto_ns = 50'000;
  TcpPeerLogic peer(params);
  TestNic nic(params);
  const Seq ack = establish(peer, nic, {}).tcp.seq + 1;
  peer.on_frame(nic.frame(proto::kTcpFin | proto::kTcpAck, nic.stream_seq(0), ack), 100);
  REQUIRE(peer.next_timer_ns() == std::optional<std::int64_t>(50'100));
  const auto out = parse_outputs(peer.on_timer(50'100));
  REQUIRE(out.size() == 1);
  CHECK(out[0].is(proto::kTcpFin | proto::kTcpAck));
  CHECK(out[0].tcp.seq == ack);
}

TEST_CASE("slow reader: our FIN waits until the application has read everything") {
  auto params = base_params();
  params.app_read_mbps = 8000;  // one byte per ns
  TcpPeerLogic peer(params);
  TestNic nic(params);
  const Seq ack = establish(peer, nic, {}).tcp.seq + 1;
  peer.on_frame(nic.data(0, 2000, ack, {}, proto::kTcpFin), 1'000);  // data + FIN in one
  const auto& c = conn(peer, nic);
  CHECK(c.state == TcpState::kCloseWait);
  REQUIRE(peer.next_timer_ns() == std::optional<std::int64_t>(3'000));
  const auto out = parse_outputs(peer.on_timer(3'000));
  REQUIRE(out.size() == 1);
  CHECK(out[0].is(proto::kTcpFin | proto::kTcpAck));
  CHECK(c.state == TcpState::kLastAck);
}

TEST_CASE("pattern mismatch is detected at the first bad byte") {
  auto params = base_params();
  TcpPeerLogic peer(params);
  TestNic nic(params);
  const Seq ack = establish(peer, nic, {}).tcp.seq + 1;
  peer.on_frame(nic.data(0, 1000, ack), 100);
  auto bad = nic.pattern(1000, 1000);
  bad[123] ^= 0x40;
  peer.on_frame(nic.frame(proto::kTcpAck, nic.stream_seq(1000), ack, bad), 200);
  bad = nic.pattern(2000, 1000);
  bad[7] ^= 1;
  peer.on_frame(nic.frame(proto::kTcpAck, nic.stream_seq(2000), ack, bad), 300);
  const auto& c = conn(peer, nic);
  CHECK_FALSE(c.stats.data_ok);
  CHECK(c.stats.first_bad_offset == std::optional<std::uint64_t>(1123));
  CHECK(c.stats.bytes_delivered == 3000);
  CHECK_FALSE(peer.all_data_ok());
}

TEST_CASE("pattern key is the NIC port minus pattern_port_base") {
  auto params = base_params();
  params.pattern_port_base = 40000;
  TcpPeerLogic peer(params);
  TestNic good(params, 40003);
  TestNic other(params, 40004);
  const Seq ack_good = establish(peer, good, {}).tcp.seq + 1;
  const Seq ack_other = establish(peer, other, {}).tcp.seq + 1;
  CHECK(peer.find(good.key())->pattern_key == 3);
  peer.on_frame(good.data(0, 5000, ack_good), 100);
  // Bytes of connection 3's stream sent on connection 4: wrong data.
  peer.on_frame(other.frame(proto::kTcpAck, other.stream_seq(0), ack_other, good.pattern(0, 100)), 200);
  CHECK(peer.find(good.key())->stats.data_ok);
  CHECK_FALSE(peer.find(other.key())->stats.data_ok);
  CHECK(peer.find(other.key())->stats.first_bad_offset == std::optional<std::uint64_t>(0));
}

TEST_CASE("stream offsets continue across the 2^32 sequence wrap") {
  auto params = base_params();
  TcpPeerLogic peer(params);
  TestNic nic(params);  // ISS 0xFFFFF000: the wrap is 4095 bytes in
  const Seq ack = establish(peer, nic, {}).tcp.seq + 1;
  for (int i = 0; i < 8; ++i) peer.on_frame(nic.data(i * 1448, 1448, ack), 100 + i);
  const auto& c = conn(peer, nic);
  CHECK(c.stats.bytes_delivered == 8 * 1448);
  CHECK(c.stats.data_ok);
  CHECK(c.rcv_nxt.raw() == static_cast<std::uint32_t>(0xFFFF'F001u + 8 * 1448));
}

TEST_CASE("RST in the window closes the connection; outside it is ignored") {
  auto params = base_params();
  TcpPeerLogic peer(params);
  TestNic nic(params);
  const Seq ack = establish(peer, nic, {}).tcp.seq + 1;
  CHECK(peer.on_frame(nic.frame(proto::kTcpRst, nic.stream_seq(10'000'000), Seq(0)), 100).empty());
  const auto& c = conn(peer, nic);
  CHECK(c.state == TcpState::kEstablished);
  CHECK(peer.on_frame(nic.frame(proto::kTcpRst | proto::kTcpAck, nic.stream_seq(0), ack), 200).empty());
  CHECK(c.state == TcpState::kClosed);
  CHECK(c.stats.rst_received);
  CHECK(peer.stats().rst_received == 1);
}

TEST_CASE("rst_after_bytes aborts the connection once that many bytes arrived") {
  auto params = base_params();
  params.rst_after_bytes = 2500;
  TcpPeerLogic peer(params);
  TestNic nic(params);
  const Seq ack = establish(peer, nic, {}).tcp.seq + 1;
  CHECK(peer.on_frame(nic.data(0, 1000, ack), 100).empty());
  CHECK(parse_outputs(peer.on_frame(nic.data(1000, 1000, ack), 200)).size() == 1);
  const auto out = parse_outputs(peer.on_frame(nic.data(2000, 1000, ack), 300));
  REQUIRE(out.size() == 1);
  CHECK(out[0].is(proto::kTcpRst | proto::kTcpAck));
  CHECK(out[0].tcp.seq == ack);
  const auto& c = conn(peer, nic);
  CHECK(c.state == TcpState::kClosed);
  CHECK(c.stats.rst_sent);
  // Later segments of the aborted connection get RST <SEQ=SEG.ACK> (RFC 9293 3.10.7.2).
  const auto late = parse_outputs(peer.on_frame(nic.data(3000, 1000, ack), 400));
  REQUIRE(late.size() == 1);
  CHECK(late[0].is(proto::kTcpRst));
  CHECK(late[0].tcp.seq == ack);
  CHECK(peer.stats().frames_no_connection == 1);
}

TEST_CASE("SYN to a port we do not listen on is refused with RST-ACK (RFC 9293 3.10.7.1)") {
  auto params = base_params();
  params.listen_port_lo = 6000;
  params.listen_port_hi = 6010;
  TcpPeerLogic peer(params);
  TestNic nic(params, 40000, 5001);
  const auto out = parse_outputs(peer.on_frame(nic.syn(full_syn_options()), 0));
  REQUIRE(out.size() == 1);
  CHECK(out[0].is(proto::kTcpRst | proto::kTcpAck));
  CHECK(out[0].tcp.seq == Seq(0));
  CHECK(out[0].tcp.ack == nic.iss() + 1);
  CHECK(peer.stats().syn_refused == 1);
  CHECK(peer.connection_count() == 0);
  TestNic ok(params, 40000, 6010);
  CHECK(parse_outputs(peer.on_frame(ok.syn(full_syn_options()), 10))[0].is(proto::kTcpSyn | proto::kTcpAck));
}

TEST_CASE("frames for another IP or MAC are counted and ignored") {
  auto params = base_params();
  TcpPeerLogic peer(params);
  auto other = params;
  other.ip = 0x0A'00'00'63;
  TestNic nic(other);
  CHECK(peer.on_frame(nic.syn(full_syn_options()), 0).empty());
  other = params;
  other.mac = 0x02'00'00'00'00'63;
  TestNic nic2(other);
  CHECK(peer.on_frame(nic2.syn(full_syn_options()), 0).empty());
  CHECK(peer.stats().frames_not_for_us == 2);
  CHECK(peer.connection_count() == 0);
}

namespace {

// An Ethernet/ARP frame as the firmware sends it (padded to 60 bytes).
std::vector<std::uint8_t> arp_frame(std::uint64_t eth_dst, const proto::ArpPacket& p) {
  std::vector<std::uint8_t> f(60, 0);
  proto::emit_ethernet(proto::EthernetHeader{eth_dst, p.sender_mac, proto::kEtherTypeArp}, f);
  proto::emit_arp(p, proto::Bytes(f).subspan(proto::kEthernetHeaderBytes));
  return f;
}

proto::ArpPacket who_has(std::uint32_t ip) {
  proto::ArpPacket p;
  p.op = proto::kArpOpRequest;
  p.sender_mac = kNicMac;
  p.sender_ip = kNicIp;
  p.target_ip = ip;
  return p;
}

}  // namespace

TEST_CASE("the peer answers an ARP request for its IP with its MAC (RFC 826)") {
  auto params = base_params();
  TcpPeerLogic peer(params);
  const auto out = peer.on_frame(arp_frame(proto::kBroadcastMac, who_has(params.ip)), 0);
  REQUIRE(out.size() == 1);
  const auto& f = out[0].frame;
  REQUIRE(f.size() == proto::kEthernetHeaderBytes + proto::kArpPacketBytes);
  proto::EthernetHeader eth;
  REQUIRE(proto::parse_ethernet(f, eth) == proto::EthernetError::kNone);
  CHECK(eth.dst == kNicMac);
  CHECK(eth.src == params.mac);
  CHECK(eth.ethertype == proto::kEtherTypeArp);
  proto::ArpPacket r;
  REQUIRE(proto::parse_arp(proto::ConstBytes(f).subspan(proto::kEthernetHeaderBytes), r) == proto::ArpError::kNone);
  CHECK(r.op == proto::kArpOpReply);
  CHECK(r.sender_mac == params.mac);
  CHECK(r.sender_ip == params.ip);
  CHECK(r.target_mac == kNicMac);
  CHECK(r.target_ip == kNicIp);
  CHECK_FALSE(out[0].has_ack);
  CHECK(peer.stats().arp_replies_sent == 1);
  CHECK(peer.stats().frames_sent == 1);
  CHECK(peer.stats().frames_bad == 0);
  // Unicast to its MAC (a neighbour cache re-checking) is answered too.
  CHECK(peer.on_frame(arp_frame(params.mac, who_has(params.ip)), 10).size() == 1);
}

TEST_CASE("the peer ignores ARP that asks nothing of it and counts ARP it cannot parse") {
  auto params = base_params();
  TcpPeerLogic peer(params);
  CHECK(peer.on_frame(arp_frame(proto::kBroadcastMac, who_has(0x0A'00'00'63)), 0).empty());  // another IP
  auto reply = who_has(params.ip);
  reply.op = proto::kArpOpReply;
  CHECK(peer.on_frame(arp_frame(params.mac, reply), 1).empty());
  auto announce = who_has(kNicIp);  // gratuitous: sender and target are the same address
  CHECK(peer.on_frame(arp_frame(proto::kBroadcastMac, announce), 2).empty());
  CHECK(peer.on_frame(arp_frame(0x02'00'00'00'00'63, who_has(params.ip)), 3).empty());  // another MAC
  CHECK(peer.stats().arp_ignored == 4);
  auto truncated = arp_frame(proto::kBroadcastMac, who_has(params.ip));
  truncated.resize(proto::kEthernetHeaderBytes + 20);
  CHECK(peer.on_frame(truncated, 4).empty());
  auto bad = arp_frame(proto::kBroadcastMac, who_has(params.ip));
  bad[proto::kEthernetHeaderBytes + 4] = 8;  // hardware address length
  CHECK(peer.on_frame(bad, 5).empty());
  CHECK(peer.stats().arp_bad == 2);
  CHECK(peer.stats().frames_bad == 2);
  CHECK(peer.stats().arp_replies_sent == 0);
  CHECK(peer.stats().frames_received == 6);
}

TEST_CASE("malformed frames are counted by error and never crash the peer") {
  const unsigned seed = 12345;
  INFO("mutation seed " << seed);
  auto params = base_params();
  TcpPeerLogic peer(params);
  TestNic nic(params);
  const Seq ack = establish(peer, nic, full_syn_options()).tcp.seq + 1;
  const auto good = nic.data(0, 200, ack, ts(1, 1));

  auto bad_tcp = good;
  bad_tcp.back() ^= 0xFF;  // payload byte: TCP checksum fails
  peer.on_frame(bad_tcp, 100);
  auto not_ip = good;
  not_ip[12] = 0x86;  // EtherType 0x86DD
  peer.on_frame(not_ip, 101);
  peer.on_frame(proto::ConstBytes(good.data(), 30), 102);
  peer.on_frame(proto::ConstBytes{}, 103);
  const auto& s = peer.stats();
  CHECK(s.frames_bad_by_error[static_cast<std::size_t>(proto::FrameError::kBadTcpChecksum)] == 1);
  CHECK(s.frames_bad_by_error[static_cast<std::size_t>(proto::FrameError::kNotIpv4)] == 1);
  CHECK(s.frames_bad_by_error[static_cast<std::size_t>(proto::FrameError::kTruncated)] == 2);
  CHECK(s.frames_bad == 4);
  peer.on_fcs_error();
  CHECK(s.fcs_errors == 1);

  // Random corruption and truncation of valid frames.
  std::mt19937 rng(seed);
  std::uint64_t before = s.frames_received;
  for (int i = 0; i < 5000; ++i) {
    auto f = good;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < flips; ++k) f[rng() % f.size()] ^= static_cast<std::uint8_t>(1 + rng() % 255);
    if (rng() % 4 == 0) f.resize(rng() % f.size());
    peer.on_frame(f, 1'000 + i);
    peer.on_timer(1'000 + i);
  }
  CHECK(s.frames_received == before + 5000);
  CHECK(s.frames_bad >= 4 + 4000);
  // The connection is unharmed: the next valid segment is delivered.
  const auto& c = conn(peer, nic);
  CHECK(c.state == TcpState::kEstablished);
  const std::uint64_t delivered = c.stats.bytes_delivered;
  peer.on_frame(nic.data(delivered, 100, ack, ts(2, 1)), 10'000);
  CHECK(c.stats.bytes_delivered == delivered + 100);
}

TEST_CASE("challenge ACK for a new SYN on an established connection (RFC 5961 4.2)") {
  auto params = base_params();
  TcpPeerLogic peer(params);
  TestNic nic(params);
  const Seq ack = establish(peer, nic, {}).tcp.seq + 1;
  const auto out = parse_outputs(peer.on_frame(nic.frame(proto::kTcpSyn, Seq(12345), Seq(0)), 100));
  REQUIRE(out.size() == 1);
  CHECK(out[0].is(proto::kTcpAck));
  CHECK(out[0].tcp.seq == ack);
  CHECK(out[0].tcp.ack == nic.stream_seq(0));
  CHECK(conn(peer, nic).state == TcpState::kEstablished);
}

TEST_CASE("many connections keep separate state and timers") {
  auto params = base_params();
  params.pattern_port_base = 41000;
  TcpPeerLogic peer(params);
  std::vector<TestNic> nics;
  std::vector<Seq> acks;
  for (int i = 0; i < 50; ++i) {
    nics.emplace_back(params, static_cast<std::uint16_t>(41000 + i));
    acks.push_back(establish(peer, nics.back(), {}, i).tcp.seq + 1);
  }
  // One segment each at staggered times: 50 delayed ACKs in time order.
  for (int i = 0; i < 50; ++i) peer.on_frame(nics[i].data(0, 100 + i, acks[i]), 1'000 + 7 * i);
  for (int i = 0; i < 50; ++i) {
    REQUIRE(peer.next_timer_ns() == std::optional<std::int64_t>(41'000 + 7 * i));
    const auto out = parse_outputs(peer.on_timer(41'000 + 7 * i));
    REQUIRE(out.size() == 1);
    CHECK(out[0].tcp.dst_port == 41000 + i);
    CHECK(out[0].tcp.ack == nics[i].stream_seq(100 + i));
  }
  CHECK(peer.all_data_ok());
  CHECK(peer.connection_count() == 50);
}

TEST_CASE("bulk transfer into a slow reader: window closes and reopens, every byte arrives once") {
  INFO("iss_seed " << kSeed);
  auto params = base_params();
  params.rcv_buffer_bytes = 64 << 10;
  params.app_read_mbps = 10'000;  // a 10 Gb/s reader behind a 100 Gb/s sender
  TcpPeerLogic peer(params);
  TestNic nic(params);
  const PeerSegment synack = establish(peer, nic, full_syn_options());
  const Seq ack = synack.tcp.seq + 1;
  const std::uint8_t shift = *synack.tcp.options.wscale;
  constexpr std::uint64_t kTotal = 2'000'000;
  constexpr std::uint64_t kMss = 1448;
  std::uint64_t una = 0, nxt = 0, wnd = synack.tcp.window;  // the NIC's view, stream offsets
  std::uint64_t max_buffered = 0, acks = 0;
  std::int64_t t = 1'000;
  const auto& c = conn(peer, nic);
  auto take = [&](const std::vector<TcpPeerLogic::Output>& outs) {
    for (const auto& s : parse_outputs(outs)) {
      if (!(s.tcp.flags & proto::kTcpAck) || (s.tcp.flags & proto::kTcpFin)) continue;
      ++acks;
      una = static_cast<std::uint32_t>(s.tcp.ack - nic.stream_seq(0));
      wnd = std::uint64_t{s.tcp.window} << shift;
    }
    max_buffered = std::max(max_buffered, c.buffered);
  };
  while (una < kTotal) {
    // Like a sender without Nagle, it fills whatever window is offered.
    const std::uint64_t usable = una + wnd > nxt ? una + wnd - nxt : 0;
    const std::uint64_t len = std::min({kMss, kTotal - nxt, usable});
    if (len > 0) {
      take(peer.on_frame(nic.data(nxt, len, ack, ts(5000, 1)), t));
      nxt += len;
      t += 120;  // 1514 bytes at 100 Gb/s plus overhead
    } else if (auto due = peer.next_timer_ns()) {
      t = std::max(t, *due);
      take(peer.on_timer(t));
    } else {
      t += 200'000;  // persist timer: probe one byte below the window (RFC 9293 3.8.6.1)
      take(peer.on_frame(nic.frame(proto::kTcpAck, nic.stream_seq(una) - 1, ack), t));
    }
    REQUIRE(t < 10'000'000'000);
  }
  CHECK(c.stats.bytes_delivered == kTotal);
  CHECK(c.stats.data_ok);
  CHECK(c.stats.window_zero_events >= 1);
  CHECK(c.stats.out_of_window == 0);
  CHECK(c.stats.duplicate_bytes == 0);
  CHECK(max_buffered <= params.rcv_buffer_bytes);
  // The reader is the bottleneck (0.8 ns per byte): everything but the last
  // buffer-full is read before the last byte is acknowledged.
  CHECK(t >= (kTotal - (64 << 10)) * 8 / 10);
  CHECK(t < 1'600'000);
  // FIN, our FIN once the reader is done, final ACK.
  take(peer.on_frame(nic.frame(proto::kTcpFin | proto::kTcpAck, nic.stream_seq(kTotal), ack, {}, ts(5001, 1)), t));
  while (c.state == TcpState::kCloseWait) {
    const auto due = peer.next_timer_ns();
    REQUIRE(due);
    t = *due;
    peer.on_timer(t);
  }
  CHECK(c.state == TcpState::kLastAck);
  CHECK(t >= 1'000 + kTotal * 8 / 10);  // our FIN waited for the reader to finish
  CHECK(t < 1'000 + kTotal * 8 / 10 + 1'000);
  peer.on_frame(nic.frame(proto::kTcpAck, nic.stream_seq(kTotal + 1), ack + 1, {}, ts(5002, 1)), t + 10);
  CHECK(c.state == TcpState::kClosed);
  CHECK(c.stats.fin_after(kTotal));
}

// Not run by ctest (hidden tag): ./tcp_peer_logic_test "[bench]" prints the
// rate at which the logic takes full-sized segments (parse, checksum, pattern
// check, ACK every second one).
TEST_CASE("bench: full-sized segments per wall second", "[.][bench]") {
  auto params = base_params();
  TcpPeerLogic peer(params);
  TestNic nic(params);
  const Seq ack = establish(peer, nic, full_syn_options()).tcp.seq + 1;
  constexpr int kBatches = 800;
  constexpr int kBatch = 256;
  constexpr int kFrames = kBatches * kBatch;
  constexpr std::size_t kMss = 1448;
  std::vector<std::vector<std::uint8_t>> frames(kBatch);
  std::vector<TcpPeerLogic::Output> out;
  double s = 0;  // time inside on_frame only; building the frames is not counted
  for (int b = 0; b < kBatches; ++b) {
    for (int k = 0; k < kBatch; ++k) {
      frames[k] = nic.data(std::uint64_t{kMss} * (b * kBatch + k), kMss, ack, ts(2000, 1));
    }
    const auto t0 = std::chrono::steady_clock::now();
    for (int k = 0; k < kBatch; ++k) {
      out.clear();
      peer.on_frame(frames[k], 1'000 + (b * kBatch + k) * 120, out);
    }
    s += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  const auto& c = conn(peer, nic);
  CHECK(c.stats.bytes_delivered == std::uint64_t{kFrames} * kMss);
  CHECK(c.stats.data_ok);
  WARN("frames/s " << kFrames / s);
}
