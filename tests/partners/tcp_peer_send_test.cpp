// TcpPeerLogic as a data sender (request/response, tcp_peer_send.cpp), no
// kernel: responses follow requests, carry the reverse-direction pattern at
// their stream offset with PSH on each response's last segment, stay within
// the NIC's window, and are resent from snd_una after a timeout or the third
// duplicate ACK; a closed window is probed.
#include <catch2/catch.hpp>

#include "firmware/examples/payload_pattern.h"
#include "tests/partners/peer_test_nic.h"

using namespace toevp;
using namespace toevp::tb;
using namespace toevp::tb::test;
using proto::Seq;

namespace {

constexpr std::uint64_t kSeed = 20240612;

struct Data {
  Seq seq;
  std::vector<std::uint8_t> bytes;
  bool psh;
};

std::vector<Data> data_of(const std::vector<TcpPeerLogic::Output>& outs) {
  std::vector<Data> d;
  for (const auto& o : outs) {
    proto::TcpFrameView v;
    REQUIRE(proto::parse_tcp_frame(o.frame, v, true) == proto::FrameError::kNone);
    if (!v.payload.empty())
      d.push_back(Data{v.tcp.seq, {v.payload.begin(), v.payload.end()}, (v.tcp.flags & proto::kTcpPsh) != 0});
  }
  return d;
}

struct Fixture {
  TcpPeerParams params;
  std::unique_ptr<TcpPeerLogic> peer;
  std::unique_ptr<TestNic> nic;
  Seq peer_iss;  // the peer's ISS: its data starts at peer_iss + 1

  explicit Fixture(std::uint64_t response, std::uint64_t request, std::uint16_t nic_window = 65535) {
    params.iss_seed = kSeed;
    params.response_bytes = response;
    params.request_bytes = request;
    params.rto_ns = 100'000;
    peer = std::make_unique<TcpPeerLogic>(params);
    nic = std::make_unique<TestNic>(params);
    proto::TcpOptions o;
    o.mss = 1000;
    const auto synack = parse_outputs(peer->on_frame(nic->syn(o), 0));
    REQUIRE(synack.size() == 1);
    peer_iss = synack[0].tcp.seq;
    established = peer->on_frame(nic->frame(proto::kTcpAck, nic->stream_seq(0), peer_iss + 1, {}, {}, nic_window), 10);
  }
  std::vector<TcpPeerLogic::Output> established;
  Seq at(std::uint64_t offset) const { return peer_iss + 1 + static_cast<std::uint32_t>(offset); }
  // A pure ACK from the NIC acknowledging peer bytes [0, offset).
  std::vector<TcpPeerLogic::Output> ack(std::uint64_t offset, std::int64_t t, std::uint16_t window = 65535) {
    return peer->on_frame(nic->frame(proto::kTcpAck, nic->stream_seq(sent_), at(offset), {}, {}, window), t);
  }
  std::uint64_t sent_ = 0;  // NIC stream bytes sent so far
};

void check_pattern(const Data& d, Seq base, std::uint32_t key) {
  const std::uint64_t offset = static_cast<std::uint32_t>(d.seq - base);
  CHECK(fw::PayloadPattern::instance().matches(fw::kReverseStreamKeyBase + key, offset, d.bytes.data(),
                                               d.bytes.size()));
}

}  // namespace

TEST_CASE("request_bytes 0: one response right after the handshake, MSS segments, PSH on the last") {
  INFO("seed " << kSeed);
  Fixture f(2500, 0);
  const auto d = data_of(f.established);
  REQUIRE(d.size() == 3);
  CHECK(d[0].seq == f.at(0));
  CHECK(d[0].bytes.size() == 1000);
  CHECK(d[1].bytes.size() == 1000);
  CHECK(d[2].bytes.size() == 500);
  CHECK_FALSE(d[0].psh);
  CHECK(d[2].psh);
  for (const auto& x : d) check_pattern(x, f.at(0), f.nic->pattern_key());
  const auto& c = *f.peer->find(f.nic->key());
  CHECK(c.stats.data_bytes_sent == 2500);
  CHECK(c.stats.responses_queued == 1);
}

