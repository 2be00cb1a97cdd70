// TcpPeer in SystemC: a scripted NIC on side A of an EthLink talks to the
// peer on side B, and the test checks when things happen on the wire: an
// answer's first bit leaves at arrival + turnaround (on the peer MAC's cycle
// grid), the delayed ACK 40 us after the segment, frames arrive at their last
// bit + propagation, and several answers serialize back to back. Every time
// used here is a multiple of 16 ns, which is both a whole nanosecond and a
// whole number of 640 ps MAC cycles at 100 GbE. Each TEST_CASE elaborates its
// own design, so ctest runs each in its own process.
#include <catch2/catch.hpp>

#include <chrono>
#include <functional>
#include <systemc>
#include <vector>

#include "model/link/eth_link.h"
#include "model/link/mac_serializer.h"
#include "tests/partners/peer_test_nic.h"
#include "testbench/partners/tcp_peer.h"

using namespace toevp;
using namespace toevp::tb;
using namespace toevp::tb::test;
using proto::Seq;
using sc_core::sc_time;
using sc_core::SC_NS;
using sc_core::SC_US;

namespace {

constexpr std::uint64_t kSeed = 99;

struct Received {
  sc_time at;
  PeerSegment seg;
};

// Side A: sends scripted frames and records what arrives.
class ScriptedNic : public sc_core::sc_module, public link::FrameReceiverIf {
 public:
  sc_core::sc_export<link::FrameReceiverIf> frame_in;
  std::vector<Received> received;
  std::function<void(ScriptedNic&)> script;

  SC_HAS_PROCESS(ScriptedNic);
  ScriptedNic(sc_core::sc_module_name name, link::EthLink& link) : sc_module(name), frame_in("frame_in"), link_(link) {
    frame_in.bind(*this);
    SC_THREAD(run);
  }

  void receive_frame(const link::EthFrame& f) override {
    std::vector<TcpPeerLogic::Output> one(1);
    one[0].frame = f.data;
    received.push_back(Received{sc_core::sc_time_stamp(), parse_outputs(one)[0]});
  }

  // Puts `frame` on the wire so that its last bit leaves at `last_bit`.
  void send_at(const sc_time& last_bit, std::vector<std::uint8_t> frame, bool fcs_ok = true) {
    if (last_bit > sc_core::sc_time_stamp()) wait(last_bit - sc_core::sc_time_stamp());
    link::EthFrame f;
    f.data = std::move(frame);
    f.fcs_ok = fcs_ok;
    link_.send(link::EthLink::kA, std::move(f), last_bit, last_bit);
  }

 private:
  void run() {
    if (script) script(*this);
  }
  link::EthLink& link_;
};

// Records the first-bit time of every frame side B (the peer) sends.
class PeerTx : public link::FrameObserver {
 public:
  std::vector<sc_time> first_bits;
  void on_frame(const link::EthFrame&, bool from_a, const sc_time& first_bit) override {
    if (!from_a) first_bits.push_back(first_bit);
  }
};

struct Bench {
  link::EthLinkParams link_params;
  link::EthLink link;
  TcpPeer peer;
  ScriptedNic nic;
  PeerTx tx;

