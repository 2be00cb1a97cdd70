// The peer model's side of the workload's request/response (no kernel):
// with params.framed_requests it answers each request announced through
// expect_request once the request's bytes have arrived, with that request's
// response size, in order; a segment never crosses a response's end, the last
// one carries PSH, and a resend from snd_una keeps those boundaries; a
// response of 0 bytes sends nothing.
#include <catch2/catch.hpp>

#include "firmware/examples/payload_pattern.h"
#include "tests/partners/peer_test_nic.h"

namespace toevp::tb::test {
namespace {

struct Segment {
  std::uint64_t offset;  // in the peer's stream
  std::size_t bytes;
  bool psh;
};

struct Peer {
  TcpPeerParams params;
  std::unique_ptr<TcpPeerLogic> logic;
  std::unique_ptr<TestNic> nic;
  proto::Seq iss;

  Peer() {
    params.framed_requests = true;
    params.response_bytes = 999;  // unused when framed
    params.request_bytes = 7;
    params.rto_ns = 100'000;
    logic = std::make_unique<TcpPeerLogic>(params);
    nic = std::make_unique<TestNic>(params);
    proto::TcpOptions o;
    o.mss = 1000;
    const auto synack = parse_outputs(logic->on_frame(nic->syn(o), 0));
    REQUIRE(synack.size() == 1);
    iss = synack[0].tcp.seq;
    REQUIRE(segments(logic->on_frame(nic->frame(proto::kTcpAck, nic->stream_seq(0), iss + 1), 10)).empty());
  }
  // The data segments among the peer's outputs, each checked against the
  // reverse-stream pattern.
  std::vector<Segment> segments(const std::vector<TcpPeerLogic::Output>& outs) const {
    std::vector<Segment> out;
    for (const auto& o : outs) {
      proto::TcpFrameView v;
      REQUIRE(proto::parse_tcp_frame(o.frame, v, true) == proto::FrameError::kNone);
      if (v.payload.empty()) continue;
      const std::uint64_t offset = static_cast<std::uint32_t>(v.tcp.seq - (iss + 1));
      CHECK(fw::PayloadPattern::instance().matches(fw::kReverseStreamKeyBase + nic->pattern_key(), offset,
                                                   v.payload.data(), v.payload.size()));
      out.push_back(Segment{offset, v.payload.size(), (v.tcp.flags & proto::kTcpPsh) != 0});
    }
    return out;
  }
  std::vector<Segment> send(std::uint64_t offset, std::size_t len, std::int64_t t) {
    return segments(logic->on_frame(nic->data(offset, len, iss + 1), t));
  }
  const PeerConnection& conn() const { return *logic->find(nic->key()); }
};

TEST_CASE("framed requests: each announced request is answered with its own response size, once it has arrived",
          "[workload][peer]") {
  Peer p;
  p.logic->expect_request(p.nic->pattern_key(), 300, 2500);
  p.logic->expect_request(p.nic->pattern_key(), 100, 0);
  p.logic->expect_request(p.nic->pattern_key(), 50, 700);
  CHECK(p.send(0, 200, 100).empty());  // 200 of the first request's 300 bytes
  auto s = p.send(200, 100, 200);      // the first request is complete
  REQUIRE(s.size() == 3);
  CHECK(s[0].offset == 0);
  CHECK(s[0].bytes == 1000);
  CHECK(s[1].bytes == 1000);
  CHECK(s[2].bytes == 500);
  CHECK_FALSE(s[1].psh);
  CHECK(s[2].psh);
  // The second (no response) and third requests in one segment: only the
  // third's 700 bytes follow.
  s = p.send(300, 150, 300);
  REQUIRE(s.size() == 1);
  CHECK(s[0].offset == 2500);
  CHECK(s[0].bytes == 700);
  CHECK(s[0].psh);
  CHECK(p.conn().stats.responses_queued == 3);
  CHECK(p.conn().stats.data_bytes_sent == 3200);
  // Bytes beyond the announced requests ask for nothing.
  CHECK(p.send(450, 500, 400).empty());
  CHECK(p.conn().stats.responses_queued == 3);
}

TEST_CASE("framed requests: a resend after a timeout splits segments at the responses' ends again", "[workload][peer]") {
  Peer p;
  p.logic->expect_request(p.nic->pattern_key(), 10, 1200);
  p.logic->expect_request(p.nic->pattern_key(), 10, 300);
  auto s = p.send(0, 20, 100);
  REQUIRE(s.size() == 3);  // 1000 + 200 (PSH) + 300 (PSH)
  CHECK(s[1].bytes == 200);
  CHECK(s[1].psh);
  CHECK(s[2].offset == 1200);
  CHECK(s[2].psh);
  // Nothing is acknowledged: the retransmission timeout resends from the start.
  const auto resent = p.segments(p.logic->on_timer(100 + p.params.rto_ns + 1));
  REQUIRE(resent.size() == 3);
  CHECK(resent[0].offset == 0);
  CHECK(resent[1].offset == 1000);
  CHECK(resent[1].bytes == 200);
  CHECK(resent[1].psh);
  CHECK(resent[2].offset == 1200);
  CHECK(resent[2].bytes == 300);
  CHECK(resent[2].psh);
}

}  // namespace
}  // namespace toevp::tb::test
