// The whole platform under every kind of link fault, in both directions at
// once: four connections stream messages to the peer while the peer answers
// each one with data for the NIC's receive path. Whatever the link does, the
// transfer invariants of tests/protocol/protocol_harness.h must hold: every
// byte exactly once and in order at both ends, every SEND_DONE exactly once
// and never before its ACK, every table back to empty, and the run ends by
// itself. Each case is its own ctest process with a fixed seed.
#include <catch2/catch.hpp>

#include "tests/platform/platform_harness.h"
#include "tests/protocol/protocol_harness.h"

namespace toevp::tb::test {
namespace {

const int kSeed = test_seed(11);

// `fault` is applied to both directions ("loss=0.02" -> link.a_to_b.loss and link.b_to_a.loss).
model::Config faulty(std::vector<std::string> faults, std::vector<std::string> more = {}) {
  std::vector<std::string> v{"sim.seed=" + std::to_string(kSeed), "sim.time_limit_ms=2000",
                             "peer.request_bytes=16384", "peer.response_bytes=6000"};
  for (const auto& f : faults) {
    v.push_back("link.a_to_b." + f);
    v.push_back("link.b_to_a." + f);
  }
  v.insert(v.end(), more.begin(), more.end());
  return make_config(v);
}

StreamClientParams workload() {
  StreamClientParams s;
  s.connections = 4;
  s.messages_per_conn = 24;
  s.message_bytes = 16384;
  s.outstanding = 6;
  s.recv_buffers = 4;
  s.recv_buffer_bytes = 8192;
  s.expect_recv_bytes = 24 * 6000;
  return s;
}

const link::LinkFaultStats& nic_to_peer(const Platform& p) { return p.link.fault_stats(link::EthLink::kA); }
const link::LinkFaultStats& peer_to_nic(const Platform& p) { return p.link.fault_stats(link::EthLink::kB); }

void run_and_check(Platform& p, const StreamClientParams& sp) {
  StreamClientResult r;
  REQUIRE(run_client(p, sp, r));
  check_transfer_invariants(p, sp, r);
}

TEST_CASE("random loss of 2% both ways: every invariant holds", "[faults][loss]") {
  Platform p(faulty({"loss=0.02"}));
  run_and_check(p, workload());
  CHECK(nic_to_peer(p).lost_random > 0);
  CHECK(peer_to_nic(p).lost_random > 0);
  CHECK(p.nic.pe.stats().fast_retransmits > 0);
}

TEST_CASE("Gilbert-Elliott burst loss both ways: every invariant holds", "[faults][burst]") {
  Platform p(faulty({"burst_p=0.005", "burst_r=0.3", "burst_loss=1"}));
  run_and_check(p, workload());
  CHECK(nic_to_peer(p).lost_burst > nic_to_peer(p).bursts);  // bursts of more than one frame
  CHECK(peer_to_nic(p).lost_burst > 0);
}

TEST_CASE("bit corruption of 2% both ways: the MACs drop bad frames and every invariant holds",
          "[faults][corrupt]") {
  Platform p(faulty({"corrupt=0.02"}));
  run_and_check(p, workload());
  CHECK(nic_to_peer(p).corrupted > 0);
  CHECK(peer_to_nic(p).corrupted > 0);
  CHECK(p.peer.logic().stats().fcs_errors == nic_to_peer(p).corrupted);
  CHECK(p.nic.mac_rx.stats().fcs_errors == peer_to_nic(p).corrupted);
}

TEST_CASE("duplicated frames (5% both ways) are delivered once: every invariant holds", "[faults][duplicate]") {
  Platform p(faulty({"duplicate=0.05"}));
  run_and_check(p, workload());
  CHECK(nic_to_peer(p).duplicated > 0);
  CHECK(peer_to_nic(p).duplicated > 0);
  CHECK(p.nic.pe.stats().rx_duplicate_segments > 0);
}

TEST_CASE("reordering (5% held back 3 us both ways): every invariant holds", "[faults][reorder]") {
  Platform p(faulty({"reorder=0.05", "reorder_delay_ns=3000"}));
  run_and_check(p, workload());
  CHECK(nic_to_peer(p).reordered > 0);
  CHECK(peer_to_nic(p).reordered > 0);
  CHECK(p.nic.pe.stats().rx_ooo_dropped > 0);
}

TEST_CASE("delay jitter up to 1.5 us both ways: order kept, every invariant holds", "[faults][jitter]") {
  Platform p(faulty({"jitter_ns=1500"}));
  run_and_check(p, workload());
  CHECK(nic_to_peer(p).jittered > 0);
  CHECK(p.nic.pe.stats().rx_ooo_dropped == 0);  // jitter alone never reorders
  CHECK(p.nic.pe.stats().retransmitted_segments == 0);
}

TEST_CASE("every fault at once, with UPLOAD and re-OFFLOAD mid-transfer: every invariant holds",
          "[faults][all][upload]") {
  Platform p(faulty({"loss=0.01", "burst_p=0.002", "burst_r=0.3", "corrupt=0.01", "duplicate=0.02", "reorder=0.02",
                     "reorder_delay_ns=2000", "jitter_ns=500"}));
  auto sp = workload();
  sp.upload_after = 8;
  sp.upload_pause_ns = 10'000;
  StreamClientResult r;
  REQUIRE(run_client(p, sp, r));
  check_transfer_invariants(p, sp, r);
  CHECK(r.uploads == sp.connections);
  const auto& f = nic_to_peer(p);
  CHECK(f.lost() > 0);
  CHECK(f.corrupted > 0);
  CHECK(f.duplicated > 0);
  CHECK(f.reordered > 0);
}

TEST_CASE("64 connections under 1% loss and reordering: every invariant holds", "[faults][scale]") {
  Platform p(faulty({"loss=0.01", "reorder=0.01", "reorder_delay_ns=3000"}));
  auto sp = workload();
  sp.connections = 64;
  sp.messages_per_conn = 8;
  sp.outstanding = 4;
  sp.recv_buffers = 2;
  sp.expect_recv_bytes = 8 * 6000;
  run_and_check(p, sp);
}

}  // namespace
}  // namespace toevp::tb::test
