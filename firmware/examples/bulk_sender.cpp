// bulk_sender example firmware; see bulk_sender.h.
#include "firmware/examples/bulk_sender.h"

#include <algorithm>
#include <stdexcept>

#include "firmware/abi_strings.h"
#include "firmware/examples/payload_pattern.h"

namespace toevp::fw {

namespace {

std::uint64_t cookie_of(std::uint16_t conn, std::uint32_t index) {
  return (std::uint64_t{conn} << 32) | index;
}

}  // namespace

BulkSenderParams BulkSenderParams::from(const ProgramParams& params) {
  ParamReader r(params);
  BulkSenderParams p;
  p.connections = r.u32("connections", p.connections);
  p.message_bytes = r.u32("message_bytes", p.message_bytes);
  p.messages = r.u64("messages", p.messages);
  p.outstanding_per_conn = r.u32("outstanding_per_conn", p.outstanding_per_conn);
  p.local_mac = r.mac("local_mac", p.local_mac);
  p.peer_mac = r.mac("peer_mac", p.peer_mac);
  p.local_ip = r.ipv4("local_ip", p.local_ip);
  p.peer_ip = r.ipv4("peer_ip", p.peer_ip);
  p.local_port_base = static_cast<std::uint16_t>(r.u32("local_port_base", p.local_port_base));
  p.peer_port = static_cast<std::uint16_t>(r.u32("peer_port", p.peer_port));
  p.mss = static_cast<std::uint16_t>(r.u32("mss", p.mss));
  p.wscale = r.i32("wscale", p.wscale);
  p.timestamps = r.boolean("timestamps", p.timestamps);
  p.sack = r.boolean("sack", p.sack);
  p.rcv_wnd = r.u32("rcv_wnd", p.rcv_wnd);
  p.syn_timeout_ns = r.u64("syn_timeout_ns", p.syn_timeout_ns);
  p.syn_tries = r.u32("syn_tries", p.syn_tries);
  p.stall_timeout_ns = r.u64("stall_timeout_ns", p.stall_timeout_ns);
  p.close_timeout_ns = r.u64("close_timeout_ns", p.close_timeout_ns);
  p.close = r.boolean("close", p.close);
  DriverConfig& d = p.driver;
  d.sq_entries = r.u32("sq_entries", d.sq_entries);
  d.cq_entries = r.u32("cq_entries", d.cq_entries);
  d.raw_rx_buffers = r.u32("raw_rx_buffers", d.raw_rx_buffers);
  d.interrupts = r.boolean("interrupts", d.interrupts);
  d.int_moderation_cycles = r.u32("int_moderation_cycles", d.int_moderation_cycles);
  d.interrupt_wait_ns = r.u64("interrupt_wait_ns", d.interrupt_wait_ns);
  d.poll_interval_ns = r.u64("poll_interval_ns", d.poll_interval_ns);
  d.command_timeout_ns = r.u64("command_timeout_ns", d.command_timeout_ns);
  d.seed = r.u64("seed", d.seed);
  d.arp.tries = r.u32("arp_tries", d.arp.tries);
  d.arp.retry_ns = r.u64("arp_retry_ns", d.arp.retry_ns);
  d.local_ip = p.local_ip;  // answered in ARP from init() on
  d.local_mac = p.local_mac;
  r.finish("bulk_sender");
  if (p.connections == 0 || p.connections > 65535) throw std::invalid_argument("connections must be 1..65535");
  if (p.message_bytes == 0) throw std::invalid_argument("message_bytes must be at least 1");
  if (p.outstanding_per_conn == 0) throw std::invalid_argument("outstanding_per_conn must be at least 1");
  if (p.local_port_base + std::uint64_t{p.connections} > 65536)
    throw std::invalid_argument("local_port_base + connections exceeds 65535");
  d.tcb_entries = std::max(d.tcb_entries, p.connections);
  return p;
}

BulkSender::BulkSender(const BulkSenderParams& params) : params_(params) {
  params_.driver.tcb_entries = std::max(params_.driver.tcb_entries, params_.connections);
}

void BulkSender::error(std::string message) {
  if (results_.first_error.empty()) results_.first_error = message;
  results_.errors.push_back(std::move(message));
}

ConnectParams BulkSender::connect_params(std::uint16_t conn) const {
  ConnectParams c;
  c.conn_id = conn;
  c.local_mac = params_.local_mac;
  c.peer_mac = params_.peer_mac;
  c.local_ip = params_.local_ip;
  c.peer_ip = params_.peer_ip;
  c.local_port = static_cast<std::uint16_t>(params_.local_port_base + conn);
  c.peer_port = params_.peer_port;
  c.mss = params_.mss;
  c.wscale = params_.wscale;
  c.timestamps = params_.timestamps;
  c.sack = params_.sack;
  c.rcv_wnd = params_.rcv_wnd;
  c.syn_timeout_ns = params_.syn_timeout_ns;
  c.syn_tries = params_.syn_tries;
  return c;
}

int BulkSender::run(HostInterface& host) {
  results_ = ProgramResults{};
  results_.connections = params_.connections;
  Driver drv(host);
  if (setup(drv, host)) {
    stream(drv, host);
    if (params_.close) close_all(drv, host);
  }
  for (const auto& e : drv.error_log()) {
    // NIC ERROR completions already reported by on_completion are not repeated.
    if (std::find(results_.errors.begin(), results_.errors.end(), e) == results_.errors.end()) error(e);
  }
  results_.driver = drv.stats();
  results_.ok = results_.errors.empty() && results_.messages_completed == total_messages_;
  if (results_.ok) return 0;
  if (results_.first_error.empty())
    error("only " + std::to_string(results_.messages_completed) + " of " + std::to_string(total_messages_) + " messages completed");
  return 1;
}

bool BulkSender::setup(Driver& drv, HostInterface& host) {
  if (!drv.init(params_.driver)) {
    error("driver init: " + drv.last_error());
    return false;
  }
  conns_.assign(params_.connections, Conn{});
  total_messages_ = params_.messages;
  const std::uint64_t slot_bytes = params_.message_bytes;
  for (std::uint32_t i = 0; i < params_.connections; ++i) {
    Conn& c = conns_[i];
    c.total = static_cast<std::uint32_t>(params_.messages / params_.connections +
                                         (i < params_.messages % params_.connections ? 1 : 0));
    c.post_ns.assign(params_.outstanding_per_conn, 0);
    c.buffers = host.dma_alloc(slot_bytes * params_.outstanding_per_conn, 64);
    if (c.buffers == 0) {
      error("out of DMA memory for the message buffers of connection " + std::to_string(i));
      return false;
    }
  }
  for (std::uint32_t i = 0; i < params_.connections; ++i) {
    if (!drv.connect(connect_params(static_cast<std::uint16_t>(i)))) {
      error("connect: " + drv.last_error());
      return false;
    }
    conns_[i].established = true;
    ++results_.connections_established;
  }
  return true;
}

// Fills the slot of the next message with its pattern and posts it (no doorbell).
bool BulkSender::post_next(Driver& drv, HostInterface& host, std::uint16_t conn) {
  Conn& c = conns_[conn];
  if (c.next_post >= c.total || c.next_post - c.next_done >= params_.outstanding_per_conn) return false;
  const std::uint32_t index = c.next_post;
  const std::uint32_t slot = index % params_.outstanding_per_conn;
  const std::uint64_t addr = c.buffers + std::uint64_t{slot} * params_.message_bytes;
  scratch_.resize(params_.message_bytes);
  PayloadPattern::instance().fill(conn, std::uint64_t{index} * params_.message_bytes, scratch_.data(),
                                  scratch_.size());
  host.mem_write(addr, scratch_.data(), scratch_.size());
  c.post_ns[slot] = host.now_ns();
  if (!drv.post_send(conn, addr, params_.message_bytes, cookie_of(conn, index))) {
    error("SEND of conn " + std::to_string(conn) + " message " + std::to_string(index) + ": " + drv.last_error());
    return false;
  }
  if (results_.messages_posted == 0) results_.start_ns = c.post_ns[slot];
  ++c.next_post;
  ++results_.messages_posted;
  return true;
}

void BulkSender::stream(Driver& drv, HostInterface& host) {
  for (std::uint16_t i = 0; i < conns_.size(); ++i) {
    while (post_next(drv, host, i)) {
    }
  }
  drv.ring();
  std::uint64_t accounted = 0;  // completed or failed messages
  auto progress = [&] {
    std::uint64_t n = 0;
    for (const Conn& c : conns_) n += c.next_done;
    return n;
  };
  while ((accounted = progress()) < total_messages_) {
    Completion c;
    if (!drv.wait_completion(c, params_.stall_timeout_ns)) {
      error("stalled: " + std::to_string(accounted) + " of " + std::to_string(total_messages_) +
            " messages done after " + std::to_string(params_.stall_timeout_ns) + " ns without a completion");
      return;
    }
    do on_completion(drv, host, c);
    while (drv.next_completion(c));
    drv.ring();  // one doorbell for everything reposted in this batch
  }
}

void BulkSender::on_completion(Driver& drv, HostInterface& host, const Completion& c) {
  switch (c.type) {
    case abi::CqeType::kSendDone: return on_send_done(drv, host, c);
    case abi::CqeType::kError:
      error(describe(c));
      // A rejected SEND is done too (it will never complete): account for it
      // so the run ends, as a failure.
      if (c.opcode == abi::Opcode::kSend) on_send_done(drv, host, c);
      return;
    case abi::CqeType::kConnEvent:
      // The peer closing its side (typically in answer to our FIN) is normal.
      if (c.event == abi::ConnEvent::kFinReceived) return;
      if (c.conn_id < conns_.size()) conns_[c.conn_id].closed = true;
      if (c.event == abi::ConnEvent::kClosed) {
        ++results_.connections_closed;
        return;
      }
      error(describe(c));  // RST_RECEIVED or TIMEOUT
      return;
    default:
      error("unexpected completion: " + describe(c));
  }
}

void BulkSender::on_send_done(Driver& drv, HostInterface& host, const Completion& c) {
  const auto conn = static_cast<std::uint16_t>(c.cookie >> 32);
  const auto index = static_cast<std::uint32_t>(c.cookie);
  const std::string what = describe(c);
  if (conn >= conns_.size() || c.conn_id != conn) return error("completion with a foreign cookie: " + what);
  Conn& k = conns_[conn];
  if (index < k.next_done) return error("duplicate SEND_DONE: " + what);
  if (index != k.next_done)
    return error("SEND_DONE out of order (expected message " + std::to_string(k.next_done) + "): " + what);
  if (index >= k.next_post) return error("SEND_DONE for a message never posted: " + what);
  const bool ok = c.type == abi::CqeType::kSendDone && c.status == abi::Status::kOk;
  if (c.type == abi::CqeType::kSendDone && c.status != abi::Status::kOk) error("SEND_DONE not OK: " + what);
  if (ok && c.length != params_.message_bytes) error("SEND_DONE with a wrong length: " + what);
  ++k.next_done;
  if (ok) {
    const std::uint64_t now = host.now_ns();
    results_.messages.push_back({conn, index, k.post_ns[index % params_.outstanding_per_conn], now});
    ++results_.messages_completed;
    results_.bytes_completed += params_.message_bytes;
    results_.end_ns = now;
  }
  post_next(drv, host, conn);  // the slot is free again
}

void BulkSender::close_all(Driver& drv, HostInterface& host) {
  std::vector<std::uint16_t> established;
  for (std::uint16_t i = 0; i < conns_.size(); ++i)
    if (conns_[i].established && !conns_[i].closed) established.push_back(i);
  // Late SEND_DONEs (duplicates) are still checked while the FINs go out.
  const bool ok = drv.close_all(established, params_.close_timeout_ns,
                                [&](const Completion& c) { on_completion(drv, host, c); });
  if (!ok) error(drv.last_error());
}

}  // namespace toevp::fw
