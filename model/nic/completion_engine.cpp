// CompletionEngine: CQ ring writes, phase bit, MSI-X moderation. See header.
#include "model/nic/completion_engine.h"

#include <algorithm>
#include <array>

#include "model/common/trace.h"
#include "model/common/waveform.h"
#include "model/proto/bytes.h"

namespace toevp::model {

using sc_core::sc_time;

CompletionEngine::CompletionEngine(sc_core::sc_module_name name, const ClockDomain& core, bool fast)
    : sc_module(name), dma_init("dma_init"), core_(core), fast_(fast) {
  SC_THREAD(writer_thread);
}

void CompletionEngine::configure(std::uint64_t cq_base, std::uint32_t cq_entries) {
  base_ = cq_base;
  size_ = cq_entries;
  tail_ = head_ = 0;
  phase_ = true;
  // A writer waiting for space in the old ring must look at the new one:
  // firmware that re-enables the NIC with a fresh, empty ring writes no
  // CQ_HEAD until it sees an entry (found by tests/fuzz/fuzz_submissions).
  head_event_.notify(sc_core::SC_ZERO_TIME);
}

void CompletionEngine::set_interrupts(bool enabled, std::uint64_t msi_addr, std::uint32_t msi_data,
                                      std::uint64_t moderation_cycles) {
  int_enabled_ = enabled;
  msi_addr_ = msi_addr;
  msi_data_ = msi_data;
  moderation_cycles_ = moderation_cycles;
}

void CompletionEngine::head_written(std::uint32_t head) {
  TOEVP_TRACE(trace::kDoorbell, name(), "CQ_HEAD %u (tail %u)", head, tail_);
  head_ = head;
  head_event_.notify(sc_core::SC_ZERO_TIME);
}

void CompletionEngine::post(const Completion& c, const sc_time& ready) {
  queue_.push_back(Pending{c, ready});
  posted_event_.notify(sc_core::SC_ZERO_TIME);
}

void CompletionEngine::encode(const Completion& c, std::uint8_t* out, const sc_time& at) const {
  proto::Bytes b(out, abi::kCqeBytes);
  std::fill(b.begin(), b.end(), 0);
  b[abi::kCqeType] = static_cast<std::uint8_t>(c.type);
  b[abi::kCqeStatus] = static_cast<std::uint8_t>(c.status);
  proto::store_le16(b, abi::kCqeConnId, c.conn);
  proto::store_le32(b, abi::kCqeLength, c.length);
  proto::store_le64(b, abi::kCqeCookie, c.cookie);
  proto::store_le16(b, abi::kCqeSqIndex, c.sq_index);
  b[abi::kCqeOpcode] = c.opcode;
  b[abi::kCqeEvent] = static_cast<std::uint8_t>(c.event);
  proto::store_le32(b, abi::kCqeInfo, c.info);
  proto::store_le32(b, abi::kCqeTimestamp, static_cast<std::uint32_t>(core_.cycle_of(at)));
  b[abi::kCqePhase] = phase_ ? 1 : 0;
}

void CompletionEngine::writer_thread() {
  for (;;) {
    while (queue_.empty()) sc_core::wait(posted_event_);
    Pending p = queue_.front();
    queue_.pop_front();
    // When the entry is written: cycle mode waits for it; fast mode takes it
    // as the write's annotated time, never before an earlier entry's.
    sc_time at = core_.align_up(p.ready);
    if (fast_) {
      at = std::max({at, last_write_, core_.align_up(sc_core::sc_time_stamp())});
    } else {
      wait_until(at);
      at = sc_core::sc_time_stamp();
    }
    if ((tail_ + 1) % size_ == head_) {
      // Full: wait for firmware to consume (CQ_HEAD doorbell). Never drop.
      wait_until(at);  // fast mode: catch up with the entry's time first
      ++stats_.full_waits;
      const sc_time t0 = sc_core::sc_time_stamp();
      while ((tail_ + 1) % size_ == head_) sc_core::wait(head_event_);
      wait_until(core_.align_up(sc_core::sc_time_stamp()));
      stats_.full_wait_ns += (sc_core::sc_time_stamp() - t0).to_seconds() * 1e9;
      at = sc_core::sc_time_stamp();
    }
    last_write_ = at;
    std::array<std::uint8_t, abi::kCqeBytes> entry{};
    encode(p.c, entry.data(), at);
    tlm::tlm_generic_payload t;
    t.set_command(tlm::TLM_WRITE_COMMAND);
    t.set_address(base_ + std::uint64_t{tail_} * abi::kCqeBytes);
    t.set_data_ptr(entry.data());
    t.set_data_length(abi::kCqeBytes);
    t.set_streaming_width(abi::kCqeBytes);
    t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_time delay = at - sc_core::sc_time_stamp();  // zero in cycle mode
    dma_init->b_transport(t, delay);
    if (!t.is_response_ok()) ++stats_.dma_errors;
    const sc_time landed = sc_core::sc_time_stamp() + delay;
    TOEVP_TRACE(trace::kCompletion, name(), "CQ[%u] %s status %s conn %u len %u cookie 0x%llx sq %u op %u event %u phase %u lands@%llu", tail_, trace::cqe_type_name(static_cast<unsigned>(p.c.type)), trace::status_name(static_cast<unsigned>(p.c.status)), p.c.conn, p.c.length, static_cast<unsigned long long>(p.c.cookie), p.c.sq_index, p.c.opcode, static_cast<unsigned>(p.c.event), phase_ ? 1u : 0u, static_cast<unsigned long long>(core_.cycle_of(landed)));
    ++stats_.written;
    if (++tail_ == size_) {
      tail_ = 0;
      phase_ = !phase_;
    }
    wave::set_at(wave::kCqTail, landed, tail_);
    if (observer_) observer_(p.c, landed);
    if (int_enabled_) {
      // One MSI-X message per moderation interval; an entry written while a
      // message is already due is covered by it.
      // Fast mode writes entries due at the same time back to back before
      // the message, as cycle mode does when they share the upstream link.
      if (fast_ && !queue_.empty() && core_.align_up(queue_.front().ready) <= last_write_) continue;
      // The engine is on the core clock: the message is issued on the
      // first edge at or after the entry landed (a PCIe block boundary)
      // and the moderation interval ended (docs/timing.md).
      sc_time at = landed;
      if (msi_sent_once_) {
        const sc_time earliest = last_msi_ + core_.cycles(moderation_cycles_);
        if (last_msi_ >= landed) continue;  // a message already scheduled covers it
        if (earliest > at) at = earliest;
      }
      at = core_.align_up(at);
      std::array<std::uint8_t, 4> data{};
      proto::store_le32(data, 0, msi_data_);
      tlm::tlm_generic_payload m;
      m.set_command(tlm::TLM_WRITE_COMMAND);
      m.set_address(msi_addr_);
      m.set_data_ptr(data.data());
      m.set_data_length(4);
      m.set_streaming_width(4);
      m.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
      sc_time d = at - sc_core::sc_time_stamp();
      dma_init->b_transport(m, d);
      last_msi_ = sc_core::sc_time_stamp() + d;
      TOEVP_TRACE(trace::kIrq, name(), "MSI-X data 0x%x to 0x%llx lands@%llu (covers CQ up to %u)", msi_data_, static_cast<unsigned long long>(msi_addr_), static_cast<unsigned long long>(core_.cycle_of(last_msi_)), tail_);
      msi_sent_once_ = true;
      ++stats_.msix_sent;
    }
  }
}

}  // namespace toevp::model
