// The shared observers and firmware steps of the platform tests; see
// platform_harness.h.
#include "tests/platform/platform_harness.h"

#include <vector>

#include "firmware/entries.h"
#include "firmware/examples/bulk_sender.h"
#include "firmware/examples/payload_pattern.h"
#include "model/abi/toevp_regs.h"
#include "model/common/clock_domain.h"
#include "model/link/eth_frame.h"
#include "model/link/mac_serializer.h"
#include "model/proto/tcp_frame.h"
#include "testbench/workload.h"

namespace toevp::tb::test {

using sc_core::sc_time;

model::Config make_config(const std::vector<std::string>& assignments) {
  model::Config c;
  for (const auto& a : assignments) c.set_assignment(a);
  c.check_consistency();
  return c;
}

// --- FrameTap -------------------------------------------------------------------

FrameTap::FrameTap(const link::EthLink& link, bool keep_payload)
    : propagation_(link.params().propagation),
      cycle_fs_(link::MacSerializer(link.params().rate_mbps, link.params().lane_bytes).cycle_fs()),
      lane_bytes_(link.params().lane_bytes),
      keep_payload_(keep_payload) {}

void FrameTap::on_frame(const link::EthFrame& frame, bool from_a, const sc_time& first_bit) {
  proto::TcpFrameView v;
  if (proto::parse_tcp_frame(frame.data, v, false) != proto::FrameError::kNone) return;
  WireFrame f;
  f.from_nic = from_a;
  f.first_bit = first_bit;
  // Both MACs start a frame on a lane boundary and end it on the cycle
  // boundary after the FCS (model/link/mac_serializer.h).
  const std::uint64_t cycles = (link::wire_bytes(frame.data.size()) + lane_bytes_ - 1) / lane_bytes_;
  f.last_bit = first_bit + model::ClockDomain::fs(cycles * cycle_fs_);
  f.src_port = v.tcp.src_port;
  f.dst_port = v.tcp.dst_port;
  f.seq = v.tcp.seq;
  f.ack = v.tcp.ack;
  f.flags = v.tcp.flags;
  f.payload_len = static_cast<std::uint32_t>(v.payload.size());
  if (keep_payload_) f.payload.assign(v.payload.begin(), v.payload.end());
  if (from_a && drop_ && drop_(f)) {
    // See the class comment: the link's own copy of the frame, about to be
    // queued, gets a bad FCS.
    const_cast<link::EthFrame&>(frame).fcs_ok = false;
    f.lost = true;
  }
  frames_.push_back(std::move(f));
}

std::vector<const WireFrame*> FrameTap::data_from_nic() const {
  std::vector<const WireFrame*> out;
  for (const auto& f : frames_)
    if (f.from_nic && f.payload_len > 0) out.push_back(&f);
  return out;
}

// --- HostTap ----------------------------------------------------------------------

void HostTap::mmio_write32(std::uint32_t offset, std::uint32_t value) {
  if (offset == TOEVP_REG_SQ_TAIL) doorbells_.push_back(Doorbell{sc_core::sc_time_stamp(), value});
  inner_.mmio_write32(offset, value);
}

// --- CompletionLog ------------------------------------------------------------------

CompletionLog::CompletionLog(Platform& platform) : p_(platform) {
  p_.host_mem.set_write_observer([this](std::uint64_t a, std::uint64_t n) { on_write(a, n); });
}

void CompletionLog::on_write(std::uint64_t addr, std::uint64_t len) {
  writes_.push_back(Write{addr, len, sc_core::sc_time_stamp()});
  const auto& r = p_.nic.regs;
  const std::uint64_t base =
      std::uint64_t{r.stored(TOEVP_REG_CQ_BASE_LO)} | (std::uint64_t{r.stored(TOEVP_REG_CQ_BASE_HI)} << 32);
  const std::uint64_t size = r.stored(TOEVP_REG_CQ_SIZE);
  if (len != abi::kCqeBytes || addr < base || addr >= base + size * abi::kCqeBytes) return;
  const std::uint8_t* p = p_.host_mem.host_ptr(addr, len);
  entries_.push_back(Landed{fw::decode_cqe(proto::ConstBytes(p, abi::kCqeBytes)), sc_core::sc_time_stamp()});
}

// --- firmware steps -------------------------------------------------------------------

fw::ConnectParams connect_params(std::uint16_t conn, bool timestamps) {
  const fw::BulkSenderParams d;  // the addresses the platform's peer is set up for
  fw::ConnectParams c;
  c.conn_id = conn;
  c.local_mac = d.local_mac;
  c.peer_mac = d.peer_mac;
  c.local_ip = d.local_ip;
  c.peer_ip = d.peer_ip;
  c.local_port = static_cast<std::uint16_t>(kLocalPortBase + conn);
  c.peer_port = d.peer_port;
  c.timestamps = timestamps;
  return c;
}

bool init_and_connect(fw::Driver& drv, unsigned connections, std::string& error, bool timestamps) {
  if (!drv.init(fw::DriverConfig{})) {
    error = "driver init: " + drv.last_error();
    return false;
  }
  for (unsigned i = 0; i < connections; ++i) {
    if (!drv.connect(connect_params(static_cast<std::uint16_t>(i), timestamps))) {
      error = "connect " + std::to_string(i) + ": " + drv.last_error();
      return false;
    }
  }
  return true;
}

void fill_pattern(fw::HostInterface& host, std::uint64_t addr, std::uint16_t conn, std::uint64_t offset,
                  std::uint32_t len) {
  std::vector<std::uint8_t> bytes(len);
  fw::PayloadPattern::instance().fill(conn, offset, bytes.data(), bytes.size());
  host.mem_write(addr, bytes.data(), bytes.size());
}

bool next(fw::Driver& drv, fw::Completion& c, std::uint64_t timeout_ns) { return drv.wait_completion(c, timeout_ns); }

std::uint64_t tcb_slot(const Platform& p, std::uint16_t conn) {
  const auto& r = p.nic.regs;
  const std::uint64_t base =
      std::uint64_t{r.stored(TOEVP_REG_TCB_BASE_LO)} | (std::uint64_t{r.stored(TOEVP_REG_TCB_BASE_HI)} << 32);
  return base + std::uint64_t{conn} * abi::kTcbBytes;
}

}  // namespace toevp::tb::test
