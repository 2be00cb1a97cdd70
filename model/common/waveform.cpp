// The waveform view: time-ordered signal changes into a VCD. See waveform.h.
#include "model/common/waveform.h"

#include "model/common/clock_domain.h"

namespace toevp::model::wave {

const char* signal_name(Signal s) {
  static constexpr const char* kNames[kSignalCount] = {"ctx_used",  "tcb_misses", "pcie_tags_in_use",
                                                       "sq_head",   "cq_tail",    "mac_busy"};
  return s < kSignalCount ? kNames[s] : "?";
}

Waveform::Waveform(sc_core::sc_module_name name, const std::string& path) : sc_module(name) {
  // sc_create_vcd_trace_file appends ".vcd" itself.
  std::string base = path;
  if (base.size() > 4 && base.compare(base.size() - 4, 4, ".vcd") == 0) base.resize(base.size() - 4);
  file_ = sc_core::sc_create_vcd_trace_file(base.c_str());
  // The kernel's resolution, so every change is at its exact time; without
  // the kernel's info line about it.
  const sc_core::sc_actions info = sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  file_->set_time_unit(1, sc_core::SC_FS);
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, info);
  for (unsigned i = 0; i < kSignalCount; ++i) {
    const char* n = signal_name(static_cast<Signal>(i));
    signals_.push_back(std::make_unique<sc_core::sc_signal<std::uint32_t>>(n));
    sc_core::sc_trace(file_, *signals_.back(), std::string("nic.") + n);
  }
  SC_METHOD(apply_method);
  sensitive << due_;
  dont_initialize();
}

Waveform::~Waveform() {
  if (g_wave == this) g_wave = nullptr;
  if (file_) sc_core::sc_close_vcd_trace_file(file_);
}

void Waveform::set_at(Signal s, const sc_core::sc_time& at, std::uint64_t value) {
  push(Change{ClockDomain::to_fs(at), order_++, s, true, static_cast<std::int64_t>(value)});
}

void Waveform::add_at(Signal s, const sc_core::sc_time& at, std::int64_t delta) {
  push(Change{ClockDomain::to_fs(at), order_++, s, false, delta});
}

void Waveform::push(Change c) {
  const std::uint64_t now = ClockDomain::to_fs(sc_core::sc_time_stamp());
  if (c.at_fs < now) c.at_fs = now;
  const bool earliest = pending_.empty() || c.at_fs < pending_.top().at_fs;
  pending_.push(c);
  if (earliest) due_.notify(ClockDomain::fs(c.at_fs - now));
}

void Waveform::apply_method() {
  const std::uint64_t now = ClockDomain::to_fs(sc_core::sc_time_stamp());
  while (!pending_.empty() && pending_.top().at_fs <= now) {
    const Change c = pending_.top();
    pending_.pop();
    std::uint64_t& v = value_[c.signal];
    v = c.absolute ? static_cast<std::uint64_t>(c.amount) : v + static_cast<std::uint64_t>(c.amount);
    // The last write of a time step wins, which is the value after every
    // change due now.
    signals_[c.signal]->write(static_cast<std::uint32_t>(v));
    ++changes_;
  }
  if (!pending_.empty()) due_.notify(ClockDomain::fs(pending_.top().at_fs - now));
}

}  // namespace toevp::model::wave
