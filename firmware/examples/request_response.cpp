// request_response example firmware; see request_response.h.
#include "firmware/examples/request_response.h"

#include <algorithm>
#include <stdexcept>

#include "firmware/abi_strings.h"
#include "firmware/examples/payload_pattern.h"

namespace toevp::fw {

namespace {

std::uint64_t cookie_of(std::uint16_t conn, std::uint32_t index) { return (std::uint64_t{conn} << 32) | index; }

}  // namespace

RequestResponseParams RequestResponseParams::from(const ProgramParams& params) {
  ParamReader r(params);
  RequestResponseParams p;
  p.connections = r.u32("connections", p.connections);
  p.request_bytes = r.u32("message_bytes", p.request_bytes);
  p.requests = r.u64("messages", p.requests);
  p.in_flight = r.u32("outstanding_per_conn", p.in_flight);
  p.response_bytes = r.u32("response_bytes", p.response_bytes);
  p.think_ns = r.u64("think_ns", p.think_ns);
  p.stall_timeout_ns = r.u64("stall_timeout_ns", p.stall_timeout_ns);
  p.close_timeout_ns = r.u64("close_timeout_ns", p.close_timeout_ns);
  p.close = r.boolean("close", p.close);
  p.endpoint.read(r);
  r.finish("request_response");
  if (p.connections == 0 || p.connections > 65535) throw std::invalid_argument("connections must be 1..65535");
  if (p.request_bytes == 0) throw std::invalid_argument("message_bytes (request size) must be at least 1");
  if (p.in_flight == 0) throw std::invalid_argument("outstanding_per_conn (requests in flight) must be at least 1");
  if (p.endpoint.local_port_base + std::uint64_t{p.connections} > 65536)
    throw std::invalid_argument("local_port_base + connections exceeds 65535");
  p.endpoint.driver.tcb_entries = std::max(p.endpoint.driver.tcb_entries, p.connections);
  return p;
}

RequestResponse::RequestResponse(const RequestResponseParams& params) : params_(params) {}

void RequestResponse::error(std::string message) {
  if (results_.first_error.empty()) results_.first_error = message;
  results_.errors.push_back(std::move(message));
}

std::uint64_t RequestResponse::done_count() const {
  std::uint64_t n = 0;
  for (const Conn& c : conns_) n += c.next_done;
  return n;
}

int RequestResponse::run(HostInterface& host) {
  results_ = ProgramResults{};
  results_.connections = params_.connections;
  Driver drv(host);
  if (setup(drv, host)) {
    loop(drv, host);
    if (params_.close) close_all(drv);
  }
  for (const auto& e : drv.error_log())
    if (std::find(results_.errors.begin(), results_.errors.end(), e) == results_.errors.end()) error(e);
  results_.driver = drv.stats();
  results_.ok = results_.errors.empty() && results_.messages_completed == params_.requests;
  if (results_.ok) return 0;
  if (results_.first_error.empty())
    error("only " + std::to_string(results_.messages_completed) + " of " + std::to_string(params_.requests) +
          " requests answered");
  return 1;
}

bool RequestResponse::setup(Driver& drv, HostInterface& host) {
  if (!drv.init(params_.endpoint.driver)) {
    error("driver init: " + drv.last_error());
    return false;
  }
  conns_.assign(params_.connections, Conn{});
  for (std::uint32_t i = 0; i < params_.connections; ++i) {
    Conn& c = conns_[i];
    c.total = static_cast<std::uint32_t>(params_.requests / params_.connections +
                                         (i < params_.requests % params_.connections ? 1 : 0));
    c.post_ns.assign(params_.in_flight, 0);
    c.request_buffers = host.dma_alloc(std::uint64_t{params_.request_bytes} * params_.in_flight, 64);
    if (params_.response_bytes > 0)
      c.response_buffers = host.dma_alloc(std::uint64_t{params_.response_bytes} * params_.in_flight, 64);
    if (c.request_buffers == 0 || (params_.response_bytes > 0 && c.response_buffers == 0)) {
      error("out of DMA memory for the buffers of connection " + std::to_string(i));
      return false;
    }
  }
  for (std::uint32_t i = 0; i < params_.connections; ++i) {
    if (!drv.connect(params_.endpoint.connect_params(static_cast<std::uint16_t>(i)))) {
      error("connect: " + drv.last_error());
      return false;
    }
    ++results_.connections_established;
  }
  return true;
}

// Posts one request (and first, if responses carry data, the buffer its
// response lands in). No doorbell: the caller rings once per batch.
bool RequestResponse::post_request(Driver& drv, HostInterface& host, std::uint16_t conn) {
  Conn& c = conns_[conn];
  const std::uint32_t index = c.next_post;
  const std::uint32_t slot = index % params_.in_flight;
  if (params_.response_bytes > 0) {
    const std::uint64_t rx = c.response_buffers + std::uint64_t{slot} * params_.response_bytes;
    if (!drv.post(Sqe{abi::Opcode::kPostRecv, 0, conn, params_.response_bytes, rx, cookie_of(conn, index)})) {
      error("POST_RECV of conn " + std::to_string(conn) + ": " + drv.last_error());
      return false;
    }
  }
  const std::uint64_t addr = c.request_buffers + std::uint64_t{slot} * params_.request_bytes;
  scratch_.resize(params_.request_bytes);
  PayloadPattern::instance().fill(conn, std::uint64_t{index} * params_.request_bytes, scratch_.data(),
                                  scratch_.size());
  host.mem_write(addr, scratch_.data(), scratch_.size());
  c.post_ns[slot] = host.now_ns();
  if (!drv.post_send(conn, addr, params_.request_bytes, cookie_of(conn, index))) {
    error("SEND of conn " + std::to_string(conn) + " request " + std::to_string(index) + ": " + drv.last_error());
    return false;
  }
  if (results_.messages_posted == 0) results_.start_ns = c.post_ns[slot];
  ++c.next_post;
  ++results_.messages_posted;
  return true;
}

// Posts every request whose connection has room and has finished thinking.
void RequestResponse::post_due(Driver& drv, HostInterface& host) {
  const std::uint64_t now = host.now_ns();
  for (std::uint16_t i = 0; i < conns_.size(); ++i) {
    Conn& c = conns_[i];
    while (!c.closed && c.next_post < c.total && c.next_post - c.next_done < params_.in_flight &&
           now >= c.next_allowed_ns) {
      if (!post_request(drv, host, i)) {
        c.closed = true;  // stop using it; the error is recorded
        break;
      }
    }
  }
  drv.ring();
}

// How long to wait for a completion: until the earliest think time ends,
// else the stall timeout.
std::uint64_t RequestResponse::wait_budget(HostInterface& host) const {
  const std::uint64_t now = host.now_ns();
  std::uint64_t budget = params_.stall_timeout_ns;
  for (const Conn& c : conns_) {
    if (c.closed || c.next_post >= c.total || c.next_post - c.next_done >= params_.in_flight) continue;
    if (c.next_allowed_ns > now) budget = std::min(budget, c.next_allowed_ns - now);
  }
  return std::max<std::uint64_t>(budget, 1);
}

void RequestResponse::loop(Driver& drv, HostInterface& host) {
  post_due(drv, host);
  std::uint64_t idle_since = host.now_ns();
  while (done_count() < params_.requests) {
    Completion c;
    if (drv.wait_completion(c, wait_budget(host))) {
      do on_completion(host, c);
      while (drv.next_completion(c));
      idle_since = host.now_ns();
    } else if (host.now_ns() - idle_since >= params_.stall_timeout_ns) {
      error("stalled: " + std::to_string(done_count()) + " of " + std::to_string(params_.requests) +
            " requests answered after " + std::to_string(params_.stall_timeout_ns) + " ns without a completion");
      return;
    }
    post_due(drv, host);
    bool all_stopped = true;
    for (const Conn& k : conns_) all_stopped = all_stopped && k.closed;
    if (all_stopped) return;
  }
}

void RequestResponse::on_completion(HostInterface& host, const Completion& c) {
  switch (c.type) {
    case abi::CqeType::kSendDone: return on_send_done(host, c);
    case abi::CqeType::kRecvDone: return on_recv_done(host, c);
    case abi::CqeType::kError:
      error(describe(c));
      if (c.conn_id < conns_.size()) conns_[c.conn_id].closed = true;  // it cannot go on in order
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

// A response buffer came back: check its bytes against the peer's pattern
// (reverse stream of the connection, at the response stream offset).
void RequestResponse::on_recv_done(HostInterface& host, const Completion& c) {
  const auto conn = static_cast<std::uint16_t>(c.cookie >> 32);
  const auto index = static_cast<std::uint32_t>(c.cookie);
  if (conn >= conns_.size() || c.conn_id != conn) return error("RECV_DONE with a foreign cookie: " + describe(c));
  Conn& k = conns_[conn];
  if (c.status != abi::Status::kOk || c.length > params_.response_bytes) {
    k.closed = true;
    return error("bad RECV_DONE: " + describe(c));
  }
  const std::uint64_t addr = k.response_buffers + std::uint64_t{index % params_.in_flight} * params_.response_bytes;
  scratch_.resize(c.length);
  host.mem_read(addr, scratch_.data(), c.length);
  if (!PayloadPattern::instance().matches(kReverseStreamKeyBase + conn, k.bytes_received, scratch_.data(), c.length))
    error("response bytes of conn " + std::to_string(conn) + " at offset " + std::to_string(k.bytes_received) +
          " differ from the peer's pattern");
  k.bytes_received += c.length;
  finish_answered(host, conn);
}

void RequestResponse::on_send_done(HostInterface& host, const Completion& c) {
  const auto conn = static_cast<std::uint16_t>(c.cookie >> 32);
  const auto index = static_cast<std::uint32_t>(c.cookie);
  if (conn >= conns_.size() || c.conn_id != conn) return error("SEND_DONE with a foreign cookie: " + describe(c));
  Conn& k = conns_[conn];
  if (index != k.sends_done) return error("SEND_DONE out of order (expected request " + std::to_string(k.sends_done) + "): " + describe(c));
  if (c.status != abi::Status::kOk) {
    k.closed = true;
    return error("SEND_DONE not OK: " + describe(c));
  }
  ++k.sends_done;
  results_.bytes_completed += params_.request_bytes;
  finish_answered(host, conn);
}

// Completes, in order, every request whose response is complete.
void RequestResponse::finish_answered(HostInterface& host, std::uint16_t conn) {
  Conn& k = conns_[conn];
  const std::uint64_t now = host.now_ns();
  auto answered = [&](std::uint32_t i) {
    if (i >= k.sends_done) return false;
    return params_.response_bytes == 0 || k.bytes_received >= std::uint64_t{i + 1} * params_.response_bytes;
  };
  while (k.next_done < k.next_post && answered(k.next_done)) {
    const std::uint32_t slot = k.next_done % params_.in_flight;
    results_.messages.push_back({conn, k.next_done, k.post_ns[slot], now});
    ++results_.messages_completed;
    results_.end_ns = now;
    ++k.next_done;
    k.next_allowed_ns = now + params_.think_ns;
  }
}

void RequestResponse::close_all(Driver& drv) {
  std::vector<std::uint16_t> established;
  for (std::uint16_t i = 0; i < conns_.size(); ++i)
    if (!conns_[i].closed && drv.conn_state(i) == ConnState::kEstablished) established.push_back(i);
  const bool ok = drv.close_all(established, params_.close_timeout_ns, [&](const Completion& c) {
    if (c.type == abi::CqeType::kConnEvent && c.event == abi::ConnEvent::kClosed) ++results_.connections_closed;
    else if (c.type == abi::CqeType::kError || c.type == abi::CqeType::kSendDone) error("during close: " + describe(c));
  });
  if (!ok) error(drv.last_error());
}

}  // namespace toevp::fw
