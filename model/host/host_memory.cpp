// HostMemory: bounds-checked DRAM and the MSI decode. See host_memory.h.
#include "model/host/host_memory.h"

#include <cstdlib>
#include <cstring>

namespace toevp::model {

HostMemory::HostMemory(sc_core::sc_module_name name, std::uint64_t base, std::uint64_t size,
                       std::uint64_t msi_address)
    : sc_module(name), dma_tgt("dma_tgt"), base_(base), size_(size), msi_address_(msi_address) {
  // calloc: the kernel hands out zero pages lazily, so a large host memory
  // costs only the pages the simulation touches.
  data_ = static_cast<std::uint8_t*>(std::calloc(size, 1));
  if (!data_) SC_REPORT_FATAL("toevp/host_memory", "cannot allocate host memory");
  dma_tgt.register_b_transport(this, &HostMemory::b_transport);
  dma_tgt.register_transport_dbg(this, &HostMemory::transport_dbg);
}

HostMemory::~HostMemory() { std::free(data_); }

void HostMemory::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& /*delay*/) {
  const std::uint64_t addr = trans.get_address();
  const unsigned len = trans.get_data_length();
  if (trans.is_write() && addr == msi_address_ && len == 4) {
    std::uint32_t data = 0;
    std::memcpy(&data, trans.get_data_ptr(), 4);
    if (msi_sink_) msi_sink_(addr, data);
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
    return;
  }
  if (trans.get_byte_enable_ptr() || trans.get_streaming_width() < len) {
    trans.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    return;
  }
  std::uint8_t* p = host_ptr(addr, len);
  if (!p) {
    ++address_errors_;
    trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  if (trans.is_read()) {
    std::memcpy(trans.get_data_ptr(), p, len);
    ++dma_reads_;
  } else if (trans.is_write()) {
    std::memcpy(p, trans.get_data_ptr(), len);
    ++dma_writes_;
    if (write_observer_) write_observer_(addr, len);
  }
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

unsigned int HostMemory::transport_dbg(tlm::tlm_generic_payload& trans) {
  std::uint8_t* p = host_ptr(trans.get_address(), trans.get_data_length());
  if (!p) return 0;
  if (trans.is_read()) std::memcpy(trans.get_data_ptr(), p, trans.get_data_length());
  else if (trans.is_write()) std::memcpy(p, trans.get_data_ptr(), trans.get_data_length());
  return trans.get_data_length();
}

}  // namespace toevp::model
