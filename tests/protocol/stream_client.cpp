// StreamClient: see stream_client.h.
#include "tests/protocol/stream_client.h"

#include <algorithm>
#include <deque>

#include "firmware/abi_strings.h"
#include "firmware/examples/payload_pattern.h"
#include "tests/platform/platform_harness.h"

namespace toevp::tb::test {

namespace {

constexpr std::uint64_t kRecvCookie = 1ull << 62;

std::uint64_t send_cookie(std::uint16_t conn, std::uint32_t index) { return (std::uint64_t{conn} << 32) | index; }
std::uint64_t recv_cookie(std::uint16_t conn, std::uint32_t slot) {
  return kRecvCookie | (std::uint64_t{conn} << 32) | slot;
}

class StreamClient {
 public:
  StreamClient(fw::HostInterface& host, const StreamClientParams& p, StreamClientResult& r)
      : host_(host), p_(p), r_(r), drv_(host) {}

  void run() {
    if (!setup()) return;
    stream();
    if (r_.errors.empty() && p_.close) close_all();
    if (p_.linger_ns) host_.delay_ns(p_.linger_ns);
    for (const auto& e : drv_.error_log()) error("driver: " + e);
    r_.finished = true;
  }

 private:
  struct Conn {
    std::uint64_t send_buf = 0, recv_buf = 0;
    std::uint32_t next_post = 0, next_done = 0;
    std::uint32_t base_seq = 0;      // snd_nxt when first offloaded: stream offset 0
    std::uint64_t recv_offset = 0;   // bytes received so far
    std::deque<std::uint32_t> recv_posted;  // slots, in posting order
    std::vector<std::uint32_t> recv_idle;   // slots handed back, to post again
    std::vector<std::uint32_t> aborted;     // messages handed back by UPLOAD_CONN
    bool uploading = false, uploaded = false, closed = false, fin = false;
  };

  void error(std::string e) { r_.errors.push_back(std::move(e)); }

  bool setup() {
    fw::DriverConfig dc;
    dc.tcb_entries = std::max<std::uint32_t>(p_.tcb_entries, p_.connections);
    dc.sq_entries = 1024;
    dc.cq_entries = 4096;
    if (!drv_.init(dc)) {
      error("driver init: " + drv_.last_error());
      return false;
    }
    conns_.assign(p_.connections, Conn{});
    for (unsigned i = 0; i < p_.connections; ++i) {
      Conn& c = conns_[i];
      c.send_buf = host_.dma_alloc(std::uint64_t{p_.message_bytes} * p_.outstanding, 64);
      if (p_.recv_buffers) c.recv_buf = host_.dma_alloc(std::uint64_t{p_.recv_buffer_bytes} * p_.recv_buffers, 64);
      const auto conn = static_cast<std::uint16_t>(i);
      if (!drv_.connect(connect_params(conn, p_.timestamps))) {
        error("connect " + std::to_string(i) + ": " + drv_.last_error());
        return false;
      }
      c.base_seq = drv_.offloaded_pcb(conn).snd_nxt;
      r_.initial_snd_nxt.push_back(c.base_seq);
      for (std::uint32_t s = 0; s < p_.recv_buffers; ++s) c.recv_idle.push_back(s);
    }
    return true;
  }

  bool conn_done(const Conn& c) const {
    return c.closed || (c.next_done == p_.messages_per_conn && c.recv_offset >= p_.expect_recv_bytes);
  }
  bool all_done() const {
    return std::all_of(conns_.begin(), conns_.end(), [&](const Conn& c) { return conn_done(c); });
  }

  void stream() {
    for (std::uint16_t i = 0; i < conns_.size(); ++i) refill(i);
    drv_.ring();
    while (!all_done()) {
      fw::Completion c;
      if (!drv_.wait_completion(c, p_.stall_timeout_ns)) return error("stalled: no completion for " +
                                                                       std::to_string(p_.stall_timeout_ns) + " ns");
      do on_completion(c);
      while (drv_.next_completion(c));
      for (std::uint16_t i = 0; i < conns_.size(); ++i) {
        Conn& k = conns_[i];
        if (p_.upload_after && !k.uploaded && !k.closed && k.next_done >= p_.upload_after) upload(i);
        refill(i);
      }
      drv_.ring();
      if (!r_.errors.empty()) return;
    }
  }

