// Port-level stepping of the Verilated header generator; see the header.
#include "testbench/rtl/rtl_header_gen_driver.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "Vtoe_header_gen.h"
#include "verilated.h"
#if TOEVP_RTL_SAVABLE
#include "verilated_save.h"
#endif
#if VM_TRACE
#include "verilated_fst_c.h"
#endif

namespace toevp::tb {
namespace {
#if TOEVP_RTL_SAVABLE

// Verilator --savable streams the model through VerilatedSerialize; these
// two keep the stream in memory instead of a file. The state is far smaller
// than Verilator's 256 KiB buffer, so it never needs a mid-stream flush/fill.
class MemorySerialize final : public VerilatedSerialize {
 public:
  void begin() { m_cp = m_bufp; }
  void end(std::vector<std::uint8_t>& out) {
    flush();
    out.assign(m_bufp, m_cp);
  }
  void flush() override {
    if (m_cp > m_bufp + bufferSize() - bufferInsertSize())
      throw std::length_error("RTL snapshot larger than the serialization buffer");
  }
};

class MemoryDeserialize final : public VerilatedDeserialize {
 public:
  void begin(const std::vector<std::uint8_t>& in) {
    if (in.size() > bufferSize()) throw std::length_error("RTL snapshot too large");
    std::memcpy(m_bufp, in.data(), in.size());
    m_cp = m_bufp;
    m_endp = m_bufp + in.size();
  }
  void fill() override {}  // the whole snapshot is already in the buffer
};
#else
// The coverage build: Verilator cannot combine --coverage with --savable.
struct MemorySerialize {};
struct MemoryDeserialize {};
#endif

}  // namespace

struct RtlHeaderGenDriver::Impl {
  explicit Impl(bool trace) {
    if (trace) ctx.traceEverOn(true);
    top = std::make_unique<Vtoe_header_gen>(&ctx, "toe_header_gen");
  }
  ~Impl() { top->final(); }

  VerilatedContext ctx;
  std::unique_ptr<Vtoe_header_gen> top;
  mutable MemorySerialize saver;
  MemoryDeserialize loader;
#if VM_TRACE
  std::unique_ptr<VerilatedFstC> fst;
#endif
};

RtlHeaderGenDriver::RtlHeaderGenDriver(const RtlDriverOptions& options)
    : impl_(std::make_unique<Impl>(!options.fst_path.empty())), period_ps_(options.period_ps) {
  Vtoe_header_gen& t = *impl_->top;
  t.hdr_ready_i = 1;
  t.rst_ni = 0;
  for (int i = 0; i < 2; ++i) {
    t.clk_i = 0;
    t.eval();
    t.clk_i = 1;
    t.eval();
  }
  t.rst_ni = 1;
  if (options.fst_path.empty()) return;
#if VM_TRACE
  impl_->fst = std::make_unique<VerilatedFstC>();
  t.trace(impl_->fst.get(), 99);
  impl_->fst->open(options.fst_path.c_str());
#else
  throw std::runtime_error("this RTL build has no waveform support");
#endif
}

RtlHeaderGenDriver::~RtlHeaderGenDriver() {
#if VM_TRACE
  if (impl_->fst) impl_->fst->close();
#endif
#if VM_COVERAGE
  if (const char* dir = std::getenv("TOEVP_RTL_COVERAGE")) {
    static std::atomic<int> instance{0};
    const std::string path = std::string(dir) + "/toe_header_gen_" + std::to_string(getpid()) +
                             "_" + std::to_string(instance++) + ".dat";
    impl_->ctx.coveragep()->write(path.c_str());
  }
#endif
}

bool RtlHeaderGenDriver::coverage_build() { return VM_COVERAGE; }

bool RtlHeaderGenDriver::tracing() const {
#if VM_TRACE
  return impl_->fst != nullptr;
#else
  return false;
#endif
}

CycleOutputs RtlHeaderGenDriver::outputs() const {
  const Vtoe_header_gen& t = *impl_->top;
  CycleOutputs out;
  out.req_ready = t.req_ready_o;
  out.hdr_valid = t.hdr_valid_o;
  out.hdr_data = t.hdr_data_o;
  out.hdr_keep = t.hdr_keep_o;
  out.hdr_last = t.hdr_last_o;
  return out;
}

void RtlHeaderGenDriver::clock(const CycleInputs& in) {
  Vtoe_header_gen& t = *impl_->top;
  t.rst_ni = in.rst_n;
  t.req_valid_i = in.req_valid;
  t.hdr_ready_i = in.hdr_ready;
  // While req_valid_i is low the fields keep their last values, as an
  // undriven bus register would; the RTL reads them only at the handshake.
  if (in.req_valid) {
    const hdrgen::HeaderRequest& r = in.req;
    t.req_dst_mac_i = r.dst_mac;
    t.req_src_mac_i = r.src_mac;
    t.req_src_ip_i = r.src_ip;
    t.req_dst_ip_i = r.dst_ip;
    t.req_ip_id_i = r.ip_id;
    t.req_ttl_i = r.ttl;
    t.req_src_port_i = r.src_port;
    t.req_dst_port_i = r.dst_port;
    t.req_seq_i = r.seq;
    t.req_ack_i = r.ack;
    t.req_flags_i = r.flags;
    t.req_window_i = r.window;
    t.req_payload_len_i = r.payload_len;
    t.req_payload_csum_i = r.payload_csum;
    t.req_ts_en_i = r.ts_en;
    t.req_tsval_i = r.tsval;
    t.req_tsecr_i = r.tsecr;
  }
  // Waveform time cycle * period is the start of the cycle; the rising edge
  // that ends it is drawn half a period later.
  t.clk_i = 0;
  t.eval();
#if VM_TRACE
  if (impl_->fst && trace_enabled_) impl_->fst->dump(cycle_ * period_ps_);
#endif
  t.clk_i = 1;
  t.eval();
#if VM_TRACE
  if (impl_->fst && trace_enabled_) impl_->fst->dump(cycle_ * period_ps_ + period_ps_ / 2);
#endif
  ++cycle_;
}

void RtlHeaderGenDriver::skip_idle(std::uint64_t cycles) { cycle_ += cycles; }

#if TOEVP_RTL_SAVABLE
void RtlHeaderGenDriver::save(Snapshot& snapshot) const {
  impl_->saver.begin();
  impl_->saver << *impl_->top;
  impl_->saver.end(snapshot.state);
  snapshot.cycle = cycle_;
}

void RtlHeaderGenDriver::restore(const Snapshot& snapshot) {
  impl_->loader.begin(snapshot.state);
  impl_->loader >> *impl_->top;
  cycle_ = snapshot.cycle;
}
#else
void RtlHeaderGenDriver::save(Snapshot&) const {
  throw std::logic_error("the coverage build of the RTL cannot save its state");
}

void RtlHeaderGenDriver::restore(const Snapshot&) {
  throw std::logic_error("the coverage build of the RTL cannot restore its state");
}
#endif

}  // namespace toevp::tb
