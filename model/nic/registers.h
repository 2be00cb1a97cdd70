// Registers: BAR0 of the NIC, a TLM-2.0 target reached from the PCIe
// endpoint. The register table (offsets, access, reset values) is generated
// from model/abi/regmap.json (toevp_regs_table.inc), so no offset is typed
// here. Hardware-driven registers read through callbacks the NIC's modules
// install; writes to doorbells and control registers call their hooks.
//
// Misuse behaves as on silicon: an access to no register, of another width
// than 32 bits, or a write to a read-only register is ignored (reads return
// 0), sets ERR_STATUS.MMIO, counts in STAT_MMIO_ERRORS and logs a warning.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "model/abi/toevp_regs.h"

namespace toevp::model {

class Registers : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<Registers> mmio_tgt;

  explicit Registers(sc_core::sc_module_name name);

  static constexpr unsigned kWords = 1024;  // 4 KiB BAR

  // Value as firmware would read it (hardware registers through their reader).
  std::uint32_t read(std::uint32_t offset) const;
  // Plain storage access for the NIC (no hooks, no access checks).
  std::uint32_t stored(std::uint32_t offset) const { return value_[offset / 4]; }
  void store(std::uint32_t offset, std::uint32_t v) { value_[offset / 4] = v; }

  void set_reader(std::uint32_t offset, std::function<std::uint32_t()> reader) { reader_[offset / 4] = std::move(reader); }
  // A write hook sees the new value; returning false rejects the write: the
  // register keeps its old value (a doorbell beyond the ring is ignored).
  void on_write(std::uint32_t offset, std::function<bool(std::uint32_t)> hook) { hook_[offset / 4] = std::move(hook); }

  // Sets bits of ERR_STATUS (sticky until firmware writes 1 to clear).
  void raise_error(std::uint32_t bits, const std::string& why);

  std::uint64_t mmio_errors() const { return mmio_errors_; }
  static const char* name_of(std::uint32_t offset);

 private:
  enum class Access : std::uint8_t { kNone, kRO, kRW, kRW1C };
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  void mmio_error(const std::string& why);

  std::array<std::uint32_t, kWords> value_{};
  std::array<Access, kWords> access_{};
  std::array<std::function<std::uint32_t()>, kWords> reader_{};
  std::array<std::function<bool(std::uint32_t)>, kWords> hook_{};
  std::uint64_t mmio_errors_ = 0;
};

}  // namespace toevp::model
