// HostCpu: the firmware's view of the host. See host_cpu.h.
#include "testbench/host_cpu.h"

#include <cstring>

namespace toevp::tb {

using sc_core::sc_time;

HostCpu::HostCpu(sc_core::sc_module_name name, const HostCpuParams& params, model::HostMemory& memory)
    : sc_module(name), mmio_init("mmio_init"), params_(params), memory_(memory),
      next_alloc_(memory.base() + params.alloc_base_offset), irq_arrivals_("irq_arrivals") {
  SC_THREAD(run_thread);
  SC_METHOD(irq_method);
  sensitive << irq_arrivals_;
  dont_initialize();
  memory_.set_interrupt_sink([this](std::uint64_t a, std::uint32_t d) { on_msi(a, d); });
}

namespace {
// Thrown by fail() so that the firmware does not run on after a fatal error.
struct FirmwareFailure {};
}  // namespace

void HostCpu::run_thread() {
  if (!program_) return;
  try {
    exit_code_ = program_(*this);
  } catch (const FirmwareFailure&) {
    exit_code_ = 2;
  }
  finished_ = true;
  finish_time_ = sc_core::sc_time_stamp();
  sc_core::sc_stop();
}

void HostCpu::on_msi(std::uint64_t /*address*/, std::uint32_t data) {
  if (data != params_.msi_data) return;  // not our vector
  // The interrupt reaches the waiting firmware after the host's interrupt
  // delivery latency (interrupt controller, context switch).
  irq_arrivals_.notify(sc_time(double(params_.interrupt_latency_ns), sc_core::SC_NS));
}

void HostCpu::irq_method() {
  ++pending_irqs_;
  ++interrupts_;
  irq_event_.notify();
}

void HostCpu::mmio_write32(std::uint32_t offset, std::uint32_t value) {
  tlm::tlm_generic_payload t;
  t.set_command(tlm::TLM_WRITE_COMMAND);
  t.set_address(offset);
  t.set_data_ptr(reinterpret_cast<unsigned char*>(&value));
  t.set_data_length(4);
  t.set_streaming_width(4);
  t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  sc_time delay = sc_core::SC_ZERO_TIME;
  mmio_init->b_transport(t, delay);
  if (delay > sc_core::SC_ZERO_TIME) sc_core::wait(delay);
}

std::uint32_t HostCpu::mmio_read32(std::uint32_t offset) {
  std::uint32_t value = 0;
  tlm::tlm_generic_payload t;
  t.set_command(tlm::TLM_READ_COMMAND);
  t.set_address(offset);
  t.set_data_ptr(reinterpret_cast<unsigned char*>(&value));
  t.set_data_length(4);
  t.set_streaming_width(4);
  t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  sc_time delay = sc_core::SC_ZERO_TIME;
  mmio_init->b_transport(t, delay);
  if (delay > sc_core::SC_ZERO_TIME) sc_core::wait(delay);
  return value;
}

std::uint8_t* HostCpu::checked(std::uint64_t addr, std::size_t len, const char* what) {
  std::uint8_t* p = memory_.host_ptr(addr, len);
  if (!p) {
    char msg[160];
    std::snprintf(msg, sizeof msg, "firmware %s of %zu bytes at 0x%llx is outside host memory", what, len,
                  static_cast<unsigned long long>(addr));
    fail(msg);
  }
  return p;
}

void HostCpu::mem_write(std::uint64_t bus_addr, const void* src, std::size_t len) {
  if (std::uint8_t* p = checked(bus_addr, len, "store")) std::memcpy(p, src, len);
}

void HostCpu::mem_read(std::uint64_t bus_addr, void* dst, std::size_t len) {
  if (std::uint8_t* p = checked(bus_addr, len, "load")) std::memcpy(dst, p, len);
  else std::memset(dst, 0, len);
}

std::uint64_t HostCpu::dma_alloc(std::size_t len, std::size_t align) {
  if (align == 0) align = 1;
  const std::uint64_t a = (next_alloc_ + align - 1) / align * align;
  if (!memory_.contains(a, len)) return 0;
  next_alloc_ = a + len;
  return a;
}

std::uint64_t HostCpu::now_ns() {
  return static_cast<std::uint64_t>(sc_core::sc_time_stamp().to_seconds() * 1e9 + 0.5);
}

bool HostCpu::wait_interrupt(std::uint64_t timeout_ns) {
  if (pending_irqs_ == 0) sc_core::wait(sc_time(double(timeout_ns), sc_core::SC_NS), irq_event_);
  if (pending_irqs_ == 0) return false;
  pending_irqs_ = 0;  // one wake-up covers every interrupt so far
  return true;
}

void HostCpu::delay_ns(std::uint64_t ns) { sc_core::wait(sc_time(double(ns), sc_core::SC_NS)); }

void HostCpu::fail(const char* message) {
  failure_ = message;
  SC_REPORT_WARNING("toevp/host_cpu", (std::string("firmware failed: ") + message).c_str());
  throw FirmwareFailure{};
}

}  // namespace toevp::tb
