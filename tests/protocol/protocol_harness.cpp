// FrameDropper and the transfer invariants; see protocol_harness.h.
#include "tests/protocol/protocol_harness.h"

#include <catch2/catch.hpp>

#include <cstdlib>

#include "testbench/workload.h"

namespace toevp::tb::test {

void FrameDropper::on_frame(const link::EthFrame& frame, bool from_a, const sc_core::sc_time&) {
  proto::TcpFrameView v;
  if (proto::parse_tcp_frame(frame.data, v, false) != proto::FrameError::kNone) return;
  if (!pred_(v, from_a)) return;
  // The link's own copy, about to be delivered: a bad FCS loses it.
  const_cast<link::EthFrame&>(frame).fcs_ok = false;
  ++dropped_;
}

int test_seed(int fixed) {
  const char* s = std::getenv("TOEVP_TEST_SEED");
  return s ? std::atoi(s) : fixed;
}

bool run_client(Platform& p, const StreamClientParams& params, StreamClientResult& result) {
  return p.run([&](fw::HostInterface& h) { return run_stream_client(h, params, result); });
}

void check_transfer_invariants(Platform& p, const StreamClientParams& params, const StreamClientResult& r) {
  INFO("seed " << p.config().get_int("sim.seed") << ", first client error: " << r.first_error());
  if (!r.errors.empty()) {  // a stall: say where every connection is
    for (unsigned i = 0; i < params.connections; ++i) {
      FAIL_CHECK(p.nic.pe.describe(static_cast<std::uint16_t>(i)));
      const PeerConnection* c = p.peer.logic().find(ConnKey{0x0A000001, static_cast<std::uint16_t>(kLocalPortBase + i), 5001});
      if (c)
        FAIL_CHECK("  peer: " << to_string(c->state) << " rcv_nxt " << c->rcv_nxt.raw() << " delivered "
                                 << c->stats.bytes_delivered << " queued out of order " << c->ooo.size()
                                 << " tx queued " << c->tx_queued << " una+" << (c->snd_una - (c->iss + 1))
                                 << " nxt+" << (c->snd_nxt - (c->iss + 1)) << " wnd " << c->snd_wnd << " rto_at "
                                 << c->rto_at << (c->persist ? " (persist)" : "") << " retries " << c->retries);
    }
  }
  CHECK_FALSE(p.timed_out());
  CHECK(r.finished);
  CHECK(r.errors.empty());
  const std::uint64_t per_conn = std::uint64_t{params.messages_per_conn} * params.message_bytes;
  CHECK(r.messages_done == std::uint64_t{params.messages_per_conn} * params.connections);
  CHECK(r.bytes_received == params.expect_recv_bytes * params.connections);
  const TcpPeerLogic& peer = p.peer.logic();
  CHECK(peer.all_data_ok());
  for (unsigned i = 0; i < params.connections; ++i) {
    const PeerConnection* c = peer.find(ConnKey{0x0A000001, static_cast<std::uint16_t>(kLocalPortBase + i), 5001});
    REQUIRE(c != nullptr);
    INFO("connection " << i);
    CHECK(c->stats.bytes_delivered == per_conn);
    if (params.close) CHECK(c->stats.fin_after(per_conn));
  }
  CHECK(p.scoreboard.violations() == 0);
  for (const auto& m : p.scoreboard.messages()) INFO(m);
  CHECK(p.scoreboard.send_done_checked() == r.messages_done);  // ABORTED ones claim nothing
  CHECK(p.nic.pe.contexts_linked() == 0);
  CHECK(p.nic.contexts.used() == 0);
  if (params.close) {
    CHECK(p.nic.pe.recv_buffers_held() == 0);
    CHECK(p.nic.pe.connections_offloaded() == 0);
  }
}

}  // namespace toevp::tb::test
