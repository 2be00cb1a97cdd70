// HostMemory: the host's DRAM as a TLM-2.0 target, addressed by bus address.
// The NIC reaches it only through the PCIe endpoint (DMA); the host CPU reads
// and writes it directly (loads and stores). An access that falls outside
// [base, base + size) gets TLM_ADDRESS_ERROR_RESPONSE, which the PCIe model
// turns into an Unsupported Request completion. A write to the MSI address
// is not memory: it is an interrupt message, passed to the interrupt sink.
//
// Timing: zero here. The whole cost of a DMA (link serialization, completer
// latency) is computed by the PCIe endpoint (docs/timing.md, "PCIe").
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

namespace toevp::model {

class HostMemory : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<HostMemory> dma_tgt;

  HostMemory(sc_core::sc_module_name name, std::uint64_t base, std::uint64_t size, std::uint64_t msi_address);
  ~HostMemory() override;

  std::uint64_t base() const { return base_; }
  std::uint64_t size() const { return size_; }
  bool contains(std::uint64_t addr, std::uint64_t len) const {
    return len <= size_ && addr >= base_ && addr - base_ <= size_ - len;
  }

  // Direct access for the host CPU; nullptr when [addr, addr+len) is outside memory.
  std::uint8_t* host_ptr(std::uint64_t addr, std::uint64_t len) {
    return contains(addr, len) ? data_ + (addr - base_) : nullptr;
  }

  // Called (at the time the message lands) for each MSI-X write: (address, data).
  void set_interrupt_sink(std::function<void(std::uint64_t, std::uint32_t)> sink) { msi_sink_ = std::move(sink); }

  // Called after every DMA write lands (bus address, length): for tracing and
  // for tests that watch completions arrive.
  void set_write_observer(std::function<void(std::uint64_t, std::uint64_t)> obs) { write_observer_ = std::move(obs); }

  std::uint64_t dma_reads() const { return dma_reads_; }
  std::uint64_t dma_writes() const { return dma_writes_; }
  std::uint64_t address_errors() const { return address_errors_; }

 private:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  unsigned int transport_dbg(tlm::tlm_generic_payload& trans);

  std::uint64_t base_;
  std::uint64_t size_;
  std::uint64_t msi_address_;
  std::uint8_t* data_;
  std::function<void(std::uint64_t, std::uint32_t)> msi_sink_;
  std::function<void(std::uint64_t, std::uint64_t)> write_observer_;
  std::uint64_t dma_reads_ = 0, dma_writes_ = 0, address_errors_ = 0;
};

}  // namespace toevp::model
