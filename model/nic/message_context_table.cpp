// MessageContextTable: free list and occupancy statistics. See the header.
#include "model/nic/message_context_table.h"

#include "model/common/trace.h"
#include "model/common/waveform.h"

namespace toevp::model {

MessageContextTable::MessageContextTable(std::uint32_t entries) : table_(entries) {
  free_.reserve(entries);
  for (std::uint32_t i = entries; i-- > 0;) free_.push_back(i);
  stats_.entries = entries;
}

void MessageContextTable::account(const sc_core::sc_time& now) {
  stats_.used_time_integral += double(stats_.used) * (now - last_change_).to_seconds() * 1e9;
  last_change_ = now;
}

std::uint32_t MessageContextTable::allocate(const MessageContext& ctx) {
  if (free_.empty()) SC_REPORT_FATAL("toevp/ctx", "allocate() on a full message-context table");
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  account(now);
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
  account(now);
  stats_.hold_time_sum_ns += (now - table_[index].allocated_at).to_seconds() * 1e9;
  table_[index].next = kNoContext;
  free_.push_back(index);
  --stats_.used;
  ++stats_.frees;
  TOEVP_TRACE(trace::kCtx, "nic.contexts", "free  ctx %u conn %u len %u cookie 0x%llx held %.0f ns (%u in use)", index, table_[index].conn, table_[index].length, static_cast<unsigned long long>(table_[index].cookie), (now - table_[index].allocated_at).to_seconds() * 1e9, stats_.used);
  wave::set(wave::kCtxUsed, stats_.used);
  freed_event_.notify(sc_core::SC_ZERO_TIME);
}

double MessageContextTable::mean_used(const sc_core::sc_time& now) const {
  const double total = now.to_seconds() * 1e9;
  if (total <= 0) return 0;
  const double integral = stats_.used_time_integral + double(stats_.used) * (now - last_change_).to_seconds() * 1e9;
  return integral / total;
}

}  // namespace toevp::model
