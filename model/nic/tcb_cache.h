// TcbCache: the NIC's on-chip cache of TCBs, backed by the TCB table in host
// memory (TCB_BASE + 128 * conn_id). Set-associative with LRU replacement.
// A miss costs a 128-byte DMA read of the slot; evicting a dirty entry costs
// a 128-byte DMA write of the live TCB into its slot first.
//
// What is modelled where: the live TCB of each offloaded connection is kept
// by the protocol engine (ConnState); this module decides which TCBs are on
// chip and moves the real 128 bytes between the NIC and host memory with the
// DMA cost of doing so (the write-back bytes come from the encoder the
// protocol engine installs). docs/timing.md, "TCB cache".
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "model/common/clock_domain.h"
#include "model/common/latency_histogram.h"

namespace toevp::model {

struct TcbCacheParams {
  std::uint32_t entries = 256;
  std::uint32_t ways = 4;
  std::uint64_t hit_cycles = 2;
};

struct TcbCacheStats {
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;
  std::uint64_t writebacks = 0;
  std::uint64_t dma_errors = 0;
  double miss_latency_sum_ns = 0;  // from the access being ready to the TCB on chip
  double miss_latency_max_ns = 0;
  std::uint32_t resident = 0;  // valid entries now
};

class TcbCache : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<TcbCache> dma_init;

  using Encoder = std::function<void(std::uint16_t conn, std::uint8_t* out128)>;

  TcbCache(sc_core::sc_module_name name, const TcbCacheParams& params, const ClockDomain& core);

  void set_encoder(Encoder e) { encoder_ = std::move(e); }
  void set_table(std::uint64_t base) { table_base_ = base; }

  // Reads slot `conn` from host memory into out128 (OFFLOAD_CONN: claim 1,
  // "copying a protocol control block ... to the offload engine") and makes
  // it resident. Returns false on a DMA error. `done` is when it is on chip.
  bool load(std::uint16_t conn, const sc_core::sc_time& ready, std::uint8_t* out128, sc_core::sc_time& done);

  // The TCB of `conn` is needed from `ready` on; returns when it is on chip.
  // `modify`: the access changes the TCB (the entry becomes dirty).
  sc_core::sc_time access(std::uint16_t conn, const sc_core::sc_time& ready, bool modify);

  // Writes the TCB back to its slot (if resident and dirty) and drops it.
  // Returns when the write has landed in host memory.
  sc_core::sc_time flush(std::uint16_t conn, const sc_core::sc_time& ready);

  const TcbCacheParams& params() const { return params_; }
  const TcbCacheStats& stats() const { return stats_; }
  // Fill time of every miss (ready to on chip), for its percentiles.
  const LatencyHistogram& miss_latency() const { return miss_latency_; }
  bool resident(std::uint16_t conn) const;

 private:
  struct Line {
    bool valid = false;
    bool dirty = false;
    std::uint16_t conn = 0;
    std::uint64_t last_use = 0;
  };
  Line* find(std::uint16_t conn);
  Line& victim(std::uint16_t conn);
  // DMA helpers; return the completion time (ready + annotated delay).
  sc_core::sc_time dma(tlm::tlm_command cmd, std::uint16_t conn, std::uint8_t* data,
                       const sc_core::sc_time& ready, bool& ok);
  sc_core::sc_time evict(Line& line, const sc_core::sc_time& ready);

  TcbCacheParams params_;
  const ClockDomain& core_;
  std::uint32_t sets_;
  std::vector<Line> lines_;
  std::uint64_t use_clock_ = 0;
  std::uint64_t table_base_ = 0;
  Encoder encoder_;
  TcbCacheStats stats_;
  LatencyHistogram miss_latency_;
};

}  // namespace toevp::model
