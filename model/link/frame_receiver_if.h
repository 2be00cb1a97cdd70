// The SystemC interface through which frames are handed from a link to the
// MAC or link partner at its far end. A link calls receive_frame() at the
// simulated time the frame's last bit arrives at the receiver.
#pragma once

#include <systemc>

#include "model/link/eth_frame.h"

namespace toevp::link {

class FrameReceiverIf : public virtual sc_core::sc_interface {
 public:
  virtual void receive_frame(const EthFrame& frame) = 0;
};

}  // namespace toevp::link
