// CommandProcessor: fetches submission entries by DMA after an SQ_TAIL
// doorbell, validates and executes them in ring order:
//   OFFLOAD_CONN  DMA-reads the PCB from the TCB table (claim 1, step 2)
//   SEND          creates message contexts that point at the host buffer
//                 (claim 1, steps 3-4); waits while the table is full
//   CLOSE, RAW_TX, POST_RECV (RAW buffers, or receive buffers of a connection)
//   UPLOAD_CONN   the live TCB back to its slot (ProtocolEngine::upload)
// A bad entry never stops the ring: it gets an ERROR completion naming the
// opcode, the entry index and the reason, a counter, and a log line; the
// next entry is processed as usual. docs/abi.md lists every status.
#pragma once

#include <array>
#include <cstdint>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "model/abi/abi.h"
#include "model/common/clock_domain.h"
#include "model/nic/completion_engine.h"
#include "model/nic/cut_through_dma.h"
#include "model/nic/mac_rx.h"
#include "model/nic/message_context_table.h"
#include "model/nic/protocol_engine.h"
#include "model/nic/tcb_cache.h"
#include "model/pcie/pcie_endpoint.h"

namespace toevp::model {

struct CommandProcessorParams {
  std::uint32_t fetch_batch = 8;
  std::uint64_t decode_cycles = 2;
  std::uint64_t doorbell_cycles = 2;
  std::uint64_t alloc_cycles = 1;
  std::uint32_t ctx_max_bytes = 1u << 20;
  std::uint32_t max_raw_frame = 1514;
  // sim.mode = fast: decode and allocation cycles add to a local time that
  // is waited out (TLM-2.0 LT) only before an effect other processes see
  // (a linked context, CLOSE, POST_RECV) or another wait: one wait per SEND
  // instead of two, at the same times.
  bool fast = false;
};

struct CommandStats {
  std::uint64_t fetched = 0;
  std::uint64_t sends = 0;
  std::uint64_t send_bytes = 0;
  std::uint64_t offloads = 0;
  std::uint64_t errors = 0;
  std::array<std::uint64_t, 16> errors_by_status{};
  std::uint64_t ctx_full_stalls = 0;     // times a SEND waited for a context
  std::uint64_t ctx_full_stall_cycles = 0;
  std::uint64_t fetch_dma_errors = 0;
};

class CommandProcessor : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(CommandProcessor);
  tlm_utils::simple_initiator_socket<CommandProcessor> dma_init;

  CommandProcessor(sc_core::sc_module_name name, const CommandProcessorParams& params, const ClockDomain& core,
                   const PcieEndpoint& pcie, TcbCache& tcb_cache, MessageContextTable& contexts,
                   ProtocolEngine& pe, CutThroughDma& dma, MacRx& mac_rx, CompletionEngine& completions);

  void configure(std::uint64_t sq_base, std::uint32_t sq_entries, std::uint32_t tcb_entries);
  void set_enabled(bool on);
  void doorbell(std::uint32_t tail);
  std::uint32_t head() const { return head_; }
  std::uint32_t tail() const { return tail_; }
  // Entries of the ring as configured at CTRL.ENABLE (SQ_SIZE may have been
  // rewritten since).
  std::uint32_t ring_size() const { return sq_size_; }
  const CommandStats& stats() const { return stats_; }

  // Called for every ERROR completion (the platform raises ERR/log there).
  void set_error_hook(std::function<void(abi::Status, const std::string&)> f) { error_hook_ = std::move(f); }

 private:
  void fetch_thread();
  void execute(const std::uint8_t* sqe, std::uint16_t index);
  void reject(const std::uint8_t* sqe, std::uint16_t index, abi::Status status, const std::string& why);
  void do_offload(std::uint16_t conn, std::uint16_t index, const std::uint8_t* sqe);
  void do_send(std::uint16_t conn, std::uint64_t addr, std::uint32_t len, std::uint64_t cookie, std::uint16_t index);
  // Time: the kernel's plus the local time fast mode has run ahead (zero in
  // cycle mode). spend() waits in cycle mode and adds local time in fast
  // mode; sync() waits the local time out (before any other wait).
  sc_core::sc_time now() const { return sc_core::sc_time_stamp() + local_; }
  void spend(std::uint64_t cycles);
  void sync();

  CommandProcessorParams params_;
  const ClockDomain& core_;
  const PcieEndpoint& pcie_;
  TcbCache& tcb_cache_;
  MessageContextTable& contexts_;
  ProtocolEngine& pe_;
  CutThroughDma& dma_;
  MacRx& mac_rx_;
  CompletionEngine& completions_;
  std::uint64_t sq_base_ = 0;
  std::uint32_t sq_size_ = 0;
  std::uint32_t tcb_entries_ = 0;
  std::uint32_t head_ = 0, tail_ = 0;
  bool enabled_ = false;
  sc_core::sc_time local_;
  sc_core::sc_event doorbell_event_;
  CommandStats stats_;
  std::function<void(abi::Status, const std::string&)> error_hook_;
};

}  // namespace toevp::model
