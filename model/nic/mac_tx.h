// MacTx: the NIC's transmit MAC. Serializes frames at line rate with
// preamble, FCS, minimum-size padding and inter-frame gap (MacSerializer, in
// the MAC clock domain) and hands each frame to the link with the times its
// first and last bits leave. Frames are sent in the order they are handed in.
#pragma once

#include <cstdint>

#include <systemc>

#include "model/common/clock_domain.h"
#include "model/link/eth_link.h"
#include "model/link/mac_serializer.h"

namespace toevp::model {

struct MacTxStats {
  std::uint64_t frames = 0;
  std::uint64_t frame_bytes = 0;  // without preamble/FCS
  sc_core::sc_time first_start;   // first bit of the first frame
  sc_core::sc_time last_end;      // last bit of the last frame
};

class MacTx : public sc_core::sc_module {
 public:
  MacTx(sc_core::sc_module_name name, link::EthLink& link, std::uint64_t rate_mbps, unsigned lane_bytes);

  // Sends `frame` no earlier than `ready`; returns when it starts and ends.
  link::MacTiming transmit(link::EthFrame frame, const sc_core::sc_time& ready);

  const link::MacSerializer& serializer() const { return serializer_; }
  const MacTxStats& stats() const { return stats_; }

 private:
  link::EthLink& link_;
  link::MacSerializer serializer_;
  MacTxStats stats_;
  std::uint64_t next_id_ = 0;
};

}  // namespace toevp::model
