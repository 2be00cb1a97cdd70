// Platform: the whole virtual platform of one design point, elaborated from
// a Config: host memory, the host CPU running firmware, the NIC, the
// Ethernet link and the TCP peer at its far end, plus the scoreboard that
// watches the method's promises. One Platform per process (SystemC
// elaborates once).
#pragma once

#include <memory>
#include <string>

#include <systemc>

#include "model/common/config.h"
#include "model/host/host_memory.h"
#include "model/link/eth_link.h"
#include "model/nic/nic.h"
#include "testbench/host_cpu.h"
#include "testbench/partners/tap_bridge.h"
#include "testbench/partners/tcp_peer.h"
#include "testbench/scoreboard.h"
#include "testbench/wire_monitor.h"

namespace toevp::tb {

class Platform {
 public:
  explicit Platform(const model::Config& config);
  ~Platform();

  // Runs until the firmware program returns or the time limit; returns true
  // if the program finished.
  bool run(HostCpu::Program program);

  const model::Config& config() const { return config_; }
  double wall_seconds() const { return wall_s_; }
  bool timed_out() const { return timed_out_; }
  // Digest of every completion (fields and landing time) in landing order.
  std::uint64_t completion_digest() const { return completion_digest_; }

  model::Config config_;
  std::unique_ptr<hdrgen::HeaderGenerator> header_gen;
  model::HostMemory host_mem;
  link::EthLink link;
  model::Nic nic;
  TcpPeer peer;
  std::unique_ptr<TapBridge> tap;  // link.partner = tap: Linux through a TAP device instead of `peer`
  HostCpu cpu;
  Scoreboard scoreboard;
  WireMonitor wire;

 private:
  double wall_s_ = 0;
  bool timed_out_ = false;
  std::uint64_t completion_digest_ = 0;
};

// The peer's parameters from the config (shared with tests).
TcpPeerParams peer_params(const model::Config& config);

}  // namespace toevp::tb
