// SramBudget: field widths of the NIC's sized structures. See sram_budget.h.
#include "model/nic/sram_budget.h"

#include <type_traits>

#include "model/abi/abi.h"
#include "model/nic/message_context_table.h"

namespace toevp::model {

namespace {

// Bits a field of type T takes in SRAM: a flag is one bit, an integer its width.
template <class T>
constexpr std::uint32_t bits_of() {
  if constexpr (std::is_same_v<T, bool>)
    return 1;
  else
    return 8 * sizeof(T);
}
#define TOEVP_FIELD_BITS(field) bits_of<decltype(MessageContext::field)>()

// conn_id as the ABI carries it (submission entries, completions).
constexpr std::uint32_t kConnIdBits = 8 * (abi::kSqeLength - abi::kSqeConnId);

}  // namespace

std::uint32_t ceil_log2(std::uint64_t n) {
  std::uint32_t b = 0;
  while (b < 64 && (std::uint64_t{1} << b) < n) ++b;
  return b;
}

SramBudget sram_budget(std::uint32_t ctx_entries, std::uint32_t tcb_entries, std::uint32_t tcb_ways,
                       std::uint64_t tx_buffer_bytes) {
  SramBudget b;
  // One message context (MessageContext). `next` links the contexts of a
  // connection and, while an entry is free, the free list, so the free list
  // costs no bits of its own; it holds an entry index or "none". The
  // allocation time is statistics, not hardware.
  b.context_fields = {
      {"host_addr", TOEVP_FIELD_BITS(host_addr)},
      {"length", TOEVP_FIELD_BITS(length)},
      {"start_seq", 8 * static_cast<std::uint32_t>(sizeof(proto::Seq))},
      {"cookie", TOEVP_FIELD_BITS(cookie)},
      {"next", ceil_log2(std::uint64_t{ctx_entries} + 1)},
      {"conn", TOEVP_FIELD_BITS(conn)},
      {"sq_index", TOEVP_FIELD_BITS(sq_index)},
      {"last_of_message", TOEVP_FIELD_BITS(last_of_message)},
      {"message_bytes", TOEVP_FIELD_BITS(message_bytes)},
  };
  static_assert(kConnIdBits == TOEVP_FIELD_BITS(conn), "a context's conn holds an ABI conn_id");
  for (auto& f : b.context_fields) b.context_bits += f.bits;
  b.context_table_bits = std::uint64_t{ctx_entries} * b.context_bits;

  // One TCB cache line: the 128-byte TCB slot, the part of conn_id the set
  // index does not give (sets need not be a power of two: conn % sets picks
  // the set, so a set serves ceil(2^16 / sets) connections), valid, dirty,
  // and an LRU age rank among the ways.
  const std::uint32_t ways = tcb_ways ? tcb_ways : 1;
  const std::uint64_t sets = tcb_entries / ways ? tcb_entries / ways : 1;
  const std::uint64_t conns = std::uint64_t{1} << kConnIdBits;
  b.tcb_line_fields = {
      {"tcb", 8 * abi::kTcbBytes},
      {"tag", ceil_log2((conns + sets - 1) / sets)},
      {"valid", 1},
      {"dirty", 1},
      {"lru", ceil_log2(ways)},
  };
  for (auto& f : b.tcb_line_fields) b.tcb_line_bits += f.bits;
  b.tcb_cache_bits = std::uint64_t{tcb_entries} * b.tcb_line_bits;

  b.tx_buffer_bits = tx_buffer_bytes * 8;
  b.total_bits = b.context_table_bits + b.tcb_cache_bits + b.tx_buffer_bits;
  return b;
}

}  // namespace toevp::model
#undef TOEVP_FIELD_BITS
