// MacRx: the receive MAC and parser. Drops frames with a bad FCS, parses
// Ethernet/IPv4/TCP with checksum checks (model/proto/tcp_frame.h), and
// demultiplexes: a segment of an offloaded connection goes to the protocol
// engine (with its payload, which the engine writes into POST_RECV buffers
// through this module's DMA socket); any other frame (ARP, a SYN-ACK during the handshake, traffic for
// connections firmware keeps) is DMA-written into a RAW receive buffer that
// firmware posted and reported with a RAW_RX completion. Hostile or corrupt
// frames are counted and dropped, never passed on. docs/timing.md, "MAC receive".
#pragma once

#include <cstdint>
#include <deque>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "model/common/clock_domain.h"
#include "model/link/frame_receiver_if.h"
#include "model/nic/completion_engine.h"
#include "model/nic/protocol_engine.h"

namespace toevp::model {

struct MacRxStats {
  std::uint64_t frames = 0;
  std::uint64_t fcs_errors = 0;
  std::uint64_t checksum_errors = 0;
  std::uint64_t malformed = 0;      // truncated, bad header fields, oversize, fragments
  std::uint64_t to_engine = 0;
  std::uint64_t raw_delivered = 0;
  std::uint64_t raw_dropped = 0;    // no RAW buffer posted, or frame larger than the buffer
};

class MacRx : public sc_core::sc_module, public link::FrameReceiverIf {
 public:
  sc_core::sc_export<link::FrameReceiverIf> frame_in;
  tlm_utils::simple_initiator_socket<MacRx> dma_init;

  MacRx(sc_core::sc_module_name name, const ClockDomain& core, std::uint64_t rx_cycles, std::uint32_t max_frame,
        ProtocolEngine& pe, CompletionEngine& completions);

  void receive_frame(const link::EthFrame& frame) override;

  // A firmware buffer for RAW_RX frames (POST_RECV with conn kRawConn).
  void post_raw_buffer(std::uint64_t addr, std::uint32_t len, std::uint64_t cookie, std::uint16_t sq_index);

  const MacRxStats& stats() const { return stats_; }

 private:
  void deliver_raw(const link::EthFrame& frame, const sc_core::sc_time& ready);
  sc_core::sc_time write_host(std::uint64_t addr, const std::uint8_t* data, std::uint32_t len,
                              const sc_core::sc_time& ready, bool& ok);

  struct RawBuffer {
    std::uint64_t addr;
    std::uint32_t len;
    std::uint64_t cookie;
    std::uint16_t sq_index;
  };
  const ClockDomain& core_;
  std::uint64_t rx_cycles_;
  std::uint32_t max_frame_;
  ProtocolEngine& pe_;
  CompletionEngine& completions_;
  std::deque<RawBuffer> raw_buffers_;
  MacRxStats stats_;
};

}  // namespace toevp::model
