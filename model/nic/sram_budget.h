// SramBudget: the on-chip SRAM a design point needs for the NIC's sized
// structures, field by field, so an architect can price a table size:
//
//   message-context table  entries x bits per context
//   TCB cache              entries x (TCB bits + tag + valid + dirty + LRU)
//   MAC transmit buffer    bytes x 8
//
// The widths come from the structures themselves (MessageContext's field
// types, the ABI's TCB size and conn_id width), so a widened field changes
// the figure; fields that only the simulation needs (the allocation time kept
// for statistics) are not hardware and are left out. The breakdown and the
// formula are documented in docs/results.md, "SRAM"; tests/stats checks the
// two agree.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace toevp::model {

struct SramField {
  std::string name;
  std::uint32_t bits;
};

struct SramBudget {
  std::vector<SramField> context_fields;  // one message context
  std::uint32_t context_bits = 0;         // sum of context_fields
  std::uint64_t context_table_bits = 0;   // entries x context_bits
  std::vector<SramField> tcb_line_fields; // one TCB cache line
  std::uint32_t tcb_line_bits = 0;
  std::uint64_t tcb_cache_bits = 0;       // entries x tcb_line_bits
  std::uint64_t tx_buffer_bits = 0;
  std::uint64_t total_bits = 0;
};

// Smallest b with 2^b >= n (0 for n <= 1).
std::uint32_t ceil_log2(std::uint64_t n);

SramBudget sram_budget(std::uint32_t ctx_entries, std::uint32_t tcb_entries, std::uint32_t tcb_ways,
                       std::uint64_t tx_buffer_bytes);

}  // namespace toevp::model
