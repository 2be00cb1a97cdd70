// What the protocol and fault tests share: a link observer that loses chosen
// frames in either direction (a bit error: the frame's FCS stops matching and
// the receiving MAC drops it), and the invariants every transfer must keep
// whatever the link did to it:
//   - the peer received every byte of every connection exactly once, in
//     order, and the FIN right after the last one;
//   - firmware received every byte the peer sent, in order (checked by
//     StreamClient), and every SEND_DONE exactly once, in order;
//   - no SEND_DONE landed before the ACK of its last byte reached the NIC
//     (the platform's Scoreboard);
//   - the context table, the connections' context lists, the receive
//     buffers and the offloaded connections are back to empty;
//   - the run ended by itself (the firmware finished before the time limit).
#pragma once

#include <functional>

#include "model/link/eth_link.h"
#include "model/proto/tcp_frame.h"
#include "testbench/platform.h"
#include "tests/protocol/stream_client.h"

namespace toevp::tb::test {

class FrameDropper : public link::FrameObserver {
 public:
  using Pred = std::function<bool(const proto::TcpFrameView& v, bool from_nic)>;
  explicit FrameDropper(Pred pred) : pred_(std::move(pred)) {}
  void on_frame(const link::EthFrame& frame, bool from_a, const sc_core::sc_time& first_bit) override;
  std::uint64_t dropped() const { return dropped_; }

 private:
  Pred pred_;
  std::uint64_t dropped_ = 0;
};

// The test's fixed seed, or TOEVP_TEST_SEED from the environment (to sweep
// seeds by hand: TOEVP_TEST_SEED=5 ctest -R faults).
int test_seed(int fixed);

// Runs `params` on `p`; false if the firmware did not finish in time.
bool run_client(Platform& p, const StreamClientParams& params, StreamClientResult& result);

// The invariants above (Catch CHECKs). `peer_response_bytes`: what the peer
// was set to send per connection in total.
void check_transfer_invariants(Platform& p, const StreamClientParams& params, const StreamClientResult& r);

}  // namespace toevp::tb::test
