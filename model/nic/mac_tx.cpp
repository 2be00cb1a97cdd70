// MacTx: wire booking and hand-off to the link. See mac_tx.h.
#include "model/nic/mac_tx.h"

#include "model/common/waveform.h"

namespace toevp::model {

MacTx::MacTx(sc_core::sc_module_name name, link::EthLink& link, std::uint64_t rate_mbps, unsigned lane_bytes)
    : sc_module(name), link_(link), serializer_(rate_mbps, lane_bytes) {}

link::MacTiming MacTx::transmit(link::EthFrame frame, const sc_core::sc_time& ready) {
  const link::MacTiming t = serializer_.transmit(frame.data.size(), ClockDomain::to_fs(ready));
  if (stats_.frames == 0) stats_.first_start = ClockDomain::fs(t.start_fs);
  ++stats_.frames;
  stats_.frame_bytes += frame.data.size();
  stats_.last_end = ClockDomain::fs(t.end_fs);
  frame.id = next_id_++;
  wave::span(wave::kMacBusy, ClockDomain::fs(t.start_fs), ClockDomain::fs(t.end_fs));
  link_.send(link::EthLink::kA, std::move(frame), ClockDomain::fs(t.start_fs), ClockDomain::fs(t.end_fs));
  return t;
}

}  // namespace toevp::model
