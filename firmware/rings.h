// The two host-memory rings as the firmware sees them (docs/abi.md, "Rings"):
// the submission ring firmware produces into and the completion ring it
// consumes. Index and phase bookkeeping live here, apart from the driver's
// policy, so wrap-around, the phase bit and the full condition are unit-tested
// with plain memory.
//
// Submission ring: a ring of N entries holds at most N - 1, so tail == head
// always means empty. Firmware writes entries at its private tail and makes
// them visible to the NIC by writing SQ_TAIL (ring()); several entries may
// share one doorbell. The NIC's fetch position is read from SQ_HEAD only when
// the ring looks full, to keep MMIO reads off the fast path.
//
// Completion ring: the NIC writes entries with phase 1 on its first pass over
// the (zeroed) ring, 0 on the second, and so on; an entry is new when its
// phase equals the phase firmware expects at its head. Firmware returns
// entries by writing CQ_HEAD (release()), once per batch.
#pragma once

#include <cstdint>
#include <optional>

#include "firmware/entries.h"
#include "firmware/host_interface.h"

namespace toevp::fw {

class SubmissionRing {
 public:
  // `size` is a power of two; the memory at `base` holds size * 64 bytes.
  void reset(HostInterface& host, std::uint64_t base, std::uint32_t size);

  std::uint32_t size() const { return size_; }
  std::uint32_t tail() const { return tail_; }
  std::uint32_t head() const { return head_; }
  std::uint32_t used() const { return (tail_ - head_) & (size_ - 1); }
  std::uint32_t free_slots() const { return size_ - 1 - used(); }
  bool full() const { return free_slots() == 0; }
  bool doorbell_pending() const { return tail_ != rung_; }

  // Re-reads SQ_HEAD from the NIC; returns false (and keeps the old head) if
  // the value is outside the ring or beyond the tail, which a correct NIC
  // never reports.
  bool refresh_head();

  // Writes `sqe` at the tail and advances it; returns the entry's index.
  // Precondition: !full().
  std::uint32_t push(const Sqe& sqe);

  // Writes SQ_TAIL if entries were pushed since the last doorbell.
  void ring();

 private:
  HostInterface* host_ = nullptr;
  std::uint64_t base_ = 0;
  std::uint32_t size_ = 2;
  std::uint32_t tail_ = 0;  // next entry firmware writes
  std::uint32_t rung_ = 0;  // tail the NIC was last told about
  std::uint32_t head_ = 0;  // last known NIC fetch position
};

class CompletionRing {
 public:
  // `size` is a power of two; the memory at `base` (size * 32 bytes) must be
  // zero so no entry looks new before the NIC writes it.
  void reset(HostInterface& host, std::uint64_t base, std::uint32_t size);

  std::uint32_t size() const { return size_; }
  std::uint32_t head() const { return head_; }
  std::uint8_t expected_phase() const { return phase_; }

  // The entry at the head if the NIC has written it (phase matches).
  std::optional<Cqe> peek();
  // Consumes the head entry: advances, flipping the expected phase on wrap.
  void pop();
  // Writes CQ_HEAD if entries were consumed since the last write.
  void release();

 private:
  HostInterface* host_ = nullptr;
  std::uint64_t base_ = 0;
  std::uint32_t size_ = 2;
  std::uint32_t head_ = 0;
  std::uint32_t released_ = 0;
  std::uint8_t phase_ = 1;
};

}  // namespace toevp::fw