TEST_CASE("a response follows every request_bytes received, and each ends with PSH") {
  INFO("seed " << kSeed);
  Fixture f(1500, 300);
  CHECK(data_of(f.established).empty());
  auto out = f.peer->on_frame(f.nic->data(0, 200, f.at(0)), 100);
  CHECK(data_of(out).empty());
  out = f.peer->on_frame(f.nic->data(200, 400, f.at(0)), 200);  // 600 bytes: two requests
  const auto d = data_of(out);
  REQUIRE(d.size() == 4);
  CHECK(d[0].bytes.size() == 1000);
  CHECK(d[1].bytes.size() == 500);
  CHECK(d[1].psh);
  CHECK(d[2].seq == f.at(1500));
  CHECK(d[3].psh);
  CHECK(f.peer->find(f.nic->key())->stats.responses_queued == 2);
}

TEST_CASE("the sender stays within the NIC's window and continues as ACKs open it") {
  INFO("seed " << kSeed);
  Fixture f(10'000, 0, 2500);
  auto d = data_of(f.established);
  // Two full segments; the 500 bytes left of the window wait (sender SWS
  // avoidance, RFC 9293 3.8.6.2.1).
  REQUIRE(d.size() == 2);
  d = data_of(f.ack(2000, 100, 2500));
  REQUIRE(d.size() == 2);
  CHECK(d[0].seq == f.at(2000));
  CHECK(d[1].seq == f.at(3000));
}

TEST_CASE("the third duplicate ACK resends from snd_una (go-back-N)") {
  INFO("seed " << kSeed);
  Fixture f(5000, 0);
  REQUIRE(data_of(f.established).size() == 5);
  CHECK(data_of(f.ack(1000, 100)).empty());
  CHECK(data_of(f.ack(1000, 110)).empty());
  CHECK(data_of(f.ack(1000, 120)).empty());
  const auto d = data_of(f.ack(1000, 130));
  REQUIRE(d.size() == 4);
  CHECK(d[0].seq == f.at(1000));
  const auto& c = *f.peer->find(f.nic->key());
  CHECK(c.stats.go_back_n == 1);
  CHECK(c.stats.data_segments_resent == 4);
}

TEST_CASE("a retransmission timeout resends from snd_una") {
  INFO("seed " << kSeed);
  Fixture f(3000, 0);
  REQUIRE(data_of(f.established).size() == 3);
  f.ack(1000, 50);
  const auto d = data_of(f.peer->on_timer(200'000));
  REQUIRE(d.size() == 2);
  CHECK(d[0].seq == f.at(1000));
  CHECK(f.peer->find(f.nic->key())->stats.data_timeouts == 1);
}

TEST_CASE("a closed window with data waiting is probed (up to one MSS), repeatedly, without giving up") {
  INFO("seed " << kSeed);
  Fixture f(3000, 0, 1000);
  REQUIRE(data_of(f.established).size() == 1);
  CHECK(data_of(f.ack(1000, 50, 0)).empty());  // everything acked, window closed
  std::int64_t t = 50;
  for (int i = 0; i < 12; ++i) {
    const auto next = f.peer->next_timer_ns();
    REQUIRE(next);
    INFO("probe " << i << " timer " << *next);
    t = *next;
    const auto d = data_of(f.peer->on_timer(t));
    REQUIRE(d.size() == 1);
    CHECK(d[0].seq == f.at(1000));
    CHECK(d[0].bytes.size() == 1000);  // the MSS; the NIC keeps what its window holds
    f.ack(1000, t + 10, 0);  // the NIC rejects it and repeats the closed window
  }
  const auto& c = *f.peer->find(f.nic->key());
  CHECK(c.stats.window_probes_sent == 12);
  CHECK(c.state == TcpState::kEstablished);
  // The window opens: the rest goes.
  const auto d = data_of(f.ack(1000, t + 100, 4000));
  REQUIRE(d.size() == 2);
  CHECK(d[0].seq == f.at(1000));
}
