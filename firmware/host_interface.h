// What firmware may touch: the NIC's BAR0 registers through MMIO, host memory
// through the CPU's loads and stores, a clock, and interrupts. The platform's
// HostCpu implements this interface inside the simulation; a port to real
// hardware would implement it over a mapped BAR and pinned memory. Firmware
// includes nothing else of the platform (DESIGN.md, "Dependencies point one
// way").
#pragma once

#include <cstddef>
#include <cstdint>

namespace toevp::fw {

class HostInterface {
 public:
  virtual ~HostInterface() = default;

  // 32-bit MMIO to BAR0 at byte offset `offset`. Writes are posted (the call
  // returns once the CPU has issued the write); reads wait for the value.
  virtual void mmio_write32(std::uint32_t offset, std::uint32_t value) = 0;
  virtual std::uint32_t mmio_read32(std::uint32_t offset) = 0;

  // Host memory as the CPU sees it, addressed by the bus address the NIC
  // uses for DMA (the platform maps host memory 1:1).
  virtual void mem_write(std::uint64_t bus_addr, const void* src, std::size_t len) = 0;
  virtual void mem_read(std::uint64_t bus_addr, void* dst, std::size_t len) = 0;

  // Allocates `len` bytes of DMA-able host memory aligned to `align` (a power
  // of two); returns its bus address, or 0 when memory is exhausted.
  virtual std::uint64_t dma_alloc(std::size_t len, std::size_t align) = 0;

  // Bus address and data the NIC's MSI-X message must be programmed with so
  // that it reaches this CPU.
  virtual std::uint64_t msi_address() const = 0;
  virtual std::uint32_t msi_data() const = 0;

  // Time since reset in nanoseconds (a timestamp counter).
  virtual std::uint64_t now_ns() = 0;

  // Blocks until an MSI-X message arrives or `timeout_ns` passes; returns
  // true for an interrupt. Interrupts that arrived since the last call are
  // not lost: the call then returns true at once.
  virtual bool wait_interrupt(std::uint64_t timeout_ns) = 0;

  // Lets `ns` nanoseconds of CPU time pass (models firmware work or a poll
  // interval).
  virtual void delay_ns(std::uint64_t ns) = 0;

  // Reports a fatal firmware error (an invariant the firmware itself checks
  // failed); the platform stops with a message.
  // Does not return.
  [[noreturn]] virtual void fail(const char* message) = 0;
};

}  // namespace toevp::fw
