// CutThroughDma: payload reads, checksum, header, hand-off to the MAC.
#include "model/nic/cut_through_dma.h"

#include <algorithm>
#include <cmath>

#include "model/proto/checksum.h"

namespace toevp::model {

using sc_core::sc_time;

std::uint32_t auto_tx_buffer_bytes(double line_gbps, double read_latency_ns, std::uint32_t max_frame) {
  constexpr std::uint32_t kFloor = 16384;  // the long-standing default, enough at 100 GbE and MTU 1500
  const double in_flight = line_gbps / 8 * read_latency_ns;  // bytes the wire takes while a read is out
  const auto frames = static_cast<std::uint64_t>(std::ceil(in_flight / max_frame)) + 2;
  return static_cast<std::uint32_t>(std::max<std::uint64_t>(kFloor, frames * max_frame));
}

CutThroughDma::CutThroughDma(sc_core::sc_module_name name, const CutThroughDmaParams& params,
                             const ClockDomain& core, MacTx& mac, hdrgen::HeaderGenerator& header_gen)
    : sc_module(name), dma_init("dma_init"), params_(params), core_(core), mac_(mac), header_gen_(header_gen) {
  SC_THREAD(engine_thread);
}

void CutThroughDma::push(TxDescriptor d) {
  queue_.push_back(std::move(d));
  pushed_event_.notify(sc_core::SC_ZERO_TIME);
}

void CutThroughDma::engine_thread() {
  for (;;) {
    while (queue_.empty()) sc_core::wait(pushed_event_);
    TxDescriptor d = std::move(queue_.front());
    queue_.pop_front();
    space_event_.notify(sc_core::SC_ZERO_TIME);
    if (d.kind == TxDescriptor::Kind::kRaw) send_raw(d, sc_core::sc_time_stamp());
    else send_segment(d, sc_core::sc_time_stamp());
  }
}

sc_time CutThroughDma::send_now(TxDescriptor d, const sc_time& at) {
  return d.kind == TxDescriptor::Kind::kRaw ? send_raw(d, at) : send_segment(d, at);
}

sc_time CutThroughDma::reserve(std::uint32_t bytes, const sc_time& at) {
  sc_time t = at;
  for (;;) {
    while (!reserved_.empty() && reserved_.front().leaves <= t) {
      reserved_bytes_ -= reserved_.front().bytes;
      reserved_.pop_front();
    }
    if (reserved_bytes_ + bytes <= params_.tx_buffer_bytes) break;
    // The config check keeps the buffer above one largest frame and the
    // protocol engine and command processor keep frames within the MTU, so
    // an empty buffer always has room; if not, nothing would ever free it.
    if (reserved_.empty())
      SC_REPORT_FATAL("toevp/dma", ("a " + std::to_string(bytes) + "-byte frame exceeds the " +
                                    std::to_string(params_.tx_buffer_bytes) + "-byte transmit buffer")
                                       .c_str());
    // Wait for the oldest frame to leave the MAC: its space comes back then.
    // Fast mode moves the local time there instead of the kernel's.
    if (params_.fast) {
      t = reserved_.front().leaves;
    } else {
      wait_until(reserved_.front().leaves);
      t = sc_core::sc_time_stamp();
    }
  }
  stats_.buffer_wait_ns += (t - at).to_seconds() * 1e9;
  reserved_.push_back(Held{sc_core::sc_max_time(), bytes});
  reserved_bytes_ += bytes;
  stats_.peak_reserved = std::max(stats_.peak_reserved, reserved_bytes_);
  return t;
}

bool CutThroughDma::read(std::uint64_t addr, std::uint32_t len, std::uint8_t* dst, const sc_time& at,
                         sc_time& done) {
  tlm::tlm_generic_payload t;
  t.set_command(tlm::TLM_READ_COMMAND);
  t.set_address(addr);
  t.set_data_ptr(dst);
  t.set_data_length(len);
  t.set_streaming_width(len);
  t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  // Loosely-timed annotation: the requests are ready `at`, which is now in
  // cycle mode and may lie ahead of the kernel's time in fast mode.
  sc_time delay = at - sc_core::sc_time_stamp();
  dma_init->b_transport(t, delay);
  if (!t.is_response_ok()) {
    ++stats_.dma_errors;
    return false;
  }
  done = std::max(done, sc_core::sc_time_stamp() + delay);
  return true;
}

sc_time CutThroughDma::send_segment(TxDescriptor& d, const sc_time& at) {
  const std::size_t hdr_len = d.header.ts_en ? hdrgen::kHeaderBytesTs : hdrgen::kHeaderBytesPlain;
  const std::uint32_t frame_len = static_cast<std::uint32_t>(hdr_len) + d.payload_len;
  const sc_time start = reserve(frame_len, at);
  link::EthFrame frame;
  frame.data.resize(frame_len);
  sc_time data_done = start;
  std::uint32_t off = static_cast<std::uint32_t>(hdr_len);
  for (const GatherPiece& p : d.payload) {
    if (!read(p.host_addr, p.length, frame.data.data() + off, start, data_done)) {
      reserved_bytes_ -= reserved_.back().bytes;
      reserved_.pop_back();
      if (error_) error_(d);
      return start;
    }
    off += p.length;
  }
  // The checksum is summed as the completions stream in; it is final one
  // cycle (csum_cycles) after the last byte arrived.
  proto::InternetChecksum sum;
  sum.add(proto::ConstBytes(frame.data.data() + hdr_len, d.payload_len));
  d.header.payload_len = static_cast<std::uint16_t>(d.payload_len);
  d.header.payload_csum = sum.folded();
  const std::uint64_t valid_cycle = core_.edge_at_or_after(data_done) + params_.csum_cycles;
  hdrgen::Header header;
  const hdrgen::HeaderTiming ht = header_gen_.generate(d.header, valid_cycle, header);
  std::copy_n(header.bytes.begin(), header.length, frame.data.begin());
  const sc_time ready = core_.at_cycle(ht.last_beat_cycle + 1 + params_.mac_cycles);
  ++stats_.segments;
  stats_.payload_bytes += d.payload_len;
  finish(d, std::move(frame), ready, d.payload_len, data_done);
  return start;
}

sc_time CutThroughDma::send_raw(TxDescriptor& d, const sc_time& at) {
  const sc_time start = reserve(d.raw_len, at);
  link::EthFrame frame;
  frame.data.resize(d.raw_len);
  sc_time data_done = start;
  if (!read(d.raw_addr, d.raw_len, frame.data.data(), start, data_done)) {
    reserved_bytes_ -= reserved_.back().bytes;
    reserved_.pop_back();
    if (error_) error_(d);
    return start;
  }
  ++stats_.raw_frames;
  finish(d, std::move(frame), core_.align_up(data_done) + core_.cycles(params_.mac_cycles), 0, data_done);
  return start;
}

void CutThroughDma::finish(const TxDescriptor& d, link::EthFrame frame, sc_time ready, std::uint32_t payload,
                           const sc_time& data_done) {
  // The frame leaves the buffer over the datapath at datapath_bytes per core
  // cycle; a narrow datapath limits the frame rate even on a fast MAC.
  const std::uint64_t len = frame.data.size();
  ready = std::max(ready, datapath_free_);
  datapath_free_ = ready + core_.cycles((len + params_.datapath_bytes - 1) / params_.datapath_bytes);
  const link::MacTiming mt = mac_.transmit(std::move(frame), ready);
  const sc_time start = ClockDomain::fs(mt.start_fs);
  const sc_time leaves = ClockDomain::fs(mt.end_fs);
  reserved_.back().leaves = leaves;
  // Payload held in the buffer: what has arrived and not yet left, sampled
  // when this frame's payload has fully arrived.
  while (!arrived_.empty() && arrived_.front().leaves <= data_done) {
    arrived_bytes_ -= arrived_.front().bytes;
    arrived_.pop_front();
  }
  arrived_.push_back(Held{leaves, payload});
  arrived_bytes_ += payload;
  stats_.peak_payload_held = std::max(stats_.peak_payload_held, arrived_bytes_);
  if (sent_) sent_(d, start, leaves);
}

}  // namespace toevp::model
