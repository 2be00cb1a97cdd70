// The small platform the SystemC fuzz targets drive: host memory, the host
// CPU, the NIC and the Ethernet link, as testbench/platform.h wires them,
// but with the fuzzer itself at the far end of the link instead of the TCP
// peer model, so that every frame reaching the NIC is one the fuzzer chose.
//
// SystemC elaborates once per process, so the platform is built once and
// every fuzz input runs on at the next simulated time step: the target
// posts firmware work (run on the host CPU's thread, through the same
// fw::HostInterface the firmware uses) and frames, then simulates a bounded
// amount of time with sc_start(). A model that hangs (a process looping in
// zero time) never returns from sc_start and libFuzzer's -timeout reports it;
// an SC_REPORT_ERROR/FATAL aborts and is reported as a crash.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <systemc>

#include "firmware/host_interface.h"
#include "model/common/config.h"
#include "model/hdrgen/header_generator.h"
#include "model/host/host_memory.h"
#include "model/link/eth_link.h"
#include "model/link/frame_receiver_if.h"
#include "model/nic/nic.h"
#include "testbench/host_cpu.h"

namespace toevp::fuzz {

// A FrameReceiverIf that calls a function (the two ends the agent serves).
class FrameCallback : public link::FrameReceiverIf {
 public:
  std::function<void(const link::EthFrame&)> call;
  void receive_frame(const link::EthFrame& frame) override {
    if (call) call(frame);
  }
};

// The link partner the fuzzer plays: sends the frames it is given back to
// back at line rate, hands every frame from the NIC to `on_received`, and
// sits between the link and the NIC's MAC so that `on_arrival` sees each
// frame at the moment it reaches the NIC (before the NIC acts on it).
class LinkAgent : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(LinkAgent);
  sc_core::sc_export<link::FrameReceiverIf> far_end;    // bind link.to_b here
  sc_core::sc_export<link::FrameReceiverIf> nic_side;   // bind link.to_a here
  sc_core::sc_port<link::FrameReceiverIf> to_nic;       // bind to the NIC's MAC

  LinkAgent(sc_core::sc_module_name name, link::EthLink& link);

  // Queues `frame`; it starts on the wire `gap` after the previous one ended
  // (or after now).
  void send(link::EthFrame frame, const sc_core::sc_time& gap);
  bool idle() const { return queue_.empty() && !sending_; }

  std::function<void(const link::EthFrame&)> on_received;
  std::function<void(const link::EthFrame&)> on_arrival;

 private:
  void send_thread();
  struct Item {
    link::EthFrame frame;
    sc_core::sc_time gap;
  };
  link::EthLink& link_;
  FrameCallback far_end_cb_, nic_side_cb_;
  std::deque<Item> queue_;
  bool sending_ = false;
  sc_core::sc_event queued_;
};

class FuzzPlatform {
 public:
  // Call once, before anything else of SystemC: the time resolution the
  // platform is built for, and report actions (warnings about hostile input
  // are expected and silent; errors and fatals abort).
  static void prepare_kernel();

  explicit FuzzPlatform(const model::Config& config);

  // Runs `action` on the host CPU's firmware thread and simulates until it
  // returns (true) or `limit` of simulated time passed (false).
  bool firmware(std::function<void(fw::HostInterface&)> action, const sc_core::sc_time& limit);
  // Simulates `t` more.
  void advance(const sc_core::sc_time& t);
  // Simulates up to the next multiple of `grid`: every fuzz input starts at
  // the same phase of every clock, so it replays alike whatever ran before.
  void align(const sc_core::sc_time& grid);
  sc_core::sc_time now() const { return sc_core::sc_time_stamp(); }

  model::Config config;
  std::unique_ptr<hdrgen::HeaderGenerator> header_gen;
  model::HostMemory host_mem;
  link::EthLink link;
  model::Nic nic;
  tb::HostCpu cpu;
  LinkAgent agent;

 private:
  int serve(fw::HostInterface& host);
  void check_cpu() const;

  std::function<void(fw::HostInterface&)> action_;
  bool action_done_ = true;
  sc_core::sc_event action_event_;
};

// Defaults, then each "key=value"; the cross-key checks run too.
model::Config make_config(const std::vector<std::string>& assignments);

}  // namespace toevp::fuzz
