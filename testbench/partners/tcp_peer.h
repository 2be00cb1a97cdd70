// TcpPeer: the behavioural TCP endpoint as a link partner in the platform. It
// receives frames from an EthLink, hands them to TcpPeerLogic at the arrival
// time plus a fixed turnaround, serializes what the logic answers on its own
// MAC (same rate and lane width as the link) and sends it back over the link.
// The logic's timers (delayed ACK, window update, retransmission) share one
// sc_event set to the earliest deadline: nothing runs per cycle.
//
// Time given to the logic is the simulation time rounded down to whole
// nanoseconds, and its deadlines fire at whole nanoseconds; frames always
// leave at the exact simulation time (on the MAC's next cycle boundary).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <vector>

#include <systemc>

#include "model/link/eth_link.h"
#include "model/link/frame_receiver_if.h"
#include "model/link/mac_serializer.h"
#include "testbench/partners/tcp_peer_logic.h"

namespace toevp::tb {

class TcpPeer : public sc_core::sc_module, public link::FrameReceiverIf {
 public:
  sc_core::sc_export<link::FrameReceiverIf> frame_in;  // bind: link.to_b(peer.frame_in)

  // Called for every segment with ACK the peer puts on the wire, with the
  // times its first and last bit leave the peer's MAC.
  using AckSentCallback = std::function<void(const sc_core::sc_time& first_bit, const sc_core::sc_time& last_bit,
                                             std::uint32_t conn, proto::Seq ack)>;

  SC_HAS_PROCESS(TcpPeer);
  TcpPeer(sc_core::sc_module_name name, const TcpPeerParams& params, link::EthLink& link,
          link::EthLink::Side my_side);

  void receive_frame(const link::EthFrame& frame) override;

  const TcpPeerLogic& logic() const { return logic_; }
  // See TcpPeerLogic::expect_request (params.framed_requests).
  void expect_request(std::uint32_t key, std::uint64_t request_bytes, std::uint64_t response_bytes) {
    logic_.expect_request(key, request_bytes, response_bytes);
  }
  void set_on_ack_sent(AckSentCallback cb) { on_ack_sent_ = std::move(cb); }
  std::uint64_t wire_bytes_sent() const { return mac_.wire_bytes_sent(); }

 private:
  struct Pending {
    sc_core::sc_time due;
    std::vector<std::uint8_t> data;
    bool fcs_ok = true;
  };

  void rx_method();
  void timer_method();
  void handle(proto::ConstBytes data, bool fcs_ok);
  void transmit();
  void reschedule_timer();
  std::uint64_t now_fs() const;
  sc_core::sc_time from_fs(std::uint64_t fs) const;

  TcpPeerLogic logic_;
  link::EthLink& link_;
  link::EthLink::Side side_;
  link::MacSerializer mac_;
  sc_core::sc_time turnaround_;
  std::uint64_t fs_per_tick_;
  std::vector<TcpPeerLogic::Output> outputs_;  // reused between calls
  std::deque<Pending> pending_;                // frames waiting out the turnaround
  std::vector<std::vector<std::uint8_t>> spare_;  // their buffers, for reuse
  sc_core::sc_event rx_event_;
  sc_core::sc_event timer_event_;
  std::int64_t timer_at_ns_ = kNever;  // when timer_event_ is due (kNever: not pending)
  std::uint64_t frame_id_ = 0;
  AckSentCallback on_ack_sent_;
};

}  // namespace toevp::tb
