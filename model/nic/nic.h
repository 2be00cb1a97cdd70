// Nic: the TCP offload NIC, every module of it wired together (DESIGN.md,
// "Block diagram"). Its outside is the PCIe endpoint (MMIO target socket from
// the host CPU, DMA initiator socket to host memory) and the MAC (frames to
// and from an EthLink). Register hooks connect BAR0 to the engines:
// CTRL.ENABLE checks and applies the ring configuration, the SQ_TAIL and
// CQ_HEAD doorbells reach the command processor and completion engine.
#pragma once

#include <cstdint>
#include <memory>

#include <systemc>

#include "model/common/clock_domain.h"
#include "model/common/config.h"
#include "model/hdrgen/header_generator.h"
#include "model/link/eth_link.h"
#include "model/nic/command_processor.h"
#include "model/nic/completion_engine.h"
#include "model/nic/cut_through_dma.h"
#include "model/nic/mac_rx.h"
#include "model/nic/mac_tx.h"
#include "model/nic/message_context_table.h"
#include "model/nic/protocol_engine.h"
#include "model/nic/registers.h"
#include "model/nic/tcb_cache.h"
#include "model/pcie/pcie_endpoint.h"

namespace toevp::model {

class Nic : public sc_core::sc_module {
 public:
  Nic(sc_core::sc_module_name name, const Config& config, link::EthLink& link, hdrgen::HeaderGenerator& header_gen);

  const ClockDomain& core_clock() const { return core_; }

  ClockDomain core_;
  PcieEndpoint pcie;
  Registers regs;
  TcbCache tcb_cache;
  MessageContextTable contexts;
  CompletionEngine completions;
  MacTx mac_tx;
  CutThroughDma dma;
  ProtocolEngine pe;
  MacRx mac_rx;
  CommandProcessor cmd;

  std::uint64_t device_errors() const { return device_errors_; }

 private:
  void wire_registers(const Config& config);
  void on_ctrl(std::uint32_t v);
  bool ring_ok(std::uint64_t base, std::uint32_t size, std::uint32_t entry_bytes, std::uint32_t align);
  std::uint64_t reg64(std::uint32_t lo, std::uint32_t hi) const;

  std::uint64_t device_errors_ = 0;
};

}  // namespace toevp::model
