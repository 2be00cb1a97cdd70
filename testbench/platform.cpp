// Platform: elaboration and binding of the virtual platform. See platform.h.
#include "testbench/platform.h"

#include <chrono>

#include <boost/container_hash/hash.hpp>

#include "model/abi/toevp_regs.h"
#include "model/proto/bytes.h"
#include "testbench/rtl/header_generator_factory.h"
#include "testbench/workload.h"

namespace toevp::tb {

using sc_core::sc_time;

namespace {

link::EthLinkParams link_params(const model::Config& c) {
  link::EthLinkParams p;
  p.rate_mbps = c.get_u64("mac.rate_gbps") * 1000;
  p.lane_bytes = static_cast<unsigned>(c.get_int("mac.lane_bytes"));
  p.propagation = sc_time(double(c.get_int("link.propagation_ns")), sc_core::SC_NS);
  p.seed = c.get_u64("sim.seed");
  for (auto [side, dir] : {std::pair{link::EthLink::kA, "link.a_to_b."}, std::pair{link::EthLink::kB, "link.b_to_a."}}) {
    link::LinkFaultParams& f = p.faults[side];
    const std::string k = dir;
    f.loss = c.get_double(k + "loss");
    f.burst_p = c.get_double(k + "burst_p");
    f.burst_r = c.get_double(k + "burst_r");
    f.burst_loss = c.get_double(k + "burst_loss");
    f.corrupt = c.get_double(k + "corrupt");
    f.duplicate = c.get_double(k + "duplicate");
    f.reorder = c.get_double(k + "reorder");
    f.reorder_delay_ns = c.get_int(k + "reorder_delay_ns");
    f.jitter_ns = c.get_int(k + "jitter_ns");
  }
  return p;
}

HostCpuParams cpu_params(const model::Config& c) {
  HostCpuParams p;
  p.msi_address = c.get_u64("host.msi_address");
  p.interrupt_latency_ns = c.get_u64("host.interrupt_latency_ns");
  return p;
}

std::unique_ptr<hdrgen::HeaderGenerator> make_hdrgen(const model::Config& c) {
  HeaderGeneratorOptions o;
  o.period_ps = static_cast<std::uint64_t>(1e6 / c.get_double("nic.core_clock_mhz") + 0.5);
  return make_header_generator(c.get_string("nic.header_gen"), o);
}

TapBridgeParams tap_params(const model::Config& c) {
  TapBridgeParams p;
  p.device = c.get_string("tap.device");
  p.quantum = sc_time(double(c.get_int("tap.quantum_us")), sc_core::SC_US);
  p.max_frame = static_cast<std::uint32_t>(c.get_int("mac.mtu")) + 14;
  return p;
}

}  // namespace

TcpPeerParams peer_params(const model::Config& c) {
  TcpPeerParams p;
  p.mss = static_cast<std::uint16_t>(c.get_int("mac.mtu") - 40);
  p.wscale = static_cast<std::uint8_t>(c.get_int("peer.wscale"));
  p.rcv_buffer_bytes = static_cast<std::uint32_t>(c.get_int("peer.rcv_buffer_bytes"));
  p.app_read_mbps = c.get_u64("peer.app_read_mbps");
  p.ack_every = static_cast<unsigned>(c.get_int("peer.ack_every"));
  p.delayed_ack_ns = c.get_int("peer.delayed_ack_us") * 1000;
  p.turnaround_ns = c.get_int("peer.turnaround_ns");
  p.reassembly = c.get_bool("peer.reassembly");
  p.response_bytes = c.get_u64("peer.response_bytes");
  p.rst_after_bytes = c.get_u64("peer.rst_after_bytes");
  p.request_bytes = c.get_u64("peer.request_bytes");
  p.framed_requests = c.get_string("fw.program") == "workload" && c.get_string("workload.kind") == "request_response";
  p.send_window_bytes = static_cast<std::uint32_t>(c.get_int("peer.send_window_bytes"));
  p.iss_seed = c.get_u64("sim.seed");
  p.pattern_port_base = kLocalPortBase;
  return p;
}

Platform::Platform(const model::Config& config)
    : config_(config),
      header_gen(make_hdrgen(config)),
      host_mem("host_mem", config.get_u64("host.memory_base"), config.get_u64("host.memory_mb") << 20,
               config.get_u64("host.msi_address")),
      link("link", link_params(config)),
      nic("nic", config, link, *header_gen),
      peer("peer", peer_params(config), link, link::EthLink::kB),
      cpu("cpu", cpu_params(config), host_mem),
      wire(config.get_u64("mac.rate_gbps") * 1000, static_cast<unsigned>(config.get_int("mac.lane_bytes"))),
      timing_(model::TimingParams::from(config)) {
  link.add_observer(&wire);
  // The occupancy series is written without simulation events (see
  // model/common/occupancy.h), so turning it on cannot change the run.
  if (const std::uint64_t interval = config.get_u64("stats.sample_interval_ns"))
    nic.contexts.enable_series(sc_time(double(interval), sc_core::SC_NS));
  cpu.mmio_init.bind(nic.pcie.mmio_tgt);
  nic.pcie.host_init.bind(host_mem.dma_tgt);
  link.to_a(streams.tap(false, nic.mac_rx));
  if (config.get_string("link.partner") == "tap") {
    tap = std::make_unique<TapBridge>("tap", tap_params(config), link, link::EthLink::kB);
    link.to_b(streams.tap(true, *tap));
  } else {
    link.to_b(streams.tap(true, peer));
  }

  // Scoreboard taps: the peer's ACKs as they reach the NIC, and SEND_DONEs
  // as they land in host memory.
  const sc_time prop = link.params().propagation;
  peer.set_on_ack_sent([this, prop](const sc_time&, const sc_time& last_bit, std::uint32_t idx, proto::Seq ack) {
    const PeerConnection& pc = peer.logic().connection(idx);
    if (pc.state == TcpState::kSynReceived) return;
    const std::uint64_t acked = static_cast<std::uint32_t>(ack - (pc.irs + 1));
    scoreboard.on_ack_at_nic(pc.key.remote_port, acked, last_bit + prop);
  });
  nic.completions.set_observer([this](const model::Completion& c, const sc_time& landed) {
    for (std::uint64_t v : {std::uint64_t(c.type), std::uint64_t(c.status), std::uint64_t(c.conn),
                            std::uint64_t(c.length), c.cookie, std::uint64_t(c.sq_index),
                            model::ClockDomain::to_fs(landed)})
      boost::hash_combine(completion_digest_, v);
    const bool unsolicited = c.type == abi::CqeType::kConnEvent && c.opcode == 0;  // FIN/RST from the peer, give-up
    if (c.type != abi::CqeType::kRawRx && c.type != abi::CqeType::kRawTxDone && !unsolicited)
      for (std::uint64_t v : {std::uint64_t(c.type), std::uint64_t(c.status), std::uint64_t(c.conn),
                              std::uint64_t(c.length), c.cookie, std::uint64_t(c.opcode), std::uint64_t(c.event)})
        boost::hash_combine(completion_streams_[c.conn], v);
    // An ABORTED message (UPLOAD_CONN) goes back to firmware, which posts
    // its unacked bytes again: it claims nothing and takes no stream space.
    if (c.type != abi::CqeType::kSendDone || c.status == abi::Status::kAborted) return;
    // conn_id -> the NIC's TCP port, from the PCB firmware wrote (ABI data).
    const std::uint64_t tcb_base = std::uint64_t{nic.regs.stored(TOEVP_REG_TCB_BASE_LO)} |
                                   (std::uint64_t{nic.regs.stored(TOEVP_REG_TCB_BASE_HI)} << 32);
    const std::uint8_t* pcb = host_mem.host_ptr(tcb_base + std::uint64_t{c.conn} * abi::kTcbBytes, abi::kTcbBytes);
    if (!pcb) return;
    const std::uint16_t port = proto::load_le16(proto::ConstBytes(pcb, abi::kTcbBytes), abi::kTcbLocalPort);
    scoreboard.on_send_done(port, c.length, c.status == abi::Status::kOk, landed);
  });
}

Platform::~Platform() = default;

std::uint64_t Platform::completion_stream_digest() const {
  std::uint64_t d = 0;
  for (const auto& [conn, h] : completion_streams_) {
    boost::hash_combine(d, conn);
    boost::hash_combine(d, h);
  }
  return d;
}

bool Platform::run(HostCpu::Program program) {
  cpu.set_program(std::move(program));
  const auto t0 = std::chrono::steady_clock::now();
  sc_core::sc_start(sc_time(double(config_.get_int("sim.time_limit_ms")), sc_core::SC_MS));
  wall_s_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  timed_out_ = !cpu.finished();
  return cpu.finished();
}

}  // namespace toevp::tb
