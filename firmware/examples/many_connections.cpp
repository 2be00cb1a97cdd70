// many_connections example firmware; see many_connections.h.
#include "firmware/examples/many_connections.h"

#include <algorithm>
#include <stdexcept>

#include "firmware/abi_strings.h"
#include "firmware/examples/payload_pattern.h"

namespace toevp::fw {

namespace {

std::uint64_t cookie_of(std::uint16_t conn, std::uint32_t index) { return (std::uint64_t{conn} << 32) | index; }
constexpr unsigned kPostsPerPump = 64;  // interleave posting with reaping

}  // namespace

ManyConnectionsParams ManyConnectionsParams::from(const ProgramParams& params) {
  ParamReader r(params);
  ManyConnectionsParams p;
  p.connections = r.u32("connections", p.connections);
  p.max_message_bytes = r.u32("message_bytes", p.max_message_bytes);
  p.messages = r.u64("messages", p.messages);
  p.outstanding_per_conn = r.u32("outstanding_per_conn", p.outstanding_per_conn);
  p.connect_wave = r.u32("connect_wave", p.connect_wave);
  p.stall_timeout_ns = r.u64("stall_timeout_ns", p.stall_timeout_ns);
  p.close_timeout_ns = r.u64("close_timeout_ns", p.close_timeout_ns);
  p.close = r.boolean("close", p.close);
  p.endpoint.read(r);
  r.finish("many_connections");
  if (p.connections == 0 || p.connections > 65535) throw std::invalid_argument("connections must be 1..65535");
  if (p.max_message_bytes == 0) throw std::invalid_argument("message_bytes must be at least 1");
  if (p.outstanding_per_conn == 0) throw std::invalid_argument("outstanding_per_conn must be at least 1");
  if (p.connect_wave == 0) throw std::invalid_argument("connect_wave must be at least 1");
  if (p.endpoint.local_port_base + std::uint64_t{p.connections} > 65536)
    throw std::invalid_argument("local_port_base + connections exceeds 65535");
  p.endpoint.driver.tcb_entries = std::max(p.endpoint.driver.tcb_entries, p.connections);
  return p;
}

ManyConnections::ManyConnections(const ManyConnectionsParams& params)
    : params_(params), rng_(params.endpoint.driver.seed) {}

void ManyConnections::error(std::string message) {
  if (results_.first_error.empty())
    results_.first_error = message + " (seed " + std::to_string(params_.endpoint.driver.seed) + ")";
  results_.errors.push_back(std::move(message));
}

int ManyConnections::run(HostInterface& host) {
  results_ = ProgramResults{};
  results_.connections = params_.connections;
  rng_.seed(params_.endpoint.driver.seed);
  Driver drv(host);
  if (setup(drv, host)) {
    finish(drv, host);
    if (params_.close) close_all(drv);
  }
  for (const auto& e : drv.error_log())
    if (std::find(results_.errors.begin(), results_.errors.end(), e) == results_.errors.end()) error(e);
  results_.driver = drv.stats();
  results_.ok = results_.errors.empty() && results_.messages_completed == params_.messages;
  if (results_.ok) return 0;
  if (results_.first_error.empty())
    error("only " + std::to_string(results_.messages_completed) + " of " + std::to_string(params_.messages) +
          " messages completed");
  return 1;
}

bool ManyConnections::setup(Driver& drv, HostInterface& host) {
  if (!drv.init(params_.endpoint.driver)) {
    error("driver init: " + drv.last_error());
    return false;
  }
  conns_.assign(params_.connections, Conn{});
  for (std::uint32_t i = 0; i < params_.connections; ++i) {
    Conn& c = conns_[i];
    c.total = static_cast<std::uint32_t>(params_.messages / params_.connections +
                                         (i < params_.messages % params_.connections ? 1 : 0));
    c.length.assign(params_.outstanding_per_conn, 0);
    c.post_ns.assign(params_.outstanding_per_conn, 0);
    c.buffers = host.dma_alloc(std::uint64_t{params_.max_message_bytes} * params_.outstanding_per_conn, 64);
    if (c.buffers == 0) {
      error("out of DMA memory for the buffers of connection " + std::to_string(i));
      return false;
    }
  }
  // Open in waves; the connections already open carry traffic meanwhile, so
  // handshakes and OFFLOAD_CONN interleave with SENDs and SEND_DONEs.
  for (std::uint32_t first = 0; first < params_.connections; first += params_.connect_wave) {
    if (!connect_wave(drv, first, std::min(params_.connect_wave, params_.connections - first))) return false;
    pump(drv, host);
    drain(drv, host);
  }
  return true;
}

bool ManyConnections::connect_wave(Driver& drv, std::uint32_t first, std::uint32_t count) {
  for (std::uint32_t i = first; i < first + count; ++i) {
    if (!drv.connect(params_.endpoint.connect_params(static_cast<std::uint16_t>(i)))) {
      error("connect: " + drv.last_error());
      return false;
    }
    conns_[i].open = true;
    ++results_.connections_established;
    make_eligible(static_cast<std::uint16_t>(i));
  }
  return true;
}

bool ManyConnections::can_post(const Conn& c) const {
  return c.open && !c.closed && c.next_post < c.total && c.next_post - c.next_done < params_.outstanding_per_conn;
}

void ManyConnections::make_eligible(std::uint16_t conn) {
  Conn& c = conns_[conn];
  if (c.eligible || !can_post(c)) return;
  c.eligible = true;
  eligible_.push_back(conn);
}

// Posts up to kPostsPerPump messages on randomly chosen connections, then
// rings the doorbell once.
void ManyConnections::pump(Driver& drv, HostInterface& host) {
  for (unsigned n = 0; n < kPostsPerPump && !eligible_.empty(); ++n) {
    const std::size_t pick = std::uniform_int_distribution<std::size_t>(0, eligible_.size() - 1)(rng_);
    const std::uint16_t conn = eligible_[pick];
    const bool posted = post_one(drv, host, conn);
    if (!posted) conns_[conn].closed = true;
    if (!can_post(conns_[conn])) {
      conns_[conn].eligible = false;
      eligible_[pick] = eligible_.back();
      eligible_.pop_back();
    }
  }
  drv.ring();
}

bool ManyConnections::post_one(Driver& drv, HostInterface& host, std::uint16_t conn) {
  Conn& c = conns_[conn];
  const std::uint32_t index = c.next_post;
  const std::uint32_t slot = index % params_.outstanding_per_conn;
  const auto len = std::uniform_int_distribution<std::uint32_t>(1, params_.max_message_bytes)(rng_);
  const std::uint64_t addr = c.buffers + std::uint64_t{slot} * params_.max_message_bytes;
  scratch_.resize(len);
  PayloadPattern::instance().fill(conn, c.stream_offset, scratch_.data(), len);
  host.mem_write(addr, scratch_.data(), len);
  c.length[slot] = len;
  c.post_ns[slot] = host.now_ns();
  if (!drv.post_send(conn, addr, len, cookie_of(conn, index))) {
    error("SEND of conn " + std::to_string(conn) + " message " + std::to_string(index) + ": " + drv.last_error());
    return false;
  }
  if (results_.messages_posted == 0) results_.start_ns = c.post_ns[slot];
  c.stream_offset += len;
  ++c.next_post;
  ++results_.messages_posted;
  return true;
}

// Handles every completion already queued or in the ring, without waiting.
void ManyConnections::drain(Driver& drv, HostInterface& host) {
  Completion c;
  while (drv.next_completion(c)) on_completion(c, host);
}

void ManyConnections::finish(Driver& drv, HostInterface& host) {
  std::uint64_t accounted = 0;
  while (done_ < params_.messages) {
    pump(drv, host);
    Completion c;
    if (!drv.wait_completion(c, params_.stall_timeout_ns)) {
      error("stalled: " + std::to_string(done_) + " of " + std::to_string(params_.messages) +
            " messages done after " + std::to_string(params_.stall_timeout_ns) + " ns without a completion");
      return;
    }
    on_completion(c, host);
    drain(drv, host);
    // Connections that stopped (errors) will never finish their share.
    accounted = done_;
    for (const Conn& k : conns_)
      if (k.closed) accounted += k.total - k.next_done;
    if (accounted >= params_.messages) return;
  }
}

void ManyConnections::on_completion(const Completion& c, HostInterface& host) {
  switch (c.type) {
    case abi::CqeType::kSendDone: return on_send_done(c, host);
    case abi::CqeType::kError:
      error(describe(c));
      if (c.conn_id < conns_.size()) conns_[c.conn_id].closed = true;
      return;
    case abi::CqeType::kConnEvent:
      if (c.event == abi::ConnEvent::kFinReceived) return;
      if (c.conn_id < conns_.size()) conns_[c.conn_id].closed = true;
      if (c.event == abi::ConnEvent::kClosed) {
        ++results_.connections_closed;
        return;
      }
      return error(describe(c));
    default: return error("unexpected completion: " + describe(c));
  }
}

void ManyConnections::on_send_done(const Completion& c, HostInterface& host) {
  const auto conn = static_cast<std::uint16_t>(c.cookie >> 32);
  const auto index = static_cast<std::uint32_t>(c.cookie);
  if (conn >= conns_.size() || c.conn_id != conn) return error("SEND_DONE with a foreign cookie: " + describe(c));
  Conn& k = conns_[conn];
  if (index != k.next_done)
    return error("SEND_DONE out of order (expected message " + std::to_string(k.next_done) + "): " + describe(c));
  const std::uint32_t slot = index % params_.outstanding_per_conn;
  if (c.status != abi::Status::kOk) error("SEND_DONE not OK: " + describe(c));
  else if (c.length != k.length[slot]) error("SEND_DONE with a wrong length: " + describe(c));
  ++k.next_done;
  ++done_;
  if (c.status == abi::Status::kOk) {
    const std::uint64_t now = host.now_ns();
    results_.messages.push_back({conn, index, k.post_ns[slot], now});
    ++results_.messages_completed;
    results_.bytes_completed += k.length[slot];
    results_.end_ns = now;
  }
  make_eligible(conn);
}

void ManyConnections::close_all(Driver& drv) {
  std::vector<std::uint16_t> open;
  for (std::uint16_t i = 0; i < conns_.size(); ++i)
    if (conns_[i].open && !conns_[i].closed) open.push_back(i);
  const bool ok = drv.close_all(open, params_.close_timeout_ns, [&](const Completion& c) {
    if (c.type == abi::CqeType::kConnEvent && c.event == abi::ConnEvent::kClosed) ++results_.connections_closed;
    else if (c.type == abi::CqeType::kError || c.type == abi::CqeType::kSendDone) error("during close: " + describe(c));
  });
  if (!ok) error(drv.last_error());
}

}  // namespace toevp::fw
