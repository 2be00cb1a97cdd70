// MessageContextTable: free list and occupancy statistics. See the header.
#include "model/nic/message_context_table.h"

#include "model/common/clock_domain.h"
#include "model/common/trace.h"
#include "model/common/waveform.h"

namespace toevp::model {

MessageContextTable::MessageContextTable(std::uint32_t entries) : table_(entries) {
  free_.reserve(entries);
  for (std::uint32_t i = entries; i-- > 0;) free_.push_back(i);
  stats_.entries = entries;
}

std::uint32_t MessageContextTable::allocate(const MessageContext& ctx) {
  if (free_.empty()) SC_REPORT_FATAL("toevp/ctx", "allocate() on a full message-context table");
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  occupancy_.change(ClockDomain::to_fs(now), +1);
  const std::uint32_t i = free_.back();
  free_.pop_back();
  table_[i] = ctx;
  table_[i].next = kNoContext;
  table_[i].allocated_at = now;
  ++stats_.used;
  ++stats_.allocations;
  if (stats_.used > stats_.peak_used) stats_.peak_used = stats_.used;
  TOEVP_TRACE(trace::kCtx, "nic.contexts", "alloc ctx %u conn %u host 0x%llx len %u seq %u cookie 0x%llx sq %u (%u in use)", i, ctx.conn, static_cast<unsigned long long>(ctx.host_addr), ctx.length, ctx.start_seq.raw(), static_cast<unsigned long long>(ctx.cookie), ctx.sq_index, stats_.used);
  wave::set(wave::kCtxUsed, stats_.used);
  return i;
}

void MessageContextTable::release(std::uint32_t index) {
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  occupancy_.change(ClockDomain::to_fs(now), -1, table_[index].length);
  const double held_ns = (now - table_[index].allocated_at).to_seconds() * 1e9;
  stats_.hold_time_sum_ns += held_ns;
  if (held_ns > stats_.hold_time_max_ns) stats_.hold_time_max_ns = held_ns;
  stats_.freed_bytes += table_[index].length;
  table_[index].next = kNoContext;
  free_.push_back(index);
  --stats_.used;
  ++stats_.frees;
  TOEVP_TRACE(trace::kCtx, "nic.contexts", "free  ctx %u conn %u len %u cookie 0x%llx held %.0f ns (%u in use)", index, table_[index].conn, table_[index].length, static_cast<unsigned long long>(table_[index].cookie), (now - table_[index].allocated_at).to_seconds() * 1e9, stats_.used);
  wave::set(wave::kCtxUsed, stats_.used);
  freed_event_.notify(sc_core::SC_ZERO_TIME);
}

double MessageContextTable::mean_used(const sc_core::sc_time& now) const {
  return occupancy_.mean(ClockDomain::to_fs(now));
}

void MessageContextTable::enable_series(const sc_core::sc_time& interval) {
  occupancy_.enable_series(ClockDomain::to_fs(interval));
}

void MessageContextTable::finish_series(const sc_core::sc_time& now) { occupancy_.finish(ClockDomain::to_fs(now)); }

}  // namespace toevp::model
