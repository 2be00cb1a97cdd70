// TapBridge: a real Linux TCP/IP stack as the link partner. It attaches the
// far end of the EthLink to a Linux TAP device (/dev/net/tun, IFF_TAP |
// IFF_NO_PI): every frame the NIC puts on the link is written to the TAP, so
// the kernel receives it on that interface, and every frame the kernel sends
// out of the interface is read from the TAP and put on the link towards the
// NIC, serialized by the bridge's own MAC at the link's rate. Selected with
// `link.partner = tap` instead of the TCP peer model.
//
// Pacing: the kernel lives in wall-clock time, so while the bridge is active
// simulated time never runs ahead of wall-clock time. The bridge advances
// simulated time in quanta of `quantum` and, before each one, sleeps until
// the wall-clock time since the start of the simulation has caught up with
// the end of that quantum (waking early to pass on frames from the kernel).
// The simulation may run slower than real time (a busy 100 GbE link), never
// faster: the NIC's timers (RTO, delayed ACK) then mean to Linux what they
// say. Frames from the kernel enter the link at the simulated time they are
// read, at most one quantum after they were sent.
//
// The TAP device is opened (or created, which needs CAP_NET_ADMIN) when the
// bridge is constructed; a missing /dev/net/tun or permission is an error
// that names the device. scripts/tap_demo.sh shows the set-up.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include <systemc>

#include "model/link/eth_link.h"
#include "model/link/frame_receiver_if.h"
#include "model/link/mac_serializer.h"

namespace toevp::tb {

struct TapBridgeParams {
  std::string device = "toevp0";
  sc_core::sc_time quantum = sc_core::sc_time(20, sc_core::SC_US);
  std::uint32_t max_frame = 1514;  // longer frames from the kernel are dropped (counted)
};

struct TapBridgeStats {
  std::uint64_t frames_to_tap = 0;     // NIC -> Linux
  std::uint64_t bytes_to_tap = 0;
  std::uint64_t frames_from_tap = 0;   // Linux -> NIC
  std::uint64_t bytes_from_tap = 0;
  std::uint64_t write_errors = 0;      // the kernel refused a frame (interface down, queue full)
  std::uint64_t fcs_dropped = 0;       // frames the link corrupted: the receiving MAC drops them
  std::uint64_t oversize_dropped = 0;  // frames from the kernel above max_frame
  std::uint64_t quanta = 0;
  double slept_s = 0;                  // wall time spent waiting for real time to catch up
};

class TapBridge : public sc_core::sc_module, public link::FrameReceiverIf {
 public:
  sc_core::sc_export<link::FrameReceiverIf> frame_in;  // bind: link.to_b(bridge.frame_in)

  SC_HAS_PROCESS(TapBridge);
  // Throws std::runtime_error naming the device when the TAP cannot be opened.
  TapBridge(sc_core::sc_module_name name, const TapBridgeParams& params, link::EthLink& link,
            link::EthLink::Side my_side);
  ~TapBridge() override;

  void receive_frame(const link::EthFrame& frame) override;

  const TapBridgeParams& params() const { return params_; }
  const TapBridgeStats& stats() const { return stats_; }
  const std::string& device() const { return device_; }

 private:
  void pace_thread();
  void drain_tap();
  // Seconds of wall-clock time since the first quantum.
  double wall_elapsed() const;

  TapBridgeParams params_;
  link::EthLink& link_;
  link::EthLink::Side side_;
  link::MacSerializer mac_;
  int fd_ = -1;
  std::string device_;
  std::chrono::steady_clock::time_point wall_start_;
  sc_core::sc_time sim_start_;
  std::uint64_t frame_id_ = 0;
  TapBridgeStats stats_;
};

}  // namespace toevp::tb
