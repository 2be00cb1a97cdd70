// Platform: the whole virtual platform of one design point, elaborated from
// a Config: host memory, the host CPU running firmware, the NIC, the
// Ethernet link and the TCP peer at its far end, plus the scoreboard that
// watches the method's promises. One Platform per process (SystemC
// elaborates once).
#pragma once

#include <map>
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
#include "model/common/timing_mode.h"
#include "testbench/scoreboard.h"
#include "testbench/stream_digest.h"
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
  // Digest of each connection's answers to firmware's commands in landing
  // order (type, status, connection, length, cookie, opcode, event), without
  // times and ring positions: equal in cycle and fast mode (sim.mode). Left
  // out, as they depend on timing: the raw path (RAW_RX, RAW_TX_DONE) and
  // CONN_EVENTs no command asked for (the peer's FIN or RST, a give-up),
  // e.g. whether a peer's FIN lost on a faulty link is resent before the
  // run ends.
  std::uint64_t completion_stream_digest() const;
  // sim.mode and sim.quantum_ns of this run.
  const model::TimingParams& timing() const { return timing_; }

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
  StreamDigest streams;  // the payload streams the link delivered, both directions

 private:
  double wall_s_ = 0;
  bool timed_out_ = false;
  std::uint64_t completion_digest_ = 0;
  std::map<std::uint16_t, std::uint64_t> completion_streams_;  // per conn_id
  model::TimingParams timing_;
};

// The peer's parameters from the config (shared with tests).
TcpPeerParams peer_params(const model::Config& config);

}  // namespace toevp::tb
