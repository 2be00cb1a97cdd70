// Nic: construction from the config, socket binding and register hooks.
#include "model/nic/nic.h"

#include <tlm>

#include "model/abi/toevp_regs.h"
#include "model/common/timing_mode.h"

namespace toevp::model {

namespace {

PcieParams pcie_params(const Config& c) {
  PcieParams p;
  p.gen = static_cast<int>(c.get_int("pcie.gen"));
  p.lanes = static_cast<int>(c.get_int("pcie.lanes"));
  p.mps = static_cast<unsigned>(c.get_int("pcie.mps"));
  p.mrrs = static_cast<unsigned>(c.get_int("pcie.mrrs"));
  p.tlp_overhead_bytes = static_cast<unsigned>(c.get_int("pcie.tlp_overhead_bytes"));
  p.read_tags = static_cast<unsigned>(c.get_int("pcie.read_tags"));
  p.completer_latency_cycles = c.get_u64("pcie.completer_latency_cycles");
  p.mmio_latency_cycles = c.get_u64("pcie.mmio_latency_cycles");
  p.mmio_cycles = c.get_u64("nic.mmio_cycles");
  p.dma_window_base = c.get_u64("host.memory_base");
  p.dma_window_size = c.get_u64("host.memory_mb") << 20;
  p.msi_address = c.get_u64("host.msi_address");
  p.fast = TimingParams::from(c).fast();
  return p;
}

TcbCacheParams tcb_params(const Config& c) {
  return TcbCacheParams{static_cast<std::uint32_t>(c.get_int("tcb.cache_entries")),
                        static_cast<std::uint32_t>(c.get_int("tcb.cache_ways")), c.get_u64("tcb.hit_cycles")};
}

std::uint32_t max_frame(const Config& c) { return static_cast<std::uint32_t>(c.get_int("mac.mtu")) + 14; }

CutThroughDmaParams dma_params(const Config& c) {
  CutThroughDmaParams p;
  p.tx_buffer_bytes = static_cast<std::uint32_t>(c.get_int("nic.tx_buffer_bytes"));
  if (p.tx_buffer_bytes == 0)  // auto: scale with the MTU, the line rate and the PCIe read latency
    p.tx_buffer_bytes = auto_tx_buffer_bytes(
        double(c.get_u64("mac.rate_gbps")),
        double(c.get_u64("pcie.completer_latency_cycles")) * 1000.0 / c.get_double("nic.core_clock_mhz"), max_frame(c));
  p.datapath_bytes = static_cast<std::uint32_t>(c.get_int("nic.datapath_bytes"));
  p.mac_cycles = c.get_u64("mac.tx_cycles");
  p.fast = TimingParams::from(c).fast();
  return p;
}

ProtocolEngineParams pe_params(const Config& c) {
  ProtocolEngineParams p;
  p.tx_cycles = c.get_u64("pe.tx_cycles");
  p.rx_cycles = c.get_u64("pe.rx_cycles");
  p.initial_cwnd_segments = static_cast<std::uint32_t>(c.get_int("pe.initial_cwnd_segments"));
  p.rto_initial_ns = c.get_int("pe.rto_initial_us") * 1000;
  p.rto_min_ns = c.get_int("pe.rto_min_us") * 1000;
  p.rto_max_ns = c.get_int("pe.rto_max_us") * 1000;
  p.max_retries = static_cast<std::uint32_t>(c.get_int("pe.max_retries"));
  p.ack_delay_ns = c.get_int("pe.ack_delay_us") * 1000;
  p.mtu = static_cast<std::uint32_t>(c.get_int("mac.mtu"));
  p.fast = TimingParams::from(c).fast();
  return p;
}

CommandProcessorParams cmd_params(const Config& c) {
  CommandProcessorParams p;
  p.fetch_batch = static_cast<std::uint32_t>(c.get_int("cmd.fetch_batch"));
  p.decode_cycles = c.get_u64("cmd.decode_cycles");
  p.doorbell_cycles = c.get_u64("nic.doorbell_cycles");
  p.alloc_cycles = c.get_u64("ctx.alloc_cycles");
  p.ctx_max_bytes = static_cast<std::uint32_t>(c.get_int("ctx.max_bytes"));
  p.max_raw_frame = max_frame(c);
  p.fast = TimingParams::from(c).fast();
  return p;
}

}  // namespace

Nic::Nic(sc_core::sc_module_name name, const Config& config, link::EthLink& link,
         hdrgen::HeaderGenerator& header_gen)
    : sc_module(name),
      core_(ClockDomain::from_mhz("core", config.get_double("nic.core_clock_mhz"))),
      pcie("pcie", pcie_params(config), core_),
      regs("regs"),
      tcb_cache("tcb_cache", tcb_params(config), core_),
      contexts(static_cast<std::uint32_t>(config.get_int("ctx.entries"))),
      completions("completions", core_, TimingParams::from(config).fast()),
      mac_tx("mac_tx", link, config.get_u64("mac.rate_gbps") * 1000, static_cast<unsigned>(config.get_int("mac.lane_bytes"))),
      dma("dma", dma_params(config), core_, mac_tx, header_gen),
      pe("pe", pe_params(config), core_, tcb_cache, contexts, dma, completions),
      mac_rx("mac_rx", core_, config.get_u64("mac.rx_cycles"), max_frame(config), pe, completions),
      cmd("cmd", cmd_params(config), core_, pcie, tcb_cache, contexts, pe, dma, mac_rx, completions) {
  pcie.reg_init.bind(regs.mmio_tgt);
  tcb_cache.dma_init.bind(pcie.dma_tgt);
  completions.dma_init.bind(pcie.dma_tgt);
  dma.dma_init.bind(pcie.dma_tgt);
  mac_rx.dma_init.bind(pcie.dma_tgt);
  cmd.dma_init.bind(pcie.dma_tgt);

  dma.set_sent_callback([this](const TxDescriptor& d, const sc_core::sc_time&, const sc_core::sc_time& end) {
    if (d.kind != TxDescriptor::Kind::kRaw) return;
    Completion c;
    c.type = abi::CqeType::kRawTxDone;
    c.conn = d.conn;
    c.length = d.raw_len;
    c.cookie = d.cookie;
    c.sq_index = d.sq_index;
    c.opcode = static_cast<std::uint8_t>(abi::Opcode::kRawTx);
    completions.post(c, end);
  });
  dma.set_error_callback([this](const TxDescriptor& d) {
    Completion c;
    c.type = abi::CqeType::kError;
    c.status = abi::Status::kDmaError;
    c.conn = d.conn;
    c.cookie = d.cookie;
    c.sq_index = d.sq_index;
    c.opcode = static_cast<std::uint8_t>(d.kind == TxDescriptor::Kind::kRaw ? abi::Opcode::kRawTx : abi::Opcode::kSend);
    completions.post(c, sc_core::sc_time_stamp());
    regs.raise_error(TOEVP_ERR_STATUS_DMA_MASK, "payload DMA read failed (address error)");
  });
  // Fast mode: the NIC is the platform's temporally decoupled initiator; in
  // TLM-2.0 the quantum is global.
  const TimingParams timing = TimingParams::from(config);
  if (timing.fast()) tlm::tlm_global_quantum::instance().set(timing.quantum);
  cmd.set_error_hook([this](abi::Status, const std::string& why) { SC_REPORT_WARNING("toevp/cmd", why.c_str()); });
  wire_registers(config);
}

std::uint64_t Nic::reg64(std::uint32_t lo, std::uint32_t hi) const {
  return std::uint64_t{regs.stored(lo)} | (std::uint64_t{regs.stored(hi)} << 32);
}

bool Nic::ring_ok(std::uint64_t base, std::uint32_t size, std::uint32_t entry_bytes, std::uint32_t align) {
  const bool pow2 = size >= 2 && size <= 65536 && (size & (size - 1)) == 0;
  return pow2 && base % align == 0 && pcie.dma_window_contains(base, std::uint64_t{size} * entry_bytes);
}

void Nic::on_ctrl(std::uint32_t v) {
  const bool enable = (v & TOEVP_CTRL_ENABLE_MASK) != 0;
  if (!enable) {
    cmd.set_enabled(false);
    return;
  }
  const std::uint64_t sq = reg64(TOEVP_REG_SQ_BASE_LO, TOEVP_REG_SQ_BASE_HI);
  const std::uint64_t cq = reg64(TOEVP_REG_CQ_BASE_LO, TOEVP_REG_CQ_BASE_HI);
  const std::uint64_t tcb = reg64(TOEVP_REG_TCB_BASE_LO, TOEVP_REG_TCB_BASE_HI);
  const std::uint32_t sq_size = regs.stored(TOEVP_REG_SQ_SIZE);
  const std::uint32_t cq_size = regs.stored(TOEVP_REG_CQ_SIZE);
  const std::uint32_t tcb_entries = regs.stored(TOEVP_REG_TCB_ENTRIES);
  bool ok = true;
  if (!ring_ok(sq, sq_size, abi::kSqeBytes, 64)) {
    regs.raise_error(TOEVP_ERR_STATUS_SQ_CONFIG_MASK, "CTRL.ENABLE refused: bad submission queue base/size");
    ok = false;
  }
  if (!ring_ok(cq, cq_size, abi::kCqeBytes, 32)) {
    regs.raise_error(TOEVP_ERR_STATUS_CQ_CONFIG_MASK, "CTRL.ENABLE refused: bad completion queue base/size");
    ok = false;
  }
  if (tcb_entries == 0 || tcb_entries > 65535 || tcb % 128 != 0 ||
      !pcie.dma_window_contains(tcb, std::uint64_t{tcb_entries} * abi::kTcbBytes)) {
    regs.raise_error(TOEVP_ERR_STATUS_TCB_CONFIG_MASK, "CTRL.ENABLE refused: bad TCB table base/entries");
    ok = false;
  }
  if (!ok) {
    ++device_errors_;
    regs.store(TOEVP_REG_CTRL, v & ~TOEVP_CTRL_ENABLE_MASK);
    return;
  }
  tcb_cache.set_table(tcb);
  completions.configure(cq, cq_size);
  completions.set_interrupts((v & TOEVP_CTRL_INT_ENABLE_MASK) != 0,
                             reg64(TOEVP_REG_MSIX_ADDR_LO, TOEVP_REG_MSIX_ADDR_HI), regs.stored(TOEVP_REG_MSIX_DATA),
                             regs.stored(TOEVP_REG_INT_MODERATION));
  cmd.configure(sq, sq_size, tcb_entries);
  cmd.set_enabled(true);
}

void Nic::wire_registers(const Config& config) {
  const std::uint32_t ctx_entries = static_cast<std::uint32_t>(config.get_int("ctx.entries"));
  const std::uint32_t tcb_caps = (tcb_cache.params().entries & TOEVP_CAP_TCB_CACHE_ENTRIES_MASK) |
                                 (tcb_cache.params().ways << TOEVP_CAP_TCB_CACHE_WAYS_SHIFT);
  const std::uint32_t mtu = static_cast<std::uint32_t>(config.get_int("mac.mtu"));
  regs.set_reader(TOEVP_REG_CAP_CTX_ENTRIES, [ctx_entries] { return ctx_entries; });
  regs.set_reader(TOEVP_REG_CAP_TCB_CACHE, [tcb_caps] { return tcb_caps; });
  regs.set_reader(TOEVP_REG_CAP_MTU, [mtu] { return mtu; });
  regs.set_reader(TOEVP_REG_STATUS, [this] {
    std::uint32_t s = 0;
    if (regs.stored(TOEVP_REG_CTRL) & TOEVP_CTRL_ENABLE_MASK) s |= TOEVP_STATUS_RUNNING_MASK;
    if (regs.stored(TOEVP_REG_ERR_STATUS)) s |= TOEVP_STATUS_ERROR_MASK;
    return s;
  });
  regs.set_reader(TOEVP_REG_SQ_HEAD, [this] { return cmd.head(); });
  regs.set_reader(TOEVP_REG_CQ_TAIL, [this] { return completions.tail(); });
  auto lo = [](std::uint64_t v) { return static_cast<std::uint32_t>(v); };
  regs.set_reader(TOEVP_REG_STAT_TX_FRAMES, [this, lo] { return lo(mac_tx.stats().frames); });
  regs.set_reader(TOEVP_REG_STAT_RX_FRAMES, [this, lo] { return lo(mac_rx.stats().frames); });
  regs.set_reader(TOEVP_REG_STAT_TX_PAYLOAD_LO, [this, lo] { return lo(pe.stats().payload_bytes_sent); });
  regs.set_reader(TOEVP_REG_STAT_TX_PAYLOAD_HI, [this, lo] { return lo(pe.stats().payload_bytes_sent >> 32); });
  regs.set_reader(TOEVP_REG_STAT_RETX_SEGMENTS, [this, lo] { return lo(pe.stats().retransmitted_segments); });
  regs.set_reader(TOEVP_REG_STAT_SEND_DONE, [this, lo] { return lo(pe.stats().send_done); });
  regs.set_reader(TOEVP_REG_STAT_ERR_COMPLETIONS, [this, lo] { return lo(cmd.stats().errors); });
  auto by = [this, lo](abi::Status s) { return lo(cmd.stats().errors_by_status[static_cast<unsigned>(s)]); };
  regs.set_reader(TOEVP_REG_STAT_ERR_BAD_OPCODE, [by] { return by(abi::Status::kBadOpcode); });
  regs.set_reader(TOEVP_REG_STAT_ERR_BAD_CONN, [by] { return by(abi::Status::kBadConn); });
  regs.set_reader(TOEVP_REG_STAT_ERR_CONN_STATE, [by] { return by(abi::Status::kConnState); });
  regs.set_reader(TOEVP_REG_STAT_ERR_ZERO_LENGTH, [by] { return by(abi::Status::kZeroLength); });
  regs.set_reader(TOEVP_REG_STAT_ERR_BAD_ADDRESS, [by] { return by(abi::Status::kBadAddress); });
  regs.set_reader(TOEVP_REG_STAT_ERR_OTHER, [by] {
    return by(abi::Status::kTooLong) + by(abi::Status::kReservedNonZero) + by(abi::Status::kDmaError);
  });
  regs.set_reader(TOEVP_REG_STAT_RX_FCS_ERRORS, [this, lo] { return lo(mac_rx.stats().fcs_errors); });
  regs.set_reader(TOEVP_REG_STAT_RX_CSUM_ERRORS, [this, lo] { return lo(mac_rx.stats().checksum_errors); });
  regs.set_reader(TOEVP_REG_STAT_RX_MALFORMED, [this, lo] { return lo(mac_rx.stats().malformed); });
  regs.set_reader(TOEVP_REG_STAT_RX_RAW_DROPPED, [this, lo] { return lo(mac_rx.stats().raw_dropped); });
  regs.set_reader(TOEVP_REG_STAT_CTX_FULL_STALLS, [this, lo] { return lo(cmd.stats().ctx_full_stalls); });
  regs.set_reader(TOEVP_REG_STAT_TCB_HITS, [this, lo] { return lo(tcb_cache.stats().hits); });
  regs.set_reader(TOEVP_REG_STAT_TCB_MISSES, [this, lo] { return lo(tcb_cache.stats().misses); });
  regs.set_reader(TOEVP_REG_STAT_MMIO_ERRORS, [this, lo] { return lo(regs.mmio_errors()); });

  regs.on_write(TOEVP_REG_CTRL, [this](std::uint32_t v) {
    on_ctrl(v);
    return true;
  });
  regs.on_write(TOEVP_REG_SQ_TAIL, [this](std::uint32_t v) {
    if (!(regs.stored(TOEVP_REG_CTRL) & TOEVP_CTRL_ENABLE_MASK)) {
      regs.raise_error(TOEVP_ERR_STATUS_NOT_ENABLED_MASK, "SQ_TAIL doorbell while CTRL.ENABLE is 0; ignored");
      return false;
    }
    // Against the ring the command processor runs, not the SQ_SIZE register:
    // firmware may rewrite that while enabled, and a tail beyond the ring
    // made the fetcher chase it forever (found by tests/fuzz/fuzz_submissions).
    if (v >= cmd.ring_size()) {
      regs.raise_error(TOEVP_ERR_STATUS_SQ_TAIL_RANGE_MASK,
                       "SQ_TAIL " + std::to_string(v) + " beyond SQ_SIZE; ignored");
      return false;
    }
    cmd.doorbell(v);
    return true;
  });
  regs.on_write(TOEVP_REG_CQ_HEAD, [this](std::uint32_t v) {
    if (v >= completions.ring_size()) {
      regs.raise_error(TOEVP_ERR_STATUS_CQ_HEAD_RANGE_MASK,
                       "CQ_HEAD " + std::to_string(v) + " beyond CQ_SIZE; ignored");
      return false;
    }
    completions.head_written(v);
    return true;
  });
}

}  // namespace toevp::model
