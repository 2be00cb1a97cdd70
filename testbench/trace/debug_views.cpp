// DebugViews: attaching pcap, transaction trace and waveform. See debug_views.h.
#include "testbench/trace/debug_views.h"

#include <sstream>

#include "model/common/trace.h"

namespace toevp::tb {

DebugViews::DebugViews(Platform& platform, const DebugOptions& options) : options_(options) {
  const std::uint32_t mask = model::trace::parse_filter(options.trace_filter);  // checked even if unused
  if (!options.pcap.empty()) {
    pcap_ = std::make_unique<PcapWriter>(options.pcap);
    platform.link.add_observer(pcap_.get());
  }
  if (!options.trace.empty()) model::trace::open(options.trace, mask, platform.nic.core_clock().period_fs());
  if (!options.vcd.empty()) {
    wave_ = std::make_unique<model::wave::Waveform>("waveform", options.vcd);
    model::wave::g_wave = wave_.get();
  }
}

DebugViews::~DebugViews() {
  finish();
  if (model::wave::g_wave == wave_.get()) model::wave::g_wave = nullptr;
}

void DebugViews::finish() {
  if (finished_) return;
  finished_ = true;
  if (pcap_) pcap_->flush();
  if (!options_.trace.empty()) {
    trace_records_ = model::trace::records();
    model::trace::close();
  }
}

std::string DebugViews::summary() const {
  std::ostringstream os;
  if (pcap_)
    os << "  pcap     " << pcap_->frames_written() << " frames (" << pcap_->frames_from_a() << " from the NIC, "
       << pcap_->frames_from_b() << " from the partner) -> " << options_.pcap << "\n";
  if (!options_.trace.empty())
    os << "  trace    " << (finished_ ? trace_records_ : model::trace::records()) << " records ("
       << options_.trace_filter << ") -> " << options_.trace << "\n";
  if (wave_) os << "  vcd      " << wave_->changes() << " signal changes -> " << options_.vcd << "\n";
  return os.str();
}

}  // namespace toevp::tb