  explicit Bench(const TcpPeerParams& p)
      : link("link", link::EthLinkParams{}), peer("peer", p, link, link::EthLink::kB), nic("nic", link) {
    link.to_b(peer.frame_in);
    link.to_a(nic.frame_in);
    link.add_observer(&tx);
  }
};

sc_time ns(std::int64_t v) { return sc_time(static_cast<double>(v), SC_NS); }

// When the peer's MAC finishes a frame of `len` bytes started at `first`
// (an idle MAC), by the shared serializer arithmetic.
sc_time mac_end(const sc_time& first, std::size_t len) {
  link::MacSerializer ref(100'000, 8);
  const auto t = ref.transmit(len, first.value());  // resolution is 1 fs (sc_catch_main)
  return sc_time::from_value(t.end_fs);
}

TcpPeerParams params() {
  TcpPeerParams p;
  p.iss_seed = kSeed;
  return p;
}

proto::TcpOptions ts_syn() {
  proto::TcpOptions o;
  o.mss = 1460;
  o.wscale = 7;
  o.timestamps = {{1000, 0}};
  return o;
}

}  // namespace

TEST_CASE("SYN-ACK and ACK leave exactly at arrival + turnaround and arrive at last bit + propagation") {
  INFO("iss_seed " << kSeed);
  auto p = params();
  p.turnaround_ns = 96;
  Bench b(p);
  TestNic tn(p);
  std::vector<std::pair<sc_time, sc_time>> ack_wire;
  b.peer.set_on_ack_sent([&](const sc_time& first, const sc_time& last, std::uint32_t, Seq) {
    ack_wire.emplace_back(first, last);
  });
  Seq peer_ack;
  b.nic.script = [&](ScriptedNic& n) {
    n.send_at(ns(1008), tn.syn(ts_syn()));  // arrives 3008 ns
    wait(ns(6000) - sc_core::sc_time_stamp());
    REQUIRE(n.received.size() == 1);
    peer_ack = n.received[0].seg.tcp.seq + 1;
    n.send_at(ns(6000), tn.frame(proto::kTcpAck, tn.stream_seq(0), peer_ack));
    n.send_at(ns(7008), tn.data(0, 1000, peer_ack));  // arrives 9008
    n.send_at(ns(7136), tn.data(1000, 1000, peer_ack));  // arrives 9136: second segment, ACK now
  };
  sc_core::sc_start(ns(100'000));

  REQUIRE(b.tx.first_bits.size() == 2);
  CHECK(b.tx.first_bits[0] == ns(3008 + 96));
  CHECK(b.tx.first_bits[1] == ns(9136 + 96));
  REQUIRE(b.nic.received.size() == 2);
  const auto& synack = b.nic.received[0].seg;
  const std::size_t synack_len = 14 + 20 + 20 + 20;  // MSS, TS, WS options: 20 bytes
  CHECK(b.nic.received[0].at == mac_end(ns(3104), synack_len) + sc_time(2, SC_US));
  CHECK(synack.tcp.options.wscale == std::optional<std::uint8_t>(7));
  const auto& ack = b.nic.received[1].seg;
  CHECK(ack.is(proto::kTcpAck));
  CHECK(ack.tcp.ack == tn.stream_seq(2000));
  CHECK(b.nic.received[1].at == mac_end(ns(9232), 14 + 20 + 32) + sc_time(2, SC_US));
  REQUIRE(ack_wire.size() == 2);
  CHECK(ack_wire[1].first == ns(9232));
  CHECK(ack_wire[1].second + sc_time(2, SC_US) == b.nic.received[1].at);
  const auto& c = b.peer.logic().connection(0);
  CHECK(c.stats.established_ns == 6000 + 2000 + 96);
  CHECK(c.stats.bytes_delivered == 2000);
  CHECK(c.stats.data_ok);
}

TEST_CASE("delayed ACK leaves exactly 40 us after a lone segment arrives") {
  auto p = params();
  Bench b(p);
  TestNic tn(p);
  b.nic.script = [&](ScriptedNic& n) {
    n.send_at(ns(0), tn.syn({}));
    wait(ns(4992));
    const Seq peer_ack = n.received.at(0).seg.tcp.seq + 1;
    n.send_at(ns(5008), tn.frame(proto::kTcpAck, tn.stream_seq(0), peer_ack));
    n.send_at(ns(8000), tn.data(0, 700, peer_ack));  // arrives 10 000 ns
  };
  sc_core::sc_start(ns(200'000));
  REQUIRE(b.tx.first_bits.size() == 2);
  CHECK(b.tx.first_bits[0] == ns(2000));  // turnaround 0: answered at arrival
  CHECK(b.tx.first_bits[1] == ns(10'000 + 40'000));
  REQUIRE(b.nic.received.size() == 2);
  CHECK(b.nic.received[1].seg.tcp.ack == tn.stream_seq(700));
  CHECK(b.nic.received[1].at == mac_end(ns(50'000), 54) + sc_time(2, SC_US));
}

TEST_CASE("ACK and FIN answering one FIN serialize back to back on the peer MAC") {
  auto p = params();
  p.turnaround_ns = 32;
  Bench b(p);
  TestNic tn(p);
  b.nic.script = [&](ScriptedNic& n) {
    n.send_at(ns(0), tn.syn({}));
    wait(ns(4992));
    const Seq peer_ack = n.received.at(0).seg.tcp.seq + 1;
    n.send_at(ns(5008), tn.frame(proto::kTcpAck, tn.stream_seq(0), peer_ack));
    n.send_at(ns(6000), tn.frame(proto::kTcpFin | proto::kTcpAck, tn.stream_seq(0), peer_ack));  // arrives 8000
    wait(ns(20'000));
    n.send_at(ns(30'000), tn.frame(proto::kTcpAck, tn.stream_seq(1), peer_ack + 1));
  };
  sc_core::sc_start(ns(100'000));
  REQUIRE(b.tx.first_bits.size() == 3);
  link::MacSerializer ref(100'000, 8);
  const auto t_ack = ref.transmit(54, ns(8032).value());
  const auto t_fin = ref.transmit(54, ns(8032).value());
  CHECK(b.tx.first_bits[1] == sc_time::from_value(t_ack.start_fs));
  CHECK(b.tx.first_bits[2] == sc_time::from_value(t_fin.start_fs));
  CHECK(b.tx.first_bits[2] > b.tx.first_bits[1]);
  REQUIRE(b.nic.received.size() == 3);
  CHECK(b.nic.received[2].seg.is(proto::kTcpFin | proto::kTcpAck));
  CHECK(b.nic.received[2].at == sc_time::from_value(t_fin.end_fs) + sc_time(2, SC_US));
  CHECK(b.peer.logic().connection(0).state == TcpState::kClosed);
}

TEST_CASE("frame with a bad FCS is counted and dropped without an answer") {
  auto p = params();
  Bench b(p);
  TestNic tn(p);
  b.nic.script = [&](ScriptedNic& n) { n.send_at(ns(0), tn.syn({}), false); };
  sc_core::sc_start(ns(50'000));
  CHECK(b.tx.first_bits.empty());
  CHECK(b.peer.logic().stats().fcs_errors == 1);
  CHECK(b.peer.logic().connection_count() == 0);
}

TEST_CASE("slow reader's window update leaves when the reader has freed one MSS") {
  auto p = params();
  p.rcv_buffer_bytes = 4 * 1460;
  p.app_read_mbps = 1000;  // 8 ns per byte
  Bench b(p);
  TestNic tn(p);
  b.nic.script = [&](ScriptedNic& n) {
    proto::TcpOptions o;
    o.mss = 1460;
    n.send_at(ns(0), tn.syn(o));
    wait(ns(4992));
    const Seq peer_ack = n.received.at(0).seg.tcp.seq + 1;
    n.send_at(ns(5008), tn.frame(proto::kTcpAck, tn.stream_seq(0), peer_ack));
    for (int i = 0; i < 4; ++i) n.send_at(ns(6000 + 16 * i), tn.data(i * 1460, 1460, peer_ack));
  };
  sc_core::sc_start(ns(100'000));
  // Data arrives from 8000 ns; the reader starts then and has read 1460
  // bytes 11 680 ns later: the update goes out at 19 680 ns.
  REQUIRE(b.nic.received.size() == 4);  // SYN-ACK, 2 ACKs, window update
  CHECK(b.nic.received[2].seg.tcp.window == 0);
  CHECK(b.tx.first_bits[3] == ns(8000 + 1460 * 8));
  CHECK(b.nic.received[3].seg.tcp.window == 1460);
  CHECK(b.nic.received[3].seg.tcp.ack == tn.stream_seq(4 * 1460));
}

// Not run by ctest (hidden tag): ./tcp_peer_timing_test "[bench]" prints how
// many full-sized segments per wall second the link + peer take, frame
// building excluded.
TEST_CASE("bench: segments per wall second through EthLink and TcpPeer", "[.][bench]") {
  auto p = params();
  Bench b(p);
  TestNic tn(p);
  constexpr int kBatches = 400;
  constexpr int kBatch = 500;
  constexpr std::size_t kMss = 1448;
  double build_s = 0;
  b.nic.script = [&](ScriptedNic& n) {
    n.send_at(ns(0), tn.syn(ts_syn()));
    wait(ns(4992));
    const Seq peer_ack = n.received.at(0).seg.tcp.seq + 1;
    n.send_at(ns(5008), tn.frame(proto::kTcpAck, tn.stream_seq(0), peer_ack));
    proto::TcpOptions o;
    o.timestamps = {{2000, 1}};
    std::vector<std::vector<std::uint8_t>> frames(kBatch);
    for (int bt = 0; bt < kBatches; ++bt) {
      const auto t0 = std::chrono::steady_clock::now();
      for (int k = 0; k < kBatch; ++k) frames[k] = tn.data(kMss * (bt * kBatch + k), kMss, peer_ack, o);
      build_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      const sc_time start = sc_core::sc_time_stamp();
      for (int k = 0; k < kBatch; ++k) {
        link::EthFrame f;
        f.data = std::move(frames[k]);
        const sc_time last = start + ns(120) * (k + 1);
        b.link.send(link::EthLink::kA, std::move(f), last, last);
      }
      wait(ns(120) * kBatch);
    }
  };
  const auto t0 = std::chrono::steady_clock::now();
  sc_core::sc_start(ns(120) * (kBatches * kBatch) + ns(100'000));
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() - build_s;
  const auto& c = b.peer.logic().connection(0);
  CHECK(c.stats.bytes_delivered == kMss * kBatches * kBatch);
  CHECK(c.stats.data_ok);
  WARN("segments/s " << kBatches * kBatch / s << " (peer frames sent " << b.peer.logic().stats().frames_sent << ")");
}
