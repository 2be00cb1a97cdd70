// ProtocolEngine in fast mode (sim.mode = fast, docs/timing.md "Fast mode"):
// TLM-2.0 loosely timed with temporal decoupling. The segment decisions,
// ACK processing, timers and completions are the code of cycle mode; what
// changes is when it runs:
//
//  - The transmit loop builds a segment and hands it to the DMA engine's
//    send_now(), which reads the payload, sums it, formats the header and
//    queues the frame at the MAC in the same call. The loop then carries on
//    in its own local time (a tlm_quantumkeeper) and yields to the kernel
//    only when that runs a global quantum ahead or nothing is left to send:
//    one activation per burst of frames instead of several per frame.
//  - A segment from the peer is processed in the activation that delivers
//    it, at the time its processing would end (local time), instead of
//    waking a receive thread.
//
// now() (the kernel's time plus local_) is what the shared code reads, so
// timestamps, timers and completions carry the local time. local_ is zero
// whenever another process can run: the loop clears it before it waits.
#include <algorithm>

#include "model/nic/protocol_engine.h"

namespace toevp::model {

using sc_core::sc_time;

void ProtocolEngine::sync_tx() {
  local_ = sc_core::SC_ZERO_TIME;
  tx_qk_.sync();  // waits out the local time, then starts a new quantum
}

void ProtocolEngine::tx_loop_fast() {
  tx_qk_.reset();
  sc_time busy_until = sc_core::SC_ZERO_TIME;
  for (;;) {
    if (ready_.empty()) {
      // Synchronize before waiting (TLM-2.0 LT rule): whoever makes a
      // connection ready must see the time this loop has reached.
      sync_tx();
      while (ready_.empty()) sc_core::wait(ready_event_);
    }
    std::uint16_t conn = 0;
    TxDescriptor d;
    if (!next_segment(conn, d)) continue;
    ConnState& c = conns_.at(conn);
    // The same initiation interval as cycle mode (TCB access, pe.tx_cycles);
    // the DMA engine takes the segment when its transmit buffer has room.
    const sc_time start = std::max(core_.align_up(now()), busy_until);
    busy_until = tcb_cache_.access(conn, start, true) + core_.cycles(params_.tx_cycles);
    const sc_time taken = dma_.send_now(std::move(d), busy_until);
    tx_qk_.set(taken - sc_core::sc_time_stamp());
    local_ = tx_qk_.get_local_time();
    start_rto_after_handoff(conn, c);
    make_ready(conn);  // round robin, as in cycle mode
    finish_if_closed(conn, c);
    if (tx_qk_.need_sync()) sync_tx();
  }
}

void ProtocolEngine::receive_now(std::uint16_t conn, const RxSegment& seg, const sc_time& ready) {
  const sc_time start = std::max({core_.align_up(ready), rx_busy_until_, core_.align_up(sc_core::sc_time_stamp())});
  rx_busy_until_ = tcb_cache_.access(conn, start, true) + core_.cycles(params_.rx_cycles);
  auto it = conns_.find(conn);
  if (it == conns_.end() || !it->second.offloaded) return;
  ++stats_.rx_segments;
  local_ = rx_busy_until_ - sc_core::sc_time_stamp();
  process(conn, it->second, seg);
  local_ = sc_core::SC_ZERO_TIME;
}

}  // namespace toevp::model
