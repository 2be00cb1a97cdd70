// The fuzz targets' platform and link agent; see fuzz_platform.h.
#include "tests/fuzz/fuzz_platform.h"

#include <cstdlib>

#include "model/common/clock_domain.h"
#include "model/link/mac_serializer.h"
#include "testbench/rtl/header_generator_factory.h"
#include "tests/fuzz/fuzz_support.h"

namespace toevp::fuzz {

using sc_core::sc_time;

// --- LinkAgent ---------------------------------------------------------------------

LinkAgent::LinkAgent(sc_core::sc_module_name name, link::EthLink& link)
    : sc_module(name), far_end("far_end"), nic_side("nic_side"), to_nic("to_nic"), link_(link) {
  far_end_cb_.call = [this](const link::EthFrame& f) {
    if (on_received) on_received(f);
  };
  nic_side_cb_.call = [this](const link::EthFrame& f) {
    if (on_arrival) on_arrival(f);
    to_nic->receive_frame(f);
  };
  far_end.bind(far_end_cb_);
  nic_side.bind(nic_side_cb_);
  SC_THREAD(send_thread);
}

void LinkAgent::send(link::EthFrame frame, const sc_time& gap) {
  queue_.push_back(Item{std::move(frame), gap});
  queued_.notify(sc_core::SC_ZERO_TIME);
}

void LinkAgent::send_thread() {
  link::MacSerializer mac(link_.params().rate_mbps, link_.params().lane_bytes);
  for (;;) {
    while (queue_.empty()) sc_core::wait(queued_);
    sending_ = true;
    Item item = std::move(queue_.front());
    queue_.pop_front();
    if (item.gap > sc_core::SC_ZERO_TIME) sc_core::wait(item.gap);
    const std::uint64_t now = model::ClockDomain::to_fs(sc_core::sc_time_stamp());
    const link::MacTiming t = mac.transmit(item.frame.data.size(), now);
    model::wait_until(model::ClockDomain::fs(t.start_fs));
    const sc_time last_bit = model::ClockDomain::fs(t.end_fs);
    link_.send(link::EthLink::kB, std::move(item.frame), sc_core::sc_time_stamp(), last_bit);
    model::wait_until(last_bit);
    sending_ = false;
  }
}

// --- FuzzPlatform ---------------------------------------------------------------------

void FuzzPlatform::prepare_kernel() {
  using sc_core::sc_report_handler;
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  // Femtoseconds, as tests/support/sc_catch_main.cpp: the model's clock
  // periods are exact there.
  sc_core::sc_set_time_resolution(1, sc_core::SC_FS);
  sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  sc_report_handler::set_actions(sc_core::SC_WARNING, sc_core::SC_DO_NOTHING);
  sc_report_handler::set_actions(sc_core::SC_ERROR, sc_core::SC_DISPLAY | sc_core::SC_ABORT);
  sc_report_handler::set_actions(sc_core::SC_FATAL, sc_core::SC_DISPLAY | sc_core::SC_ABORT);
}

namespace {

std::unique_ptr<hdrgen::HeaderGenerator> model_header_generator(const model::Config& c) {
  tb::HeaderGeneratorOptions o;
  o.period_ps = static_cast<std::uint64_t>(1e6 / c.get_double("nic.core_clock_mhz") + 0.5);
  return tb::make_header_generator("model", o);
}

link::EthLinkParams link_params(const model::Config& c) {
  link::EthLinkParams p;
  p.rate_mbps = c.get_u64("mac.rate_gbps") * 1000;
  p.lane_bytes = static_cast<unsigned>(c.get_int("mac.lane_bytes"));
  p.propagation = sc_time(double(c.get_int("link.propagation_ns")), sc_core::SC_NS);
  p.seed = c.get_u64("sim.seed");
  return p;  // no link faults: every fault is the fuzzer's
}

tb::HostCpuParams cpu_params(const model::Config& c) {
  tb::HostCpuParams p;
  p.msi_address = c.get_u64("host.msi_address");
  p.interrupt_latency_ns = c.get_u64("host.interrupt_latency_ns");
  return p;
}

}  // namespace

FuzzPlatform::FuzzPlatform(const model::Config& c)
    : config(c),
      header_gen(model_header_generator(c)),
      host_mem("host_mem", c.get_u64("host.memory_base"), c.get_u64("host.memory_mb") << 20,
               c.get_u64("host.msi_address")),
      link("link", link_params(c)),
      nic("nic", c, link, *header_gen),
      cpu("cpu", cpu_params(c), host_mem),
      agent("agent", link) {
  cpu.mmio_init.bind(nic.pcie.mmio_tgt);
  nic.pcie.host_init.bind(host_mem.dma_tgt);
  link.to_a(agent.nic_side);
  agent.to_nic(nic.mac_rx.frame_in);
  link.to_b(agent.far_end);
  cpu.set_program([this](fw::HostInterface& host) { return serve(host); });
}

int FuzzPlatform::serve(fw::HostInterface& host) {
  for (;;) {
    while (!action_) sc_core::wait(action_event_);
    auto action = std::move(action_);
    action_ = nullptr;
    action(host);
    action_done_ = true;
    sc_core::sc_pause();  // back to the fuzz target at once
  }
}

void FuzzPlatform::check_cpu() const {
  // The firmware side is the harness's own code: if it failed (a store
  // outside host memory), the harness is wrong, not the NIC.
  if (cpu.finished()) invariant_failed("fuzz harness firmware stopped: " + cpu.failure());
}

bool FuzzPlatform::firmware(std::function<void(fw::HostInterface&)> action, const sc_time& limit) {
  action_ = std::move(action);
  action_done_ = false;
  action_event_.notify(sc_core::SC_ZERO_TIME);
  const sc_time deadline = now() + limit;
  while (!action_done_ && now() < deadline) {
    sc_core::sc_start(deadline - now());
    check_cpu();
  }
  return action_done_;
}

void FuzzPlatform::advance(const sc_time& t) {
  const sc_time deadline = now() + t;
  // sc_pause() from an earlier firmware action may stop sc_start early.
  while (now() < deadline) {
    sc_core::sc_start(deadline - now());
    check_cpu();
  }
}

void FuzzPlatform::align(const sc_time& grid) {
  const std::uint64_t g = model::ClockDomain::to_fs(grid);
  const std::uint64_t t = model::ClockDomain::to_fs(now());
  advance(model::ClockDomain::fs((t / g + 1) * g - t));
}

model::Config make_config(const std::vector<std::string>& assignments) {
  model::Config c;
  for (const auto& a : assignments) c.set_assignment(a);
  c.check_consistency();
  return c;
}

}  // namespace toevp::fuzz
