// HostCpu: the host processor of the platform. It runs one firmware program
// in a SystemC thread and gives it the fw::HostInterface: MMIO to the NIC's
// BAR0 over PCIe (TLM initiator socket), loads and stores to host memory, a
// bump allocator for DMA buffers, a timestamp counter and MSI-X interrupts.
// A store or load outside host memory is a firmware bug: it stops the run
// with a message naming the address.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "firmware/host_interface.h"
#include "model/host/host_memory.h"

namespace toevp::tb {

struct HostCpuParams {
  std::uint64_t msi_address = 0xFEE00000;
  std::uint32_t msi_data = 0x41;
  std::uint64_t interrupt_latency_ns = 1000;
  std::uint64_t alloc_base_offset = 0x10000;  // keep the first 64 KiB of host memory unused
};

class HostCpu : public sc_core::sc_module, public fw::HostInterface {
 public:
  SC_HAS_PROCESS(HostCpu);
  tlm_utils::simple_initiator_socket<HostCpu> mmio_init;

  using Program = std::function<int(fw::HostInterface&)>;

  HostCpu(sc_core::sc_module_name name, const HostCpuParams& params, model::HostMemory& memory);

  void set_program(Program p) { program_ = std::move(p); }
  bool finished() const { return finished_; }
  int exit_code() const { return exit_code_; }
  const std::string& failure() const { return failure_; }
  sc_core::sc_time finish_time() const { return finish_time_; }
  std::uint64_t interrupts() const { return interrupts_; }
  std::uint64_t allocated_bytes() const { return next_alloc_ - memory_.base(); }

  // Called by HostMemory when an MSI-X write lands.
  void on_msi(std::uint64_t address, std::uint32_t data);

  // fw::HostInterface
  void mmio_write32(std::uint32_t offset, std::uint32_t value) override;
  std::uint32_t mmio_read32(std::uint32_t offset) override;
  void mem_write(std::uint64_t bus_addr, const void* src, std::size_t len) override;
  void mem_read(std::uint64_t bus_addr, void* dst, std::size_t len) override;
  std::uint64_t dma_alloc(std::size_t len, std::size_t align) override;
  std::uint64_t msi_address() const override { return params_.msi_address; }
  std::uint32_t msi_data() const override { return params_.msi_data; }
  std::uint64_t now_ns() override;
  bool wait_interrupt(std::uint64_t timeout_ns) override;
  void delay_ns(std::uint64_t ns) override;
  [[noreturn]] void fail(const char* message) override;

 private:
  void run_thread();
  void irq_method();
  std::uint8_t* checked(std::uint64_t addr, std::size_t len, const char* what);

  HostCpuParams params_;
  model::HostMemory& memory_;
  Program program_;
  std::uint64_t next_alloc_;
  bool finished_ = false;
  int exit_code_ = -1;
  std::string failure_;
  sc_core::sc_time finish_time_;
  std::uint64_t pending_irqs_ = 0;
  std::uint64_t interrupts_ = 0;
  sc_core::sc_event_queue irq_arrivals_;
  sc_core::sc_event irq_event_;
};

}  // namespace toevp::tb
