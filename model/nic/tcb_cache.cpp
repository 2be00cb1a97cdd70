// TcbCache: set-associative LRU lookup and its DMA traffic. See tcb_cache.h.
#include "model/nic/tcb_cache.h"

#include <array>

#include "model/abi/abi.h"
#include "model/common/waveform.h"

namespace toevp::model {

using sc_core::sc_time;

TcbCache::TcbCache(sc_core::sc_module_name name, const TcbCacheParams& params, const ClockDomain& core)
    : sc_module(name), dma_init("dma_init"), params_(params), core_(core),
      sets_(params.entries / params.ways), lines_(params.entries) {}

TcbCache::Line* TcbCache::find(std::uint16_t conn) {
  const std::uint32_t set = conn % sets_;
  for (std::uint32_t w = 0; w < params_.ways; ++w) {
    Line& l = lines_[set * params_.ways + w];
    if (l.valid && l.conn == conn) return &l;
  }
  return nullptr;
}

bool TcbCache::resident(std::uint16_t conn) const { return const_cast<TcbCache*>(this)->find(conn) != nullptr; }

TcbCache::Line& TcbCache::victim(std::uint16_t conn) {
  const std::uint32_t set = conn % sets_;
  Line* best = &lines_[set * params_.ways];
  for (std::uint32_t w = 0; w < params_.ways; ++w) {
    Line& l = lines_[set * params_.ways + w];
    if (!l.valid) return l;
    if (l.last_use < best->last_use) best = &l;
  }
  return *best;
}

sc_time TcbCache::dma(tlm::tlm_command cmd, std::uint16_t conn, std::uint8_t* data, const sc_time& ready, bool& ok) {
  tlm::tlm_generic_payload t;
  t.set_command(cmd);
  t.set_address(table_base_ + std::uint64_t{conn} * abi::kTcbBytes);
  t.set_data_ptr(data);
  t.set_data_length(abi::kTcbBytes);
  t.set_streaming_width(abi::kTcbBytes);
  t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  const sc_time now = sc_core::sc_time_stamp();
  sc_time delay = ready > now ? ready - now : sc_core::SC_ZERO_TIME;
  dma_init->b_transport(t, delay);
  ok = t.is_response_ok();
  if (!ok) ++stats_.dma_errors;
  return now + delay;
}

sc_time TcbCache::evict(Line& line, const sc_time& ready) {
  sc_time done = ready;
  if (line.valid && line.dirty && encoder_) {
    std::array<std::uint8_t, abi::kTcbBytes> bytes{};
    encoder_(line.conn, bytes.data());
    bool ok = true;
    // A posted write: the fill behind it does not wait for it to land.
    dma(tlm::TLM_WRITE_COMMAND, line.conn, bytes.data(), ready, ok);
    ++stats_.writebacks;
  }
  if (line.valid) --stats_.resident;
  line.valid = false;
  return done;
}

bool TcbCache::load(std::uint16_t conn, const sc_time& ready, std::uint8_t* out128, sc_time& done) {
  Line* l = find(conn);
  if (!l) {
    l = &victim(conn);
    evict(*l, ready);
  }
  bool ok = true;
  done = core_.align_up(dma(tlm::TLM_READ_COMMAND, conn, out128, ready, ok));
  if (!ok) return false;
  if (!l->valid) ++stats_.resident;
  *l = Line{true, false, conn, ++use_clock_};
  return true;
}

sc_time TcbCache::access(std::uint16_t conn, const sc_time& ready, bool modify) {
  Line* l = find(conn);
  if (l) {
    ++stats_.hits;
    l->last_use = ++use_clock_;
    l->dirty |= modify;
    return ready + core_.cycles(params_.hit_cycles);
  }
  ++stats_.misses;
  wave::set(wave::kTcbMisses, stats_.misses);
  Line& v = victim(conn);
  evict(v, ready);
  std::array<std::uint8_t, abi::kTcbBytes> bytes{};
  bool ok = true;
  // The fill is a real 128-byte read of the slot; the bytes equal the live
  // TCB the protocol engine holds, which it wrote back when it was evicted.
  const sc_time filled = core_.align_up(dma(tlm::TLM_READ_COMMAND, conn, bytes.data(), ready, ok));
  v = Line{true, modify, conn, ++use_clock_};
  ++stats_.resident;
  const sc_time done = filled + core_.cycles(params_.hit_cycles);
  const double fill_ns = (done - ready).to_seconds() * 1e9;
  stats_.miss_latency_sum_ns += fill_ns;
  if (fill_ns > stats_.miss_latency_max_ns) stats_.miss_latency_max_ns = fill_ns;
  miss_latency_.add(fill_ns);
  return done;
}

sc_time TcbCache::flush(std::uint16_t conn, const sc_time& ready) {
  Line* l = find(conn);
  sc_time landed = ready;
  if (!l) return landed;
  if (l->dirty && encoder_) {
    std::array<std::uint8_t, abi::kTcbBytes> bytes{};
    encoder_(conn, bytes.data());
    bool ok = true;
    landed = dma(tlm::TLM_WRITE_COMMAND, conn, bytes.data(), ready, ok);
    ++stats_.writebacks;
  }
  l->valid = false;
  --stats_.resident;
  return landed;
}

}  // namespace toevp::model
