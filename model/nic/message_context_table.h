// MessageContextTable: the NIC's per-message state of the zero-copy transmit
// method (claims 1 and 10). A context does not hold the message: it records
// where the message is in host memory, how long it is, the sequence number
// of its first byte and the host's cookie. Contexts of one connection are
// linked in sequence order; a context is freed when the peer has acked its
// last byte (claim 6), and only then may the host reuse the buffer (claim 7).
//
// Fixed number of entries with a free list, as an SRAM would be. When the
// table is full the command processor waits for a free entry (back-pressure;
// nothing is dropped).
#pragma once

#include <cstdint>
#include <vector>

#include <systemc>

#include "model/common/occupancy.h"
#include "model/proto/seq.h"

namespace toevp::model {

inline constexpr std::uint32_t kNoContext = 0xFFFFFFFFu;

struct MessageContext {
  std::uint64_t host_addr = 0;   // bus address of this context's first byte
  std::uint32_t length = 0;      // bytes
  proto::Seq start_seq{0};       // sequence number of the first byte
  std::uint64_t cookie = 0;      // the SEND's cookie
  std::uint32_t next = kNoContext;  // next context of the same connection
  std::uint16_t conn = 0;
  std::uint16_t sq_index = 0;    // the SEND entry that created it
  bool last_of_message = true;   // SEND_DONE is posted when this one is freed
  std::uint32_t message_bytes = 0;  // whole message length (on the last context)
  sc_core::sc_time allocated_at;
  proto::Seq end_seq() const { return start_seq + length; }
};

struct ContextTableStats {
  std::uint32_t entries = 0;
  std::uint32_t used = 0;
  std::uint32_t peak_used = 0;
  std::uint64_t allocations = 0;
  std::uint64_t frees = 0;
  double hold_time_sum_ns = 0;   // allocation-to-free time, summed over frees
  double hold_time_max_ns = 0;
  std::uint64_t freed_bytes = 0; // message bytes of the freed contexts (acked)
};

class MessageContextTable {
 public:
  explicit MessageContextTable(std::uint32_t entries);

  bool full() const { return free_.empty(); }
  std::uint32_t used() const { return stats_.used; }

  // Takes a free entry (the caller must check full() first).
  std::uint32_t allocate(const MessageContext& ctx);
  void release(std::uint32_t index);

  MessageContext& at(std::uint32_t index) { return table_[index]; }
  const MessageContext& at(std::uint32_t index) const { return table_[index]; }

  const ContextTableStats& stats() const { return stats_; }
  // Mean occupancy over [0, now] (time-weighted).
  double mean_used(const sc_core::sc_time& now) const;

  // Occupancy time series (stats.sample_interval_ns): a sample every
  // `interval` of simulated time, written without simulation events
  // (model/common/occupancy.h); each sample's `amount` is the bytes of the
  // contexts freed in its interval. finish_series() writes the samples due
  // by `now` (the end of the run).
  void enable_series(const sc_core::sc_time& interval);
  void finish_series(const sc_core::sc_time& now);
  const Occupancy& occupancy() const { return occupancy_; }

  // Notified whenever an entry is freed.
  sc_core::sc_event& freed_event() { return freed_event_; }

 private:
  std::vector<MessageContext> table_;
  std::vector<std::uint32_t> free_;
  ContextTableStats stats_;
  Occupancy occupancy_;
  sc_core::sc_event freed_event_;
};

}  // namespace toevp::model
