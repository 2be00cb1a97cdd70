// CutThroughDma: for each frame to send, reads its payload from host memory
// over PCIe straight into the MAC's transmit buffer (claims 2, 3 and 13),
// computes the payload checksum as the bytes stream in, asks the header
// generator for the Ethernet/IPv4/TCP header, and hands the frame to MacTx.
//
// The transmit buffer is the only NIC storage payload passes through. A
// frame's space is reserved when its first read request is issued (PCIe
// requires a requester to have room for every completion it asked for) and
// freed when the frame's last bit has left the MAC; the buffer size bounds
// how far reads run ahead of the wire, and so must cover PCIe latency times
// line rate to reach line rate (docs/timing.md, "Cut-through DMA").
//
// In fast mode (sim.mode = fast) the protocol engine calls send_now() from
// its transmit loop instead of queueing descriptors for the engine thread:
// the same reads, checksum, header and MAC hand-off, with buffer waits
// computed on the caller's local time instead of waited for
// (docs/timing.md, "Fast mode").
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "model/common/clock_domain.h"
#include "model/hdrgen/header_generator.h"
#include "model/nic/mac_tx.h"
#include "model/nic/tx_descriptor.h"

namespace toevp::model {

struct CutThroughDmaParams {
  std::uint32_t tx_buffer_bytes = 16384;
  std::uint32_t datapath_bytes = 64;
  std::uint64_t csum_cycles = 1;   // fold the payload sum after the last beat
  std::uint64_t mac_cycles = 2;    // header's last beat to frame ready at the MAC
  std::uint32_t queue_depth = 4;   // descriptors waiting for the engine
  bool fast = false;               // sim.mode = fast: no waits, times computed (send_now)
};

// The transmit buffer of a design point that leaves nic.tx_buffer_bytes at 0
// (auto): enough whole largest frames to cover line rate x PCIe read latency
// (the bytes whose reads are in flight) plus two frames (one leaving the MAC,
// one whose completions are arriving), and never less than 16 KiB. A fixed
// 16 KiB holds only one 9014-byte jumbo frame, so reads stop while it is on
// the wire (37 Gb/s at MTU 9000); see docs/timing.md, "Cut-through DMA".
std::uint32_t auto_tx_buffer_bytes(double line_gbps, double read_latency_ns, std::uint32_t max_frame);

struct CutThroughDmaStats {
  std::uint64_t segments = 0;
  std::uint64_t raw_frames = 0;
  std::uint64_t payload_bytes = 0;
  std::uint64_t dma_errors = 0;
  std::uint32_t peak_payload_held = 0;   // payload bytes in the buffer at once (arrived, not sent)
  std::uint32_t peak_reserved = 0;       // bytes reserved at once
  double buffer_wait_ns = 0;             // time reads waited for buffer space
};

class CutThroughDma : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(CutThroughDma);
  tlm_utils::simple_initiator_socket<CutThroughDma> dma_init;

  CutThroughDma(sc_core::sc_module_name name, const CutThroughDmaParams& params, const ClockDomain& core,
                MacTx& mac, hdrgen::HeaderGenerator& header_gen);

  bool can_push() const { return queue_.size() < params_.queue_depth; }
  void push(TxDescriptor d);
  sc_core::sc_event& space_event() { return space_event_; }

  // Fast mode (TLM-2.0 loosely timed): sends `d` whose reads may be issued
  // at `at` (the caller's local time, at or after now) without waiting:
  // buffer space, payload reads, header and MAC times are computed, the
  // frame goes to the MAC at once. Returns when the engine took the frame
  // (its buffer space was free), at or after `at`.
  sc_core::sc_time send_now(TxDescriptor d, const sc_core::sc_time& at);

  // Called when a frame has been handed to the MAC: the descriptor, when its
  // first bit leaves and when its last bit leaves.
  void set_sent_callback(std::function<void(const TxDescriptor&, const sc_core::sc_time&, const sc_core::sc_time&)> f) {
    sent_ = std::move(f);
  }
  // Called when a descriptor's payload could not be read (DMA error).
  void set_error_callback(std::function<void(const TxDescriptor&)> f) { error_ = std::move(f); }

  const CutThroughDmaStats& stats() const { return stats_; }
  const CutThroughDmaParams& params() const { return params_; }
  hdrgen::HeaderGenerator& header_generator() { return header_gen_; }

 private:
  void engine_thread();
  // Reads [addr, addr+len) into dst with the requests ready at `at`;
  // done becomes at least the arrival of the last byte.
  bool read(std::uint64_t addr, std::uint32_t len, std::uint8_t* dst, const sc_core::sc_time& at,
            sc_core::sc_time& done);
  // Reserves buffer space for a frame whose reads are ready at `at`; returns
  // when they may be issued (cycle mode waits until then; it is now).
  sc_core::sc_time reserve(std::uint32_t bytes, const sc_core::sc_time& at);
  // Each returns when its reads were issued.
  sc_core::sc_time send_segment(TxDescriptor& d, const sc_core::sc_time& at);
  sc_core::sc_time send_raw(TxDescriptor& d, const sc_core::sc_time& at);
  void finish(const TxDescriptor& d, link::EthFrame frame, sc_core::sc_time ready, std::uint32_t payload,
              const sc_core::sc_time& data_done);

  CutThroughDmaParams params_;
  const ClockDomain& core_;
  MacTx& mac_;
  hdrgen::HeaderGenerator& header_gen_;
  std::deque<TxDescriptor> queue_;
  sc_core::sc_event pushed_event_, space_event_;
  struct Held {
    sc_core::sc_time leaves;
    std::uint32_t bytes;
  };
  std::deque<Held> reserved_;     // frames holding buffer space, in send order
  std::uint32_t reserved_bytes_ = 0;
  std::deque<Held> arrived_;      // payload that has arrived and not yet left
  std::uint32_t arrived_bytes_ = 0;
  sc_core::sc_time datapath_free_;
  CutThroughDmaStats stats_;
  std::function<void(const TxDescriptor&, const sc_core::sc_time&, const sc_core::sc_time&)> sent_;
  std::function<void(const TxDescriptor&)> error_;
};

}  // namespace toevp::model
