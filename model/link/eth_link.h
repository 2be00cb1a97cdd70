// EthLink: a full-duplex Ethernet cable between two ports, side A (the NIC)
// and side B (the link partner). Each side's MAC serializes its frames
// itself (MacSerializer) and calls send() with the time the frame's last bit
// leaves; the link adds the propagation delay and hands the frame to the far
// side's FrameReceiverIf at the time its last bit arrives. Link faults
// (loss, burst loss, corruption, duplication, reordering, jitter) are applied
// here, per direction, by a seeded LinkFaults (model/link/link_faults.h);
// observers see every frame as it was sent, before the faults.
#pragma once

#include <cstdint>
#include <queue>
#include <vector>

#include <systemc>

#include "model/link/eth_frame.h"
#include "model/link/frame_receiver_if.h"
#include "model/link/link_faults.h"

namespace toevp::link {

struct EthLinkParams {
  std::uint64_t rate_mbps = 100'000;
  unsigned lane_bytes = 8;
  sc_core::sc_time propagation = sc_core::sc_time(2, sc_core::SC_US);
  // Faults of the frames sent by side A (index kA) and by side B (kB).
  LinkFaultParams faults[2];
  std::uint64_t seed = 1;  // sim.seed
};

// Something that observes every frame the link carries (pcap writer, trace).
class FrameObserver {
 public:
  virtual ~FrameObserver() = default;
  // `from_a`: sent by side A. `first_bit`: when the sender started it.
  virtual void on_frame(const EthFrame& frame, bool from_a, const sc_core::sc_time& first_bit) = 0;
};

class EthLink : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(EthLink);
  enum Side { kA = 0, kB = 1 };

  sc_core::sc_port<FrameReceiverIf> to_a;  // delivers frames sent by B
  sc_core::sc_port<FrameReceiverIf> to_b;  // delivers frames sent by A

  EthLink(sc_core::sc_module_name name, const EthLinkParams& params);

  const EthLinkParams& params() const { return params_; }

  // Called by the MAC of `from` when it has serialized `frame`: its first
  // bit left at `first_bit`, its last at `last_bit` (>= now).
  void send(Side from, EthFrame frame, const sc_core::sc_time& first_bit,
            const sc_core::sc_time& last_bit);

  void add_observer(FrameObserver* observer) { observers_.push_back(observer); }

  std::uint64_t frames_carried(Side from) const { return carried_[from]; }
  // Fault counters of the frames sent by `from`.
  const LinkFaultStats& fault_stats(Side from) const { return faults_[from].stats(); }

 private:
  struct InFlight {
    sc_core::sc_time arrival;
    std::uint64_t order;
    EthFrame frame;
    bool operator>(const InFlight& o) const {
      return arrival != o.arrival ? arrival > o.arrival : order > o.order;
    }
  };
  using Queue = std::priority_queue<InFlight, std::vector<InFlight>, std::greater<InFlight>>;

  void deliver_to_a();
  void deliver_to_b();
  void deliver(Side to, Queue& q, sc_core::sc_event& ev);
  void enqueue(Side from, const sc_core::sc_time& arrival, EthFrame frame);
  sc_core::sc_time wire_time(std::size_t frame_len) const;

  EthLinkParams params_;
  Queue to_a_queue_, to_b_queue_;
  sc_core::sc_event to_a_event_, to_b_event_;
  std::uint64_t order_ = 0;
  std::uint64_t carried_[2] = {0, 0};
  LinkFaults faults_[2];
  sc_core::sc_time fifo_tail_[2];  // latest in-order arrival per sending side (jitter keeps order)
  std::vector<FrameObserver*> observers_;
};

}  // namespace toevp::link
