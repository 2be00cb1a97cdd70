// PcieEndpoint: TLP splitting, tags and link booking. See pcie_endpoint.h.
#include "model/pcie/pcie_endpoint.h"

#include <algorithm>
#include <cstring>
#include <memory>

#include "model/common/trace.h"
#include "model/common/waveform.h"

namespace toevp::model {

using sc_core::sc_time;

PcieEndpoint::PcieEndpoint(sc_core::sc_module_name name, const PcieParams& params, const ClockDomain& core)
    : sc_module(name),
      mmio_tgt("mmio_tgt"),
      reg_init("reg_init"),
      dma_tgt("dma_tgt"),
      host_init("host_init"),
      params_(params),
      core_(core),
      up_(PcieLinkGeometry::for_link(params.gen, params.lanes)),
      down_(PcieLinkGeometry::for_link(params.gen, params.lanes)) {
  for (unsigned t = 0; t < params_.read_tags; ++t) tag_free_fs_.push(0);
  if (params_.fast)
    fast_.emplace(PcieFastParams{up_.geometry(), params_.mps, params_.mrrs, params_.tlp_overhead_bytes,
                                 params_.read_tags, params_.completer_latency_cycles * core_.period_fs(),
                                 core_.period_fs()});
  mmio_tgt.register_b_transport(this, &PcieEndpoint::mmio_b_transport);
  dma_tgt.register_b_transport(this, &PcieEndpoint::dma_b_transport);
  SC_METHOD(run_due_actions);
  sensitive << due_event_;
  dont_initialize();
}

void PcieEndpoint::schedule(std::uint64_t at_fs, std::function<void()> action) {
  const std::uint64_t now = ClockDomain::to_fs(sc_core::sc_time_stamp());
  const bool earliest = due_.empty() || at_fs < due_.top().at_fs;
  due_.push(Timed{at_fs, order_++, std::move(action)});
  if (earliest) due_event_.notify(ClockDomain::fs(at_fs > now ? at_fs - now : 0));
}

void PcieEndpoint::run_due_actions() {
  const std::uint64_t now = ClockDomain::to_fs(sc_core::sc_time_stamp());
  while (!due_.empty() && due_.top().at_fs <= now) {
    auto action = std::move(const_cast<Timed&>(due_.top()).action);
    due_.pop();
    action();
  }
  if (!due_.empty()) due_event_.notify(ClockDomain::fs(due_.top().at_fs - now));
}

// --- MMIO: host CPU -> BAR0 --------------------------------------------------

void PcieEndpoint::mmio_b_transport(tlm::tlm_generic_payload& trans, sc_time& delay) {
  const std::uint64_t now = ClockDomain::to_fs(sc_core::sc_time_stamp() + delay);
  const std::uint64_t cpu_to_link = params_.mmio_latency_cycles * core_.period_fs();
  const unsigned len = trans.get_data_length();
  // Downstream TLP: a write carries its data, a read is header only.
  const std::uint64_t arrive =
      down_.place(now, now + cpu_to_link, params_.tlp_overhead_bytes + (trans.is_write() ? len : 0));
  const std::uint64_t at_regs =
      ClockDomain::to_fs(core_.align_up(ClockDomain::fs(arrive))) + params_.mmio_cycles * core_.period_fs();

  if (trans.is_write()) {
    ++stats_.mmio_writes;
    // Posted: the CPU goes on; the write takes effect when it reaches the registers.
    auto data = std::make_shared<std::vector<unsigned char>>(trans.get_data_ptr(), trans.get_data_ptr() + len);
    const std::uint64_t addr = trans.get_address();
    schedule(at_regs, [this, data, addr]() {
      tlm::tlm_generic_payload w;
      sc_time d = sc_core::SC_ZERO_TIME;
      w.set_command(tlm::TLM_WRITE_COMMAND);
      w.set_address(addr);
      w.set_data_ptr(data->data());
      w.set_data_length(static_cast<unsigned>(data->size()));
      w.set_streaming_width(static_cast<unsigned>(data->size()));
      w.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
      reg_init->b_transport(w, d);
    });
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
    return;
  }
  ++stats_.mmio_reads;
  // Non-posted: the CPU waits for the completion. The register is sampled
  // when the request reaches it, so wait (in the CPU's thread) until then.
  wait_until(ClockDomain::fs(at_regs));
  sc_time d = sc_core::SC_ZERO_TIME;
  reg_init->b_transport(trans, d);
  const std::uint64_t t = ClockDomain::to_fs(sc_core::sc_time_stamp());
  const std::uint64_t back = up_.place(t, t, params_.tlp_overhead_bytes + len) + cpu_to_link;
  delay = ClockDomain::fs(back - t);
}

// --- DMA: NIC engines -> host memory ------------------------------------------

std::uint64_t PcieEndpoint::book_read(std::uint64_t now, std::uint64_t ready, std::uint64_t addr,
                                      std::uint64_t len) {
  const std::uint64_t period = core_.period_fs();
  std::uint64_t done = ready;
  while (len > 0) {
    const std::uint64_t chunk = std::min<std::uint64_t>({len, params_.mrrs, 4096 - addr % 4096});
    const std::uint64_t tag_free = tag_free_fs_.top();
    tag_free_fs_.pop();
    // One request per core cycle at most, on a core clock edge.
    std::uint64_t issue = std::max({ready, tag_free, last_issue_fs_ + period});
    issue = (issue + period - 1) / period * period;
    if (tag_free > ready) {
      const std::uint64_t waited = std::min(tag_free, issue) - ready;
      stats_.tag_wait_fs += waited;
      ++stats_.tag_waits;
      stats_.tag_wait_max_fs = std::max(stats_.tag_wait_max_fs, waited);
    }
    last_issue_fs_ = issue;
    ++stats_.read_requests;
    const std::uint64_t at_host = up_.place(now, issue, params_.tlp_overhead_bytes);
    const std::uint64_t cpl_ready = at_host + params_.completer_latency_cycles * period;
    // Completions of at most MPS bytes, split on MPS-aligned boundaries.
    std::uint64_t last = cpl_ready;
    for (std::uint64_t a = addr, left = chunk; left > 0;) {
      const std::uint64_t c = std::min<std::uint64_t>(left, params_.mps - a % params_.mps);
      last = down_.place(now, cpl_ready, c + params_.tlp_overhead_bytes);
      a += c;
      left -= c;
    }
    tag_free_fs_.push(last);
    stats_.tag_held_fs += last - issue;
    if (stats_.tags_peak < params_.read_tags) {  // once every tag was held, the peak is known
      while (!tag_release_fs_.empty() && tag_release_fs_.top() <= issue) tag_release_fs_.pop();
      tag_release_fs_.push(last);
      stats_.tags_peak = std::max(stats_.tags_peak, static_cast<std::uint32_t>(tag_release_fs_.size()));
    }
    wave::span(wave::kPcieTagsInUse, ClockDomain::fs(issue), ClockDomain::fs(last));
    done = std::max(done, last);
    addr += chunk;
    len -= chunk;
  }
  return done;
}

std::uint64_t PcieEndpoint::book_write(std::uint64_t now, std::uint64_t ready, std::uint64_t addr,
                                       std::uint64_t len) {
  std::uint64_t landed = ready;
  while (len > 0) {
    const std::uint64_t c = std::min<std::uint64_t>({len, params_.mps, 4096 - addr % 4096});
    landed = std::max(landed, up_.place(now, ready, c + params_.tlp_overhead_bytes));
    ++stats_.write_tlps;
    addr += c;
    len -= c;
  }
  return landed;
}

// Fast mode: every DMA request goes through the fast link, so its counters
// are the endpoint's.
std::uint64_t PcieEndpoint::fast_read(std::uint64_t ready, std::uint64_t addr, std::uint64_t len) {
  const std::uint64_t done = fast_->read(ready, addr, len);
  stats_.read_requests = fast_->read_requests();
  stats_.tag_wait_fs = fast_->tag_wait_fs();
  stats_.tag_waits = fast_->tag_waits();
  stats_.tag_wait_max_fs = fast_->tag_wait_max_fs();
  stats_.tag_held_fs = fast_->tag_held_fs();
  stats_.tags_peak = static_cast<std::uint32_t>(fast_->tags_peak());
  return done;
}

std::uint64_t PcieEndpoint::fast_write(std::uint64_t ready, std::uint64_t addr, std::uint64_t len) {
  const std::uint64_t landed = fast_->write(ready, addr, len);
  stats_.write_tlps = fast_->write_tlps();
  return landed;
}

std::uint64_t PcieEndpoint::idle_read_latency_fs(std::uint64_t addr, std::uint64_t len) const {
  PcieEndpoint& self = const_cast<PcieEndpoint&>(*this);
  // Book on copies so nothing is disturbed.
  PcieLinkDirection up = up_, down = down_;
  auto tags = tag_free_fs_;
  auto releases = tag_release_fs_;
  auto last_issue = last_issue_fs_;
  auto stats = stats_;
  self.up_ = PcieLinkDirection(up_.geometry());
  self.down_ = PcieLinkDirection(down_.geometry());
  while (!self.tag_free_fs_.empty()) self.tag_free_fs_.pop();
  for (unsigned t = 0; t < params_.read_tags; ++t) self.tag_free_fs_.push(0);
  self.tag_release_fs_ = {};
  self.last_issue_fs_ = 0;
  const std::uint64_t start = 1'000'000'000'000ull;  // any edge-aligned time
  const std::uint64_t r = self.book_read(start, start, addr, len) - start;
  self.up_ = up;
  self.down_ = down;
  self.tag_free_fs_ = tags;
  self.tag_release_fs_ = releases;
  self.last_issue_fs_ = last_issue;
  self.stats_ = stats;
  return r;
}

void PcieEndpoint::dma_b_transport(int id, tlm::tlm_generic_payload& trans, sc_time& delay) {
  const std::uint64_t now = ClockDomain::to_fs(sc_core::sc_time_stamp());
  const std::uint64_t ready = now + ClockDomain::to_fs(delay);
  const std::uint64_t addr = trans.get_address();
  const unsigned len = trans.get_data_length();
  if (len == 0 || !dma_window_contains(addr, len)) {
    ++stats_.dma_errors;
    trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    TOEVP_TRACE(trace::kDma, name(), "%s 0x%llx len %u by %s: ADDRESS ERROR (outside the DMA window)", trans.is_read() ? "rd" : "wr", static_cast<unsigned long long>(addr), len, trace::initiator_name(dma_tgt, id));
    return;
  }
  if (trans.is_read()) {
    sc_time zero = sc_core::SC_ZERO_TIME;
    host_init->b_transport(trans, zero);
    if (!trans.is_response_ok()) {
      ++stats_.dma_errors;
      return;
    }
    stats_.read_bytes += len;
    const std::uint64_t done = fast_ ? fast_read(ready, addr, len) : book_read(now, ready, addr, len);
    delay = core_.align_up(ClockDomain::fs(done)) - sc_core::sc_time_stamp();
    TOEVP_TRACE(trace::kDma, name(), "rd 0x%llx len %u by %s ready@%llu done@%llu", static_cast<unsigned long long>(addr), len, trace::initiator_name(dma_tgt, id), static_cast<unsigned long long>(trace::cycle_of_fs(ready)), static_cast<unsigned long long>(trace::cycle_of_fs(done)));
    return;
  }
  // Posted write: lands in host memory when its last TLP arrives.
  stats_.write_bytes += len;
  const std::uint64_t landed = fast_ ? fast_write(ready, addr, len) : book_write(now, ready, addr, len);
  auto data = std::make_shared<std::vector<unsigned char>>(trans.get_data_ptr(), trans.get_data_ptr() + len);
  schedule(landed, [this, data, addr]() {
    tlm::tlm_generic_payload w;
    sc_time d = sc_core::SC_ZERO_TIME;
    w.set_command(tlm::TLM_WRITE_COMMAND);
    w.set_address(addr);
    w.set_data_ptr(data->data());
    w.set_data_length(static_cast<unsigned>(data->size()));
    w.set_streaming_width(static_cast<unsigned>(data->size()));
    w.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    host_init->b_transport(w, d);
    if (!w.is_response_ok()) ++stats_.dma_errors;
  });
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
  delay = ClockDomain::fs(landed - now);
  TOEVP_TRACE(trace::kDma, name(), "wr 0x%llx len %u by %s ready@%llu lands@%llu", static_cast<unsigned long long>(addr), len, trace::initiator_name(dma_tgt, id), static_cast<unsigned long long>(trace::cycle_of_fs(ready)), static_cast<unsigned long long>(trace::cycle_of_fs(landed)));
}

}  // namespace toevp::model
