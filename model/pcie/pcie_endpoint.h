// PcieEndpoint: the NIC's PCIe interface and the link to the host.
//
// Host -> NIC: MMIO from the host CPU (mmio_tgt) travels the downstream
// direction as a memory write/read TLP and reaches the register block
// (reg_init) when it arrives. NIC -> host: DMA from the NIC's engines
// (dma_tgt) becomes read requests (split at MRRS and 4 KiB boundaries, each
// holding one of `read_tags` tags until its last completion arrives) and
// posted writes (split at MPS); read data comes back as completions of at
// most MPS bytes on the downstream direction, after the completer latency.
// Each direction is a PcieLinkDirection whose occupancy limits bandwidth.
//
// TLM timing convention on dma_tgt (loosely timed with annotation): the
// `delay` passed in says when, from now, the request is ready; on return it
// says when the transfer is done: for a read, the last byte has arrived at
// the NIC; for a write, the last byte has landed in host memory (the write
// takes effect in HostMemory at that time). Read data is sampled when the
// request is booked (the host never changes a buffer the NIC is reading; see
// docs/timing.md, "PCIe").
//
// In fast mode (PcieParams::fast, sim.mode = fast) DMA reads and writes take
// their timing from PcieFastLink, a bandwidth budget per direction, instead
// of the byte-exact TLP schedule; data, address checks and the time a write
// takes effect in host memory work as in cycle mode. MMIO keeps the exact
// schedule (it is rare).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <queue>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "model/common/clock_domain.h"
#include "model/pcie/pcie_fast_link.h"
#include "model/pcie/pcie_link.h"

namespace toevp::model {

struct PcieParams {
  int gen = 4;
  int lanes = 16;
  unsigned mps = 256;
  unsigned mrrs = 512;
  unsigned tlp_overhead_bytes = 24;
  unsigned read_tags = 64;
  std::uint64_t completer_latency_cycles = 200;  // core cycles
  std::uint64_t mmio_latency_cycles = 50;        // core cycles
  std::uint64_t mmio_cycles = 2;                 // register block, core cycles
  std::uint64_t dma_window_base = 0;             // host memory range the NIC may DMA to
  std::uint64_t dma_window_size = 0;
  std::uint64_t msi_address = 0xFEE00000;        // 4-byte writes here are MSI-X messages
  bool fast = false;                             // sim.mode = fast: DMA timing from PcieFastLink
};

struct PcieStats {
  std::uint64_t read_bytes = 0;       // DMA payload read from host memory
  std::uint64_t write_bytes = 0;      // DMA payload written to host memory
  std::uint64_t read_requests = 0;    // MRd TLPs
  std::uint64_t write_tlps = 0;       // MWr TLPs from the NIC
  std::uint64_t mmio_writes = 0;
  std::uint64_t mmio_reads = 0;
  std::uint64_t dma_errors = 0;       // UR / address errors
  std::uint64_t tag_wait_fs = 0;      // time read requests waited for a free tag
  std::uint64_t tag_waits = 0;        // read requests that waited for a tag
  std::uint64_t tag_wait_max_fs = 0;  // longest wait of one request
  std::uint64_t tag_held_fs = 0;      // tag x time held, summed (mean tags in use = this / run time)
  std::uint32_t tags_peak = 0;        // most tags held at once
};

class PcieEndpoint : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(PcieEndpoint);
  tlm_utils::simple_target_socket<PcieEndpoint> mmio_tgt;                // from the host CPU
  tlm_utils::simple_initiator_socket<PcieEndpoint> reg_init;             // to the register block
  tlm_utils::multi_passthrough_target_socket<PcieEndpoint> dma_tgt;      // from NIC engines
  tlm_utils::simple_initiator_socket<PcieEndpoint> host_init;            // to host memory

  PcieEndpoint(sc_core::sc_module_name name, const PcieParams& params, const ClockDomain& core);

  const PcieParams& params() const { return params_; }
  const PcieStats& stats() const { return stats_; }
  const PcieLinkDirection& upstream() const { return up_; }
  const PcieLinkDirection& downstream() const { return down_; }
  // Link bytes sent per direction (TLP overhead included), in either mode.
  std::uint64_t upstream_link_bytes() const { return up_.bytes_sent() + (fast_ ? fast_->upstream_bytes() : 0); }
  std::uint64_t downstream_link_bytes() const {
    return down_.bytes_sent() + (fast_ ? fast_->downstream_bytes() : 0);
  }

  // The DMA window check (models an IOMMU translation check): true when
  // [addr, addr + len) is host memory the NIC may access.
  bool dma_window_contains(std::uint64_t addr, std::uint64_t len) const {
    if (addr == params_.msi_address && len == 4) return true;
    return len <= params_.dma_window_size && addr >= params_.dma_window_base &&
           addr - params_.dma_window_base <= params_.dma_window_size - len;
  }

  // Pure timing of a DMA read of `len` bytes at `addr` booked at `ready`
  // with an otherwise idle link, in fs: used by tests and docs to state the
  // latency formula. (Does not book anything.)
  std::uint64_t idle_read_latency_fs(std::uint64_t addr, std::uint64_t len) const;

 private:
  void mmio_b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  void dma_b_transport(int id, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  std::uint64_t book_read(std::uint64_t now_fs, std::uint64_t ready_fs, std::uint64_t addr, std::uint64_t len);
  std::uint64_t book_write(std::uint64_t now_fs, std::uint64_t ready_fs, std::uint64_t addr, std::uint64_t len);
  std::uint64_t fast_read(std::uint64_t ready_fs, std::uint64_t addr, std::uint64_t len);
  std::uint64_t fast_write(std::uint64_t ready_fs, std::uint64_t addr, std::uint64_t len);
  void schedule(std::uint64_t at_fs, std::function<void()> action);
  void run_due_actions();

  struct Timed {
    std::uint64_t at_fs;
    std::uint64_t order;
    std::function<void()> action;
    bool operator>(const Timed& o) const { return at_fs != o.at_fs ? at_fs > o.at_fs : order > o.order; }
  };

  PcieParams params_;
  const ClockDomain& core_;
  PcieLinkDirection up_;    // NIC -> host
  PcieLinkDirection down_;  // host -> NIC
  std::optional<PcieFastLink> fast_;  // fast mode: DMA reads and writes (MMIO stays on up_/down_)
  std::priority_queue<std::uint64_t, std::vector<std::uint64_t>, std::greater<>> tag_free_fs_;
  // When each held tag is released, for the peak: requests issue in time
  // order, so the tags held at an issue are those whose release is later.
  std::priority_queue<std::uint64_t, std::vector<std::uint64_t>, std::greater<>> tag_release_fs_;
  std::uint64_t last_issue_fs_ = 0;
  std::priority_queue<Timed, std::vector<Timed>, std::greater<Timed>> due_;
  std::uint64_t order_ = 0;
  sc_core::sc_event due_event_;
  PcieStats stats_;
};

}  // namespace toevp::model
