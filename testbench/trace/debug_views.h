// DebugViews: the firmware developer's three views of a run, attached to a
// Platform after it is elaborated and before it runs, each off unless asked
// for (`toevp run --pcap FILE --trace FILE --trace-filter LIST --vcd FILE`):
//
//   pcap   every frame on the link, both directions (testbench/pcap_writer.h)
//   trace  NIC transactions with core-cycle stamps (model/common/trace.h)
//   vcd    waveforms of NIC state signals for GTKWave (model/common/waveform.h)
//
// finish() (or the destructor) writes out what is buffered and closes the
// files; a summary line per view says where it went and how much it holds.
#pragma once

#include <memory>
#include <string>

#include "model/common/waveform.h"
#include "testbench/pcap_writer.h"
#include "testbench/platform.h"

namespace toevp::tb {

struct DebugOptions {
  std::string pcap;                  // "" = off
  std::string trace;                 // "" = off
  std::string trace_filter = "all";  // categories, comma-separated
  std::string vcd;                   // "" = off
  bool any() const { return !pcap.empty() || !trace.empty() || !vcd.empty(); }
};

class DebugViews {
 public:
  // Throws std::invalid_argument (bad filter) or std::runtime_error (a file
  // cannot be created).
  DebugViews(Platform& platform, const DebugOptions& options);
  ~DebugViews();
  DebugViews(const DebugViews&) = delete;
  DebugViews& operator=(const DebugViews&) = delete;

  void finish();
  // One line per active view, e.g. "pcap: 1234 frames (1000 NIC, 234 peer) -> run.pcap".
  std::string summary() const;

  const PcapWriter* pcap() const { return pcap_.get(); }
  const model::wave::Waveform* waveform() const { return wave_.get(); }

 private:
  DebugOptions options_;
  std::unique_ptr<PcapWriter> pcap_;
  std::unique_ptr<model::wave::Waveform> wave_;
  std::uint64_t trace_records_ = 0;
  bool finished_ = false;
};

}  // namespace toevp::tb
