// MacRx: FCS check, parse, demultiplex, RAW_RX delivery. See mac_rx.h.
#include "model/nic/mac_rx.h"

#include "model/proto/tcp_frame.h"

namespace toevp::model {

using sc_core::sc_time;

MacRx::MacRx(sc_core::sc_module_name name, const ClockDomain& core, std::uint64_t rx_cycles,
             std::uint32_t max_frame, ProtocolEngine& pe, CompletionEngine& completions)
    : sc_module(name), frame_in("frame_in"), dma_init("dma_init"), core_(core), rx_cycles_(rx_cycles),
      max_frame_(max_frame), pe_(pe), completions_(completions) {
  frame_in.bind(*this);
  pe_.set_rx_dma_writer([this](std::uint64_t addr, const std::uint8_t* data, std::uint32_t len, const sc_time& ready,
                               bool& ok) { return write_host(addr, data, len, ready, ok); });
}

// The receive path's payload writes (the protocol engine places in-order
// data of offloaded connections into POST_RECV buffers): posted DMA writes,
// done when the last TLP has landed.
sc_time MacRx::write_host(std::uint64_t addr, const std::uint8_t* data, std::uint32_t len, const sc_time& ready,
                          bool& ok) {
  tlm::tlm_generic_payload t;
  t.set_command(tlm::TLM_WRITE_COMMAND);
  t.set_address(addr);
  t.set_data_ptr(const_cast<unsigned char*>(data));
  t.set_data_length(len);
  t.set_streaming_width(len);
  t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  const sc_time now = sc_core::sc_time_stamp();
  sc_time delay = ready > now ? ready - now : sc_core::SC_ZERO_TIME;
  dma_init->b_transport(t, delay);
  ok = t.is_response_ok();
  return now + delay;
}

void MacRx::post_raw_buffer(std::uint64_t addr, std::uint32_t len, std::uint64_t cookie, std::uint16_t sq_index) {
  raw_buffers_.push_back(RawBuffer{addr, len, cookie, sq_index});
}

void MacRx::receive_frame(const link::EthFrame& frame) {
  ++stats_.frames;
  // The frame's last byte has arrived now; checks and parsing take rx_cycles.
  const sc_time ready = core_.align_up(sc_core::sc_time_stamp()) + core_.cycles(rx_cycles_);
  if (!frame.fcs_ok) {
    ++stats_.fcs_errors;
    return;
  }
  if (frame.data.size() < 14 || frame.data.size() > max_frame_) {
    ++stats_.malformed;
    return;
  }
  proto::TcpFrameView v;
  const proto::FrameError err = proto::parse_tcp_frame(frame.data, v, true);
  switch (err) {
    case proto::FrameError::kNone: {
      if (auto conn = pe_.lookup(v.ip.src, v.tcp.src_port, v.tcp.dst_port)) {
        RxSegment s;
        s.seq = v.tcp.seq;
        s.ack = v.tcp.ack;
        s.flags = v.tcp.flags;
        s.window = v.tcp.window;
        s.payload_len = static_cast<std::uint32_t>(v.payload.size());
        s.payload.assign(v.payload.begin(), v.payload.end());  // for the receive path
        if (v.tcp.options.timestamps) {
          s.has_ts = true;
          s.tsval = v.tcp.options.timestamps->first;
          s.tsecr = v.tcp.options.timestamps->second;
        }
        ++stats_.to_engine;
        pe_.receive(*conn, std::move(s), ready);
        return;
      }
      deliver_raw(frame, ready);
      return;
    }
    case proto::FrameError::kNotIpv4:
    case proto::FrameError::kNotTcp:
      deliver_raw(frame, ready);  // ARP, ICMP, UDP...: firmware's business
      return;
    case proto::FrameError::kBadIpChecksum:
    case proto::FrameError::kBadTcpChecksum:
      ++stats_.checksum_errors;
      return;
    default:
      ++stats_.malformed;
      return;
  }
}

void MacRx::deliver_raw(const link::EthFrame& frame, const sc_time& ready) {
  if (raw_buffers_.empty() || raw_buffers_.front().len < frame.data.size()) {
    ++stats_.raw_dropped;
    return;
  }
  const RawBuffer b = raw_buffers_.front();
  raw_buffers_.pop_front();
  tlm::tlm_generic_payload t;
  t.set_command(tlm::TLM_WRITE_COMMAND);
  t.set_address(b.addr);
  t.set_data_ptr(const_cast<unsigned char*>(frame.data.data()));
  t.set_data_length(static_cast<unsigned>(frame.data.size()));
  t.set_streaming_width(static_cast<unsigned>(frame.data.size()));
  t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  sc_time delay = ready - sc_core::sc_time_stamp();
  dma_init->b_transport(t, delay);
  Completion c;
  c.type = abi::CqeType::kRawRx;
  c.status = t.is_response_ok() ? abi::Status::kOk : abi::Status::kDmaError;
  c.conn = abi::kRawConn;
  c.length = static_cast<std::uint32_t>(frame.data.size());
  c.cookie = b.cookie;
  c.sq_index = b.sq_index;
  c.opcode = static_cast<std::uint8_t>(abi::Opcode::kPostRecv);
  ++stats_.raw_delivered;
  completions_.post(c, sc_core::sc_time_stamp() + delay);
}

}  // namespace toevp::model