  // Posts messages up to `outstanding` and the idle receive buffers (no doorbell).
  void refill(std::uint16_t i) {
    Conn& c = conns_[i];
    if (c.closed || c.uploading) return;
    while (c.next_post < p_.messages_per_conn && c.next_post - c.next_done < p_.outstanding) post_message(i, c.next_post++, 0);
    for (std::uint32_t s : c.recv_idle) {
      const std::uint64_t addr = c.recv_buf + std::uint64_t{s} * p_.recv_buffer_bytes;
      if (!drv_.post(fw::Sqe{abi::Opcode::kPostRecv, 0, i, p_.recv_buffer_bytes, addr, recv_cookie(i, s)}))
        return error("POST_RECV: " + drv_.last_error());
      c.recv_posted.push_back(s);
    }
    c.recv_idle.clear();
  }

  // Message `index` from byte `skip` on (skip > 0: the unacked tail after an UPLOAD).
  void post_message(std::uint16_t i, std::uint32_t index, std::uint32_t skip) {
    Conn& c = conns_[i];
    const std::uint64_t addr = c.send_buf + std::uint64_t{index % p_.outstanding} * p_.message_bytes;
    if (skip == 0) fill_pattern(host_, addr, i, std::uint64_t{index} * p_.message_bytes, p_.message_bytes);
    if (!drv_.post_send(i, addr + skip, p_.message_bytes - skip, send_cookie(i, index)))
      error("SEND: " + drv_.last_error());
  }

  void on_completion(const fw::Completion& c) {
    const std::string what = fw::describe(c);
    if (c.conn_id >= conns_.size()) return error("completion for a foreign connection: " + what);
    Conn& k = conns_[c.conn_id];
    switch (c.type) {
      case abi::CqeType::kSendDone: return on_send_done(k, c, what);
      case abi::CqeType::kRecvDone: return on_recv_done(k, c, what);
      case abi::CqeType::kConnEvent:
        if (c.event == abi::ConnEvent::kFinReceived) {
          k.fin = true;
          ++r_.fins;
          return;
        }
        if (c.event == abi::ConnEvent::kClosed) {
          k.closed = true;
          ++r_.closed;
          return;
        }
        k.closed = true;
        return error("connection ended: " + what);
      case abi::CqeType::kUploadDone: return;  // upload() waits for it through the driver
      default: return error("unexpected completion: " + what);
    }
  }

  void on_send_done(Conn& k, const fw::Completion& c, const std::string& what) {
    const auto index = static_cast<std::uint32_t>(c.cookie);
    if ((c.cookie >> 32) != c.conn_id) return error("SEND_DONE with a foreign cookie: " + what);
    if (c.status == abi::Status::kAborted) {
      if (!k.uploading) return error("ABORTED outside an UPLOAD: " + what);
      if (index < k.next_done || index >= k.next_post) return error("ABORTED for no held message: " + what);
      k.aborted.push_back(index);
      ++r_.aborted;
      return;
    }
    if (c.status != abi::Status::kOk) return error("SEND_DONE not OK: " + what);
    if (index != k.next_done) return error("SEND_DONE out of order (expected " + std::to_string(k.next_done) + "): " + what);
    ++k.next_done;
    ++r_.messages_done;
  }

  void on_recv_done(Conn& k, const fw::Completion& c, const std::string& what) {
    const auto slot = static_cast<std::uint32_t>(c.cookie);
    if (!(c.cookie & kRecvCookie) || k.recv_posted.empty() || k.recv_posted.front() != slot)
      return error("RECV_DONE not for the oldest posted buffer: " + what);
    k.recv_posted.pop_front();
    k.recv_idle.push_back(slot);
    ++r_.recv_done;
    // Unused buffers come back empty from an UPLOAD or once both sides closed.
    if (c.status == abi::Status::kAborted && c.length == 0 && (k.uploading || k.fin)) return;
    if (c.status != abi::Status::kOk) return error("RECV_DONE not OK: " + what);
    if (c.length > p_.recv_buffer_bytes) return error("RECV_DONE longer than the buffer: " + what);
    std::vector<std::uint8_t> bytes(c.length);
    host_.mem_read(k.recv_buf + std::uint64_t{slot} * p_.recv_buffer_bytes, bytes.data(), bytes.size());
    const auto key = fw::kReverseStreamKeyBase + c.conn_id;
    if (!fw::PayloadPattern::instance().matches(key, k.recv_offset, bytes.data(), bytes.size()))
      return error("received bytes differ from the peer's at stream offset " + std::to_string(k.recv_offset));
    k.recv_offset += c.length;
    r_.bytes_received += c.length;
  }

