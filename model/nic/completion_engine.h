// CompletionEngine: writes completion entries into the host's completion
// queue, in the order they are posted, with a phase bit that flips on every
// wrap; then, if enabled, sends an MSI-X message (at most one per
// INT_MODERATION cycles; completions written meanwhile share the next one).
// When the queue is full (tail + 1 == head) it waits for firmware to move
// CQ_HEAD: completions are never overwritten or dropped. Claim 7: "providing
// message completion information to the host ... to release message buffers".
//
// Fast mode (sim.mode = fast): an entry posted for a later time is written at
// once with that time annotated on its DMA write (TLM-2.0 loosely timed), in
// posting order, instead of the writer waiting for it: the time it lands in
// host memory, and the firmware's view of it, are the same either way.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "model/abi/abi.h"
#include "model/common/clock_domain.h"

namespace toevp::model {

struct Completion {
  abi::CqeType type = abi::CqeType::kError;
  abi::Status status = abi::Status::kOk;
  std::uint16_t conn = 0;
  std::uint32_t length = 0;
  std::uint64_t cookie = 0;
  std::uint16_t sq_index = 0;
  std::uint8_t opcode = 0;
  abi::ConnEvent event = abi::ConnEvent::kNone;
  std::uint32_t info = 0;
};

struct CompletionStats {
  std::uint64_t written = 0;
  std::uint64_t msix_sent = 0;
  std::uint64_t full_waits = 0;
  double full_wait_ns = 0;
  std::uint64_t dma_errors = 0;
};

class CompletionEngine : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(CompletionEngine);
  tlm_utils::simple_initiator_socket<CompletionEngine> dma_init;

  CompletionEngine(sc_core::sc_module_name name, const ClockDomain& core, bool fast = false);

  void configure(std::uint64_t cq_base, std::uint32_t cq_entries);
  void set_interrupts(bool enabled, std::uint64_t msi_addr, std::uint32_t msi_data, std::uint64_t moderation_cycles);
  void head_written(std::uint32_t head);

  // Queues a completion; it is written no earlier than `ready`.
  void post(const Completion& c, const sc_core::sc_time& ready);

  std::uint32_t tail() const { return tail_; }
  // Entries of the ring as configured at CTRL.ENABLE.
  std::uint32_t ring_size() const { return size_; }
  const CompletionStats& stats() const { return stats_; }
  std::size_t pending() const { return queue_.size(); }

  // Called when an entry has landed in host memory (for scoreboards/traces).
  void set_observer(std::function<void(const Completion&, const sc_core::sc_time& landed)> f) { observer_ = std::move(f); }

 private:
  void writer_thread();
  // The entry as written at `at` (its timestamp field is that cycle).
  void encode(const Completion& c, std::uint8_t* out, const sc_core::sc_time& at) const;

  struct Pending {
    Completion c;
    sc_core::sc_time ready;
  };
  const ClockDomain& core_;
  bool fast_;
  sc_core::sc_time last_write_;  // fast mode: entries are written in time order
  std::deque<Pending> queue_;
  sc_core::sc_event posted_event_, head_event_;
  std::uint64_t base_ = 0;
  std::uint32_t size_ = 0;
  std::uint32_t tail_ = 0;
  std::uint32_t head_ = 0;
  bool phase_ = true;  // the phase of the first pass is 1: a zeroed ring reads as empty
  bool int_enabled_ = false;
  std::uint64_t msi_addr_ = 0;
  std::uint32_t msi_data_ = 0;
  std::uint64_t moderation_cycles_ = 0;
  sc_core::sc_time last_msi_;
  bool msi_sent_once_ = false;
  CompletionStats stats_;
  std::function<void(const Completion&, const sc_core::sc_time&)> observer_;
};

}  // namespace toevp::model
