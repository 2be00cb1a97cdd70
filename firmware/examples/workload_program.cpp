// workload example firmware; see workload_program.h.
#include "firmware/examples/workload_program.h"

#include <algorithm>
#include <stdexcept>

#include "firmware/abi_strings.h"
#include "firmware/examples/payload_pattern.h"

namespace toevp::fw {

namespace {

std::uint64_t cookie_of(std::uint16_t conn, std::uint32_t index) { return (std::uint64_t{conn} << 32) | index; }

}  // namespace

WorkloadProgramParams WorkloadProgramParams::from(const ProgramParams& params) {
  ParamReader r(params);
  WorkloadProgramParams p;
  p.stall_timeout_ns = r.u64("stall_timeout_ns", p.stall_timeout_ns);
  p.close_timeout_ns = r.u64("close_timeout_ns", p.close_timeout_ns);
  p.close = r.boolean("close", p.close);
  p.endpoint.read(r);
  p.workload = WorkloadSpec::read(r);
  p.workload.seed = p.endpoint.driver.seed;  // one seed: "seed" is the driver's too
  r.finish("workload");
  if (p.endpoint.local_port_base + std::uint64_t{p.workload.connections} > 65536)
    throw std::invalid_argument("local_port_base + connections exceeds 65535");
  p.endpoint.driver.tcb_entries = std::max(p.endpoint.driver.tcb_entries, p.workload.connections);
  return p;
}

WorkloadProgram::WorkloadProgram(const WorkloadProgramParams& params) : params_(params) {
  params_.workload.check();
  params_.endpoint.driver.tcb_entries = std::max(params_.endpoint.driver.tcb_entries, params_.workload.connections);
}

void WorkloadProgram::error(std::string message) {
  if (results_.first_error.empty()) results_.first_error = message + " (seed " + std::to_string(params_.workload.seed) + ")";
  results_.errors.push_back(std::move(message));
}

int WorkloadProgram::run(HostInterface& host) {
  results_ = ProgramResults{};
  results_.connections = params_.workload.connections;
  source_.emplace(params_.workload);
  head_.reset();
  next_arrival_.reset();
  dropped_ = backlog_ = 0;
  open_loop_ = params_.workload.arrival != Arrival::kClosed;
  const std::uint64_t total = source_->total();
  const WorkloadSpec& w = params_.workload;
  results_.offered.description = w.describe();
  results_.offered.mean_bytes = w.mean_bytes();
  results_.offered.mean_response_bytes = w.mean_response_bytes();
  if (w.arrival == Arrival::kFixed || w.arrival == Arrival::kPoisson) results_.offered.mean_interval_ns = w.mean_interval_ns();
  Driver drv(host);
  if (setup(drv, host)) {
    traffic(drv, host);
    if (params_.close) close_all(drv);
  }
  for (const auto& e : drv.error_log())
    if (std::find(results_.errors.begin(), results_.errors.end(), e) == results_.errors.end()) error(e);
  results_.driver = drv.stats();
  results_.ok = results_.errors.empty() && results_.messages_completed == total;
  if (results_.ok) return 0;
  if (results_.first_error.empty())
    error("only " + std::to_string(results_.messages_completed) + " of " + std::to_string(total) + " messages completed");
  return 1;
}

bool WorkloadProgram::setup(Driver& drv, HostInterface& host) {
  if (!drv.init(params_.endpoint.driver)) {
    error("driver init: " + drv.last_error());
    return false;
  }
  const WorkloadSpec& w = params_.workload;
  max_bytes_ = w.sizes.largest(w.trace.get(), false);
  max_response_ = w.request_response ? w.responses.largest(w.trace.get(), true) : 0;
  conns_.assign(w.connections, Conn{});
  for (std::uint32_t i = 0; i < w.connections; ++i) {
    Conn& c = conns_[i];
    c.slots.assign(w.outstanding_per_conn, Slot{});
    c.send_buffers = host.dma_alloc(std::uint64_t{max_bytes_} * w.outstanding_per_conn, 64);
    if (max_response_ > 0) c.recv_buffers = host.dma_alloc(std::uint64_t{max_response_} * w.outstanding_per_conn, 64);
    if (c.send_buffers == 0 || (max_response_ > 0 && c.recv_buffers == 0)) {
      error("out of DMA memory for the buffers of connection " + std::to_string(i) + " (" +
            std::to_string(w.outstanding_per_conn) + " x " + std::to_string(max_bytes_) + " B" +
            (max_response_ > 0 ? " + " + std::to_string(w.outstanding_per_conn) + " x " + std::to_string(max_response_) + " B" : "") +
            " per connection)");
      return false;
    }
  }
  for (std::uint32_t i = 0; i < w.connections; ++i) {
    if (!drv.connect(params_.endpoint.connect_params(static_cast<std::uint16_t>(i)))) {
      error("connect: " + drv.last_error());
      return false;
    }
    conns_[i].established = true;
    ++results_.connections_established;
  }
  return true;
}

bool WorkloadProgram::has_room(const Conn& c) const {
  return !c.closed && c.next_post - c.next_done < params_.workload.outstanding_per_conn;
}

// Messages the run has finished with: done, dropped, or stuck on a
// connection that stopped.
std::uint64_t WorkloadProgram::accounted() const {
  std::uint64_t n = results_.messages_completed + dropped_;
  for (const Conn& c : conns_)
    if (c.closed) n += (c.next_post - c.next_done) + c.backlog.size();
  return n;
}

// Closed loop: posts messages in sequence order while the next one's
// connection has room. Open loop: admits every message whose arrival time
// has come.
void WorkloadProgram::offer(Driver& drv, HostInterface& host) {
  if (!open_loop_) {
    while (true) {
      if (!head_ && source_->more()) head_ = source_->next();
      if (!head_) return;
      Conn& c = conns_[head_->conn];
      if (c.closed) {
        ++dropped_;
      } else if (has_room(c)) {
        if (!post(drv, host, *head_)) ++dropped_;
      } else {
        return;  // head of line: wait for this connection
      }
      head_.reset();
    }
  }
  const std::uint64_t now = host.now_ns();
  while (true) {
    if (!next_arrival_ && source_->more()) next_arrival_ = source_->next();
    if (!next_arrival_ || traffic_start_ns_ + next_arrival_->arrival_ns > now) return;
    admit(drv, host, *next_arrival_);
    next_arrival_.reset();
  }
}

// Open loop: an arrived message is posted now, or waits behind its
// connection's backlog.
void WorkloadProgram::admit(Driver& drv, HostInterface& host, const PlannedMessage& m) {
  Conn& c = conns_[m.conn];
  if (c.closed) {
    ++dropped_;
    return;
  }
  if (c.backlog.empty() && has_room(c)) {
    if (!post(drv, host, m)) ++dropped_;
    return;
  }
  c.backlog.push_back(m);
  ++backlog_;
  ++results_.offered.backlogged;
  results_.offered.backlog_peak = std::max(results_.offered.backlog_peak, backlog_);
}

// Fills the message's buffer slot with its pattern and posts it (no
// doorbell); for a request, first the buffer of its response.
bool WorkloadProgram::post(Driver& drv, HostInterface& host, const PlannedMessage& m) {
  const std::uint16_t conn = m.conn;
  Conn& c = conns_[conn];
  const std::uint32_t index = c.next_post;
  const std::uint32_t slot_no = index % params_.workload.outstanding_per_conn;
  Slot& s = c.slots[slot_no];
  const std::uint64_t cookie = cookie_of(conn, index);
  if (params_.workload.request_response) {
    if (observer_) observer_(conn, m.bytes, m.response_bytes);
    if (m.response_bytes > 0) {
      const std::uint64_t rx = c.recv_buffers + std::uint64_t{slot_no} * max_response_;
      if (!drv.post(Sqe{abi::Opcode::kPostRecv, 0, conn, m.response_bytes, rx, cookie})) {
        error("POST_RECV of conn " + std::to_string(conn) + ": " + drv.last_error());
        stop(conn);
        return false;
      }
    }
  }
  const std::uint64_t addr = c.send_buffers + std::uint64_t{slot_no} * max_bytes_;
  scratch_.resize(m.bytes);
  PayloadPattern::instance().fill(conn, c.stream_offset, scratch_.data(), scratch_.size());
  host.mem_write(addr, scratch_.data(), scratch_.size());
  const std::uint64_t now = host.now_ns();
  if (!drv.post_send(conn, addr, m.bytes, cookie)) {
    error("SEND of conn " + std::to_string(conn) + " message " + std::to_string(index) + ": " + drv.last_error());
    stop(conn);
    return false;
  }
  s.bytes = m.bytes;
  s.response_bytes = m.response_bytes;
  s.post_ns = now;
  c.response_posted += m.response_bytes;
  s.response_end = c.response_posted;
  c.stream_offset += m.bytes;
  ++c.next_post;
  OfferedLoad& o = results_.offered;
  if (results_.messages_posted == 0) results_.start_ns = o.first_post_ns = now;
  o.last_post_ns = now;
  ++results_.messages_posted;
  o.bytes_posted += m.bytes;
  o.response_bytes_expected += m.response_bytes;
  o.peak_outstanding_per_conn = std::max(o.peak_outstanding_per_conn, c.next_post - c.next_done);
  if (open_loop_) {
    const std::uint64_t delay = now - std::min(now, traffic_start_ns_ + m.arrival_ns);
    o.post_delay_sum_ns += delay;
    o.post_delay_max_ns = std::max(o.post_delay_max_ns, delay);
  }
  return true;
}

void WorkloadProgram::traffic(Driver& drv, HostInterface& host) {
  const std::uint64_t total = source_->total();
  traffic_start_ns_ = host.now_ns();
  offer(drv, host);
  drv.ring();
  std::uint64_t idle_since = host.now_ns();
  while (accounted() < total) {
    std::uint64_t budget = params_.stall_timeout_ns;
    if (open_loop_ && next_arrival_) {
      const std::uint64_t now = host.now_ns(), due = traffic_start_ns_ + next_arrival_->arrival_ns;
      budget = std::max<std::uint64_t>(1, due > now ? std::min(budget, due - now) : 1);
    }
    Completion c;
    if (drv.wait_completion(c, budget)) {
      do on_completion(drv, host, c);
      while (drv.next_completion(c));
      idle_since = host.now_ns();
    } else {
      bool outstanding = false;
      for (const Conn& k : conns_) outstanding = outstanding || (!k.closed && k.next_post != k.next_done);
      if (!outstanding) idle_since = host.now_ns();  // waiting for arrivals, not for the NIC
      if (host.now_ns() - idle_since >= params_.stall_timeout_ns) {
        error("stalled: " + std::to_string(results_.messages_completed) + " of " + std::to_string(total) +
              " messages done after " + std::to_string(params_.stall_timeout_ns) + " ns without a completion");
        return;
      }
    }
    if (open_loop_) offer(drv, host);
    drv.ring();  // one doorbell for everything posted in this batch
    if (std::all_of(conns_.begin(), conns_.end(), [](const Conn& k) { return k.closed; })) return;
  }
}

void WorkloadProgram::stop(std::uint16_t conn) {
  Conn& c = conns_[conn];
  if (c.closed) return;
  c.closed = true;
  backlog_ -= c.backlog.size();
}

void WorkloadProgram::on_completion(Driver& drv, HostInterface& host, const Completion& c) {
  switch (c.type) {
    case abi::CqeType::kSendDone: return on_send_done(drv, host, c);
    case abi::CqeType::kRecvDone: return on_recv_done(drv, host, c);
    case abi::CqeType::kError:
      error(describe(c));
      if (c.conn_id < conns_.size()) stop(c.conn_id);  // it cannot go on in order
      return;
    case abi::CqeType::kConnEvent:
      // The peer closing its side (typically in answer to our FIN) is normal.
      if (c.event == abi::ConnEvent::kFinReceived) return;
      if (c.conn_id < conns_.size()) stop(c.conn_id);
      if (c.event == abi::ConnEvent::kClosed) {
        ++results_.connections_closed;
        return;
      }
      return error(describe(c));  // RST_RECEIVED or TIMEOUT
    default: return error("unexpected completion: " + describe(c));
  }
}

void WorkloadProgram::on_send_done(Driver& drv, HostInterface& host, const Completion& c) {
  const auto conn = static_cast<std::uint16_t>(c.cookie >> 32);
  const auto index = static_cast<std::uint32_t>(c.cookie);
  if (conn >= conns_.size() || c.conn_id != conn) return error("SEND_DONE with a foreign cookie: " + describe(c));
  Conn& k = conns_[conn];
  if (index < k.sends_done) return error("duplicate SEND_DONE: " + describe(c));
  if (index != k.sends_done)
    return error("SEND_DONE out of order (expected message " + std::to_string(k.sends_done) + "): " + describe(c));
  if (index >= k.next_post) return error("SEND_DONE for a message never posted: " + describe(c));
  const Slot& s = k.slots[index % params_.workload.outstanding_per_conn];
  if (c.status != abi::Status::kOk) {
    error("SEND_DONE not OK: " + describe(c));
    return stop(conn);
  }
  if (c.length != s.bytes) error("SEND_DONE with a wrong length (posted " + std::to_string(s.bytes) + "): " + describe(c));
  ++k.sends_done;
  results_.bytes_completed += s.bytes;
  finish_done(drv, host, conn);
}

// A response buffer came back: its bytes must be the peer's pattern of the
// connection's reverse stream at the response stream offset.
void WorkloadProgram::on_recv_done(Driver& drv, HostInterface& host, const Completion& c) {
  const auto conn = static_cast<std::uint16_t>(c.cookie >> 32);
  const auto index = static_cast<std::uint32_t>(c.cookie);
  if (conn >= conns_.size() || c.conn_id != conn) return error("RECV_DONE with a foreign cookie: " + describe(c));
  Conn& k = conns_[conn];
  if (c.status == abi::Status::kAborted && c.length == 0) return;  // handed back unused at the connection's end
  const Slot& s = k.slots[index % params_.workload.outstanding_per_conn];
  if (c.status != abi::Status::kOk || index >= k.next_post || c.length > s.response_bytes) {
    error("bad RECV_DONE: " + describe(c));
    return stop(conn);
  }
  const std::uint64_t addr = k.recv_buffers + std::uint64_t{index % params_.workload.outstanding_per_conn} * max_response_;
  scratch_.resize(c.length);
  host.mem_read(addr, scratch_.data(), c.length);
  if (!PayloadPattern::instance().matches(kReverseStreamKeyBase + conn, k.response_received, scratch_.data(), c.length))
    error("response bytes of conn " + std::to_string(conn) + " at offset " + std::to_string(k.response_received) +
          " differ from the peer's pattern");
  k.response_received += c.length;
  results_.offered.response_bytes_received += c.length;
  finish_done(drv, host, conn);
}

// Completes, in order, every message of `conn` that is done, and refills its
// window (closed loop: the sequence may go on; open loop: its backlog).
void WorkloadProgram::finish_done(Driver& drv, HostInterface& host, std::uint16_t conn) {
  Conn& k = conns_[conn];
  const std::uint64_t now = host.now_ns();
  bool freed = false;
  while (k.next_done < k.next_post && k.next_done < k.sends_done) {
    const Slot& s = k.slots[k.next_done % params_.workload.outstanding_per_conn];
    if (k.response_received < s.response_end) break;
    results_.messages.push_back({conn, k.next_done, s.post_ns, now, s.bytes, s.response_bytes});
    ++results_.messages_completed;
    results_.end_ns = now;
    ++k.next_done;
    freed = true;
  }
  if (!freed) return;
  if (!open_loop_) return offer(drv, host);
  while (!k.backlog.empty() && has_room(k)) {
    const PlannedMessage m = k.backlog.front();
    k.backlog.pop_front();
    --backlog_;
    if (!post(drv, host, m)) ++dropped_;
  }
}

void WorkloadProgram::close_all(Driver& drv) {
  std::vector<std::uint16_t> established;
  for (std::uint16_t i = 0; i < conns_.size(); ++i)
    if (conns_[i].established && drv.conn_state(i) == ConnState::kEstablished) established.push_back(i);
  const bool ok = drv.close_all(established, params_.close_timeout_ns, [&](const Completion& c) {
    if (c.type == abi::CqeType::kConnEvent && c.event == abi::ConnEvent::kClosed) ++results_.connections_closed;
    else if (c.type == abi::CqeType::kRecvDone && c.status == abi::Status::kAborted) return;
    else if (c.type == abi::CqeType::kConnEvent && c.event == abi::ConnEvent::kFinReceived) return;
    else error("during close: " + describe(c));
  });
  if (!ok) error(drv.last_error());
}

}  // namespace toevp::fw