  // UPLOAD_CONN, then OFFLOAD_CONN of the uploaded TCB with snd_nxt set back
  // to snd_una, and every unacked byte posted again from there.
  void upload(std::uint16_t i) {
    Conn& k = conns_[i];
    k.uploading = k.uploaded = true;
    fw::Pcb pcb;
    if (!drv_.upload(i, &pcb)) return error("UPLOAD: " + drv_.last_error());
    ++r_.uploads;
    r_.uploaded.push_back(pcb);
    fw::Completion c;
    while (drv_.next_completion(c)) on_completion(c);  // everything before UPLOAD_DONE
    if (p_.upload_pause_ns) host_.delay_ns(p_.upload_pause_ns);
    if (pcb.state != abi::kTcbUploaded) error("uploaded TCB state " + std::to_string(pcb.state));
    const std::uint64_t acked = static_cast<std::uint32_t>(pcb.snd_una - k.base_seq);
    const std::uint32_t held = k.next_post - k.next_done;
    if (k.aborted.size() != held) error("UPLOAD aborted " + std::to_string(k.aborted.size()) + " of " + std::to_string(held) + " held messages");
    if (pcb.msg_unacked != held) error("msg_unacked " + std::to_string(pcb.msg_unacked) + ", " + std::to_string(held) + " held");
    if (acked < std::uint64_t{k.next_done} * p_.message_bytes || acked > std::uint64_t{k.next_post} * p_.message_bytes)
      error("uploaded snd_una at stream offset " + std::to_string(acked) + " outside the held messages");
    pcb.state = abi::kTcbEstablished;
    pcb.snd_nxt = pcb.snd_una;  // resend from the oldest unacked byte
    // snd_max and bytes_unacked stay as UPLOAD wrote them (docs/abi.md): the
    // NIC then accepts the peer's ACKs of bytes the last incarnation sent.
    if (p_.reoffload_mss) pcb.mss = p_.reoffload_mss;
    if (!drv_.offload_pcb(i, pcb)) return error("re-OFFLOAD: " + drv_.last_error());
    k.uploading = false;
    for (std::uint32_t index : k.aborted) {
      const std::uint64_t start = std::uint64_t{index} * p_.message_bytes;
      const auto skip = static_cast<std::uint32_t>(acked > start ? acked - start : 0);
      post_message(i, index, skip);
      r_.reposted_bytes += p_.message_bytes - skip;
    }
    k.aborted.clear();
  }

  void close_all() {
    for (std::uint16_t i = 0; i < conns_.size(); ++i)
      if (!conns_[i].closed && !drv_.close(i)) error("CLOSE: " + drv_.last_error());
    auto settled = [&] {
      return std::all_of(conns_.begin(), conns_.end(), [](const Conn& c) { return c.closed && c.fin; });
    };
    while (!settled()) {
      fw::Completion c;
      if (!drv_.wait_completion(c, p_.stall_timeout_ns)) return error("close: connections not closed");
      on_completion(c);
    }
    // The NIC still ACKs the peer's FINs and then lets the connections go;
    // the test looks at its tables after that.
    host_.delay_ns(100'000);
  }

  fw::HostInterface& host_;
  const StreamClientParams& p_;
  StreamClientResult& r_;
  fw::Driver drv_;
  std::vector<Conn> conns_;
};

}  // namespace

int run_stream_client(fw::HostInterface& host, const StreamClientParams& params, StreamClientResult& result) {
  StreamClient(host, params, result).run();
  return result.errors.empty() ? 0 : 1;
}

}  // namespace toevp::tb::test
