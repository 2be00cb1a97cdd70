// Registers: table built from the generated register map. See registers.h.
#include "model/nic/registers.h"

#include <cstring>

#include "model/common/trace.h"

namespace toevp::model {

namespace {
struct RegInfo {
  const char* name;
  std::uint32_t offset;
};
constexpr RegInfo kRegNames[] = {
#define TOEVP_REG(NAME, OFFSET, ACCESS, RESET, HW, DOORBELL) {#NAME, OFFSET},
#include "model/abi/toevp_regs_table.inc"
#undef TOEVP_REG
};
}  // namespace

Registers::Registers(sc_core::sc_module_name name) : sc_module(name), mmio_tgt("mmio_tgt") {
#define RO Access::kRO
#define RW Access::kRW
#define RW1C Access::kRW1C
#define TOEVP_REG(NAME, OFFSET, ACCESS, RESET, HW, DOORBELL) \
  access_[(OFFSET) / 4] = ACCESS;                             \
  value_[(OFFSET) / 4] = RESET;
#include "model/abi/toevp_regs_table.inc"
#undef TOEVP_REG
#undef RO
#undef RW
#undef RW1C
  mmio_tgt.register_b_transport(this, &Registers::b_transport);
}

const char* Registers::name_of(std::uint32_t offset) {
  for (auto& r : kRegNames)
    if (r.offset == offset) return r.name;
  return "?";
}

std::uint32_t Registers::read(std::uint32_t offset) const {
  const unsigned w = offset / 4;
  if (reader_[w]) return reader_[w]();
  return value_[w];
}

void Registers::raise_error(std::uint32_t bits, const std::string& why) {
  value_[TOEVP_REG_ERR_STATUS / 4] |= bits;
  SC_REPORT_WARNING("toevp/registers", why.c_str());
}

void Registers::mmio_error(const std::string& why) {
  ++mmio_errors_;
  raise_error(TOEVP_ERR_STATUS_MMIO_MASK, "MMIO error: " + why);
}

void Registers::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& /*delay*/) {
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
  const std::uint64_t offset = trans.get_address();
  const unsigned len = trans.get_data_length();
  unsigned char* data = trans.get_data_ptr();
  if (len != 4 || offset % 4 != 0 || offset >= kWords * 4 || access_[offset / 4] == Access::kNone) {
    mmio_error("access of " + std::to_string(len) + " bytes at BAR0 offset 0x" +
               [&] { char b[16]; std::snprintf(b, sizeof b, "%llx", (unsigned long long)offset); return std::string(b); }() +
               " hits no 32-bit register; ignored");
    if (trans.is_read()) std::memset(data, 0, len);
    return;
  }
  const unsigned w = static_cast<unsigned>(offset / 4);
  if (trans.is_read()) {
    const std::uint32_t v = read(static_cast<std::uint32_t>(offset));
    std::memcpy(data, &v, 4);
    TOEVP_TRACE(trace::kMmio, name(), "rd %-20s (0x%03llx) -> 0x%08x", name_of(static_cast<std::uint32_t>(offset)), static_cast<unsigned long long>(offset), v);
    return;
  }
  std::uint32_t v = 0;
  std::memcpy(&v, data, 4);
  TOEVP_TRACE(trace::kMmio, name(), "wr %-20s (0x%03llx) <- 0x%08x", name_of(static_cast<std::uint32_t>(offset)), static_cast<unsigned long long>(offset), v);
  const std::uint32_t old = value_[w];
  switch (access_[w]) {
    case Access::kRO:
      mmio_error(std::string("write to read-only register ") + name_of(static_cast<std::uint32_t>(offset)) + "; ignored");
      return;
    case Access::kRW1C: value_[w] &= ~v; break;
    default: value_[w] = v; break;
  }
  if (hook_[w] && !hook_[w](v)) value_[w] = old;
}

}  // namespace toevp::model
