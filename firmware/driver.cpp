// The toevp driver; see driver.h for the API and docs/abi.md for the rules
// of the rings, the PCB and the commands it follows.
#include "firmware/driver.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <set>

#include "firmware/abi_strings.h"
#include "model/abi/toevp_regs.h"

namespace toevp::fw {

namespace {

constexpr std::uint32_t kAbiMajor = 1;
constexpr std::size_t kRingAlign = 4096;
constexpr std::size_t kBufferAlign = 64;
// ARP answers waiting for a raw transmit buffer; more are dropped (counted):
// a requester that got no answer asks again, as resolve() does.
constexpr std::size_t kArpReplyBacklog = 16;

bool power_of_two_in(std::uint32_t v, std::uint32_t lo, std::uint32_t hi) {
  return v >= lo && v <= hi && (v & (v - 1)) == 0;
}

std::uint32_t field(std::uint32_t value, std::uint32_t mask, std::uint32_t shift) {
  return (value & mask) >> shift;
}

std::string hex(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

// Names of the ERR_STATUS bits that are set, for init() errors.
std::string err_status_names(std::uint32_t v) {
  static constexpr std::array<std::pair<std::uint32_t, const char*>, 8> kBits = {{
      {TOEVP_ERR_STATUS_SQ_CONFIG_MASK, "SQ_CONFIG"},
      {TOEVP_ERR_STATUS_CQ_CONFIG_MASK, "CQ_CONFIG"},
      {TOEVP_ERR_STATUS_SQ_TAIL_RANGE_MASK, "SQ_TAIL_RANGE"},
      {TOEVP_ERR_STATUS_CQ_HEAD_RANGE_MASK, "CQ_HEAD_RANGE"},
      {TOEVP_ERR_STATUS_DMA_MASK, "DMA"},
      {TOEVP_ERR_STATUS_TCB_CONFIG_MASK, "TCB_CONFIG"},
      {TOEVP_ERR_STATUS_MMIO_MASK, "MMIO"},
      {TOEVP_ERR_STATUS_NOT_ENABLED_MASK, "NOT_ENABLED"},
  }};
  std::string out;
  for (const auto& [mask, name] : kBits) {
    if ((v & mask) == 0) continue;
    if (!out.empty()) out += "|";
    out += name;
  }
  return out.empty() ? hex(v) : out;
}

}  // namespace

const char* to_string(ConnState state) {
  switch (state) {
    case ConnState::kFree: return "FREE";
    case ConnState::kConnecting: return "CONNECTING";
    case ConnState::kOffloading: return "OFFLOADING";
    case ConnState::kEstablished: return "ESTABLISHED";
    case ConnState::kClosing: return "CLOSING";
    case ConnState::kClosed: return "CLOSED";
    case ConnState::kUploading: return "UPLOADING";
    case ConnState::kUploaded: return "UPLOADED";
  }
  return "UNKNOWN";
}

Driver::Driver(HostInterface& host) : host_(host) {}

bool Driver::fail(std::string message) {
  last_error_ = std::move(message);
  return false;
}

// ---------------------------------------------------------------------------
// init
// ---------------------------------------------------------------------------

bool Driver::init(const DriverConfig& config) {
  config_ = config;
  ready_ = false;
  if (!power_of_two_in(config.sq_entries, 2, 65536) || !power_of_two_in(config.cq_entries, 2, 65536))
    return fail("sq_entries and cq_entries must be powers of two in 2..65536");
  if (config.tcb_entries == 0 || config.tcb_entries > 65535)
    return fail("tcb_entries must be in 1..65535");
  if (config.raw_rx_buffers == 0 || config.raw_tx_buffers == 0)
    return fail("raw_rx_buffers and raw_tx_buffers must be at least 1");
  if (config.arp.tries == 0 || config.arp.cache_entries == 0)
    return fail("arp.tries and arp.cache_entries must be at least 1");
  if (config.local_ip != 0 && (is_zero(config.local_mac) || is_multicast(config.local_mac)))
    return fail("local_ip " + to_dotted(config.local_ip) + " needs a unicast local_mac");
  arp_ = ArpAgent(config.arp.cache_entries);
  arp_replies_.clear();
  arp_.add_address(config.local_ip, config.local_mac);
  if (!check_identity()) return false;
  host_.mmio_write32(TOEVP_REG_CTRL, 0);
  host_.mmio_write32(TOEVP_REG_ERR_STATUS, 0xFFFFFFFFu);  // RW1C: clear all
  if (!allocate_memory()) return false;
  program_registers();
  if (!enable()) return false;
  ready_ = true;
  for (std::uint32_t i = 0; i < config_.raw_rx_buffers; ++i) raw_rx_to_post_.push_back(i);
  repost_raw_rx();
  ring();
  return true;
}

bool Driver::check_identity() {
  device_.id = host_.mmio_read32(TOEVP_REG_ID);
  if (device_.id != TOEVP_ID_RESET)
    return fail("ID register reads " + hex(device_.id) + ", expected " + hex(TOEVP_ID_RESET) + " ('TOE1')");
  device_.version = host_.mmio_read32(TOEVP_REG_VERSION);
  if ((device_.version >> 16) != kAbiMajor)
    return fail("ABI version " + hex(device_.version) + " has a major other than 1");
  device_.ctx_entries = host_.mmio_read32(TOEVP_REG_CAP_CTX_ENTRIES);
  const std::uint32_t cache = host_.mmio_read32(TOEVP_REG_CAP_TCB_CACHE);
  device_.tcb_cache_entries =
      field(cache, TOEVP_CAP_TCB_CACHE_ENTRIES_MASK, TOEVP_CAP_TCB_CACHE_ENTRIES_SHIFT);
  device_.tcb_cache_ways = field(cache, TOEVP_CAP_TCB_CACHE_WAYS_MASK, TOEVP_CAP_TCB_CACHE_WAYS_SHIFT);
  device_.mtu = host_.mmio_read32(TOEVP_REG_CAP_MTU);
  if (device_.mtu < 576 || device_.mtu > 65535)
    return fail("CAP_MTU reads " + std::to_string(device_.mtu) + ", not a usable MTU");
  return true;
}

std::uint64_t Driver::alloc_zeroed(std::size_t bytes, std::size_t align, const char* what) {
  const std::uint64_t addr = host_.dma_alloc(bytes, align);
  if (addr == 0) {
    fail(std::string("out of DMA memory allocating the ") + what + " (" + std::to_string(bytes) + " bytes)");
    return 0;
  }
  // The completion ring must start zeroed (phase 0 everywhere); the rest is
  // zeroed so a slot or buffer never shows stale data.
  const std::vector<std::uint8_t> zeros(bytes, 0);
  host_.mem_write(addr, zeros.data(), zeros.size());
  return addr;
}

bool Driver::allocate_memory() {
  raw_buffer_bytes_ = config_.raw_buffer_bytes != 0 ? config_.raw_buffer_bytes
                                                    : (device_.mtu + 14 + 63) / 64 * 64;
  sq_base_ = alloc_zeroed(std::size_t{config_.sq_entries} * abi::kSqeBytes, kRingAlign, "submission ring");
  cq_base_ = sq_base_ ? alloc_zeroed(std::size_t{config_.cq_entries} * abi::kCqeBytes, kRingAlign, "completion ring") : 0;
  tcb_base_ = cq_base_ ? alloc_zeroed(std::size_t{config_.tcb_entries} * abi::kTcbBytes, kRingAlign, "TCB table") : 0;
  raw_rx_base_ = tcb_base_ ? alloc_zeroed(std::size_t{config_.raw_rx_buffers} * raw_buffer_bytes_, kBufferAlign, "raw receive buffers") : 0;
  raw_tx_base_ = raw_rx_base_ ? alloc_zeroed(std::size_t{config_.raw_tx_buffers} * raw_buffer_bytes_, kBufferAlign, "raw transmit buffers") : 0;
  if (raw_tx_base_ == 0) return false;
  sq_.reset(host_, sq_base_, config_.sq_entries);
  cq_.reset(host_, cq_base_, config_.cq_entries);
  raw_tx_free_.clear();
  for (std::uint32_t i = config_.raw_tx_buffers; i > 0; --i) raw_tx_free_.push_back(i - 1);
  raw_rx_to_post_.clear();
  conns_.assign(config_.tcb_entries, ConnState::kFree);
  pcbs_.assign(config_.tcb_entries, Pcb{});
  conn_error_.assign(config_.tcb_entries, abi::Status::kOk);
  completions_.clear();
  owned_.clear();
  owned_by_send_.clear();
  rng_.seed(config_.seed);
  return true;
}

void Driver::program_registers() {
  auto write64 = [this](std::uint32_t lo_reg, std::uint32_t hi_reg, std::uint64_t v) {
    host_.mmio_write32(lo_reg, static_cast<std::uint32_t>(v));
    host_.mmio_write32(hi_reg, static_cast<std::uint32_t>(v >> 32));
  };
  write64(TOEVP_REG_SQ_BASE_LO, TOEVP_REG_SQ_BASE_HI, sq_base_);
  host_.mmio_write32(TOEVP_REG_SQ_SIZE, config_.sq_entries);
  write64(TOEVP_REG_CQ_BASE_LO, TOEVP_REG_CQ_BASE_HI, cq_base_);
  host_.mmio_write32(TOEVP_REG_CQ_SIZE, config_.cq_entries);
  write64(TOEVP_REG_TCB_BASE_LO, TOEVP_REG_TCB_BASE_HI, tcb_base_);
  host_.mmio_write32(TOEVP_REG_TCB_ENTRIES, config_.tcb_entries);
  host_.mmio_write32(TOEVP_REG_INT_MODERATION, config_.int_moderation_cycles);
  write64(TOEVP_REG_MSIX_ADDR_LO, TOEVP_REG_MSIX_ADDR_HI, host_.msi_address());
  host_.mmio_write32(TOEVP_REG_MSIX_DATA, host_.msi_data());
}

bool Driver::enable() {
  const std::uint32_t ctrl = TOEVP_CTRL_ENABLE_MASK | (config_.interrupts ? TOEVP_CTRL_INT_ENABLE_MASK : 0u);
  host_.mmio_write32(TOEVP_REG_CTRL, ctrl);
  // A read after the posted writes returns only once they have landed.
  const std::uint32_t err = host_.mmio_read32(TOEVP_REG_ERR_STATUS);
  const std::uint32_t status = host_.mmio_read32(TOEVP_REG_STATUS);
  if (err != 0) return fail("the NIC refused the configuration: ERR_STATUS " + err_status_names(err));
  if ((status & TOEVP_STATUS_RUNNING_MASK) == 0) return fail("STATUS.RUNNING stayed 0 after CTRL.ENABLE");
  return true;
}

// ---------------------------------------------------------------------------
// Submissions
// ---------------------------------------------------------------------------

bool Driver::wait_sq_space() {
  ++stats_.sq_full_waits;
  ring();  // the NIC cannot drain entries it was not told about
  const std::uint64_t deadline = host_.now_ns() + config_.command_timeout_ns;
  while (true) {
    if (sq_.refresh_head() && !sq_.full()) return true;
    reap();  // the NIC may be waiting for completion-ring space
    if (host_.now_ns() >= deadline) return fail("submission ring stayed full for " + std::to_string(config_.command_timeout_ns) + " ns");
    host_.delay_ns(config_.poll_interval_ns);
  }
}

bool Driver::post(const Sqe& sqe) {
  if (!ready_) return fail("driver not initialised");
  // The cached head is refreshed only when the ring looks full, so batching
  // is kept; a real wait rings the doorbell first.
  if (sq_.full() && !(sq_.refresh_head() && !sq_.full()) && !wait_sq_space()) return false;
  sq_.push(sqe);
  ++stats_.submissions;
  return true;
}

void Driver::ring() {
  if (!sq_.doorbell_pending()) return;
  sq_.ring();
  ++stats_.doorbells;
}

bool Driver::check_conn(std::uint16_t conn) {
  if (conn < conns_.size()) return true;
  return fail("conn " + std::to_string(conn) + " is beyond the TCB table (" + std::to_string(conns_.size()) + " slots)");
}

bool Driver::post_send(std::uint16_t conn, std::uint64_t bus_addr, std::uint32_t length,
                       std::uint64_t cookie) {
  // Only buffers the NIC will accept are tracked (a rejected SEND owns nothing).
  const bool track = config_.refuse_double_post && length > 0 && conn < conns_.size();
  if (track && !check_not_owned(conn, bus_addr, length)) return false;
  if (!post(Sqe{abi::Opcode::kSend, 0, conn, length, bus_addr, cookie})) return false;
  if (track) {
    const auto index = static_cast<std::uint16_t>((sq_.tail() + sq_.size() - 1) & (sq_.size() - 1));
    owned_[bus_addr] = OwnedBuffer{bus_addr + length, conn, index, cookie};
    owned_by_send_.emplace(std::make_tuple(conn, index, cookie), bus_addr);
  }
  return true;
}

bool Driver::check_not_owned(std::uint16_t conn, std::uint64_t addr, std::uint32_t length) {
  const std::uint64_t end = addr + length;
  auto it = owned_.upper_bound(addr);  // first buffer starting after addr
  const OwnedBuffer* hit = nullptr;
  std::uint64_t hit_start = 0;
  if (it != owned_.begin() && std::prev(it)->second.end > addr) {
    hit_start = std::prev(it)->first;
    hit = &std::prev(it)->second;
  } else if (it != owned_.end() && it->first < end) {
    hit_start = it->first;
    hit = &it->second;
  }
  if (hit == nullptr) return true;
  ++stats_.double_posts_refused;
  const std::string msg = "double posting refused: SEND buffer [" + hex(addr) + ", " + hex(end) + ") on conn " +
                          std::to_string(conn) + " overlaps [" + hex(hit_start) + ", " + hex(hit->end) +
                          ") of the SEND at SQ index " + std::to_string(hit->sq_index) + " (conn " +
                          std::to_string(hit->conn) + ", cookie " + hex(hit->cookie) +
                          "), which the NIC owns until its SEND_DONE";
  error_log_.push_back(msg);
  return fail(msg);
}

// Completions name a SEND by connection, SQ index and cookie; with equal
// keys the oldest goes first (a connection's SENDs complete in order).
void Driver::release_send(std::uint16_t conn, std::uint16_t sq_index, std::uint64_t cookie) {
  const auto key = std::make_tuple(conn, sq_index, cookie);
  const auto it = owned_by_send_.lower_bound(key);
  if (it == owned_by_send_.end() || it->first != key) return;
  owned_.erase(it->second);
  owned_by_send_.erase(it);
}

bool Driver::send(std::uint16_t conn, std::uint64_t bus_addr, std::uint32_t length,
                  std::uint64_t cookie) {
  if (!post_send(conn, bus_addr, length, cookie)) return false;
  ring();
  return true;
}

bool Driver::post_recv(std::uint16_t conn, std::uint64_t bus_addr, std::uint32_t length,
                       std::uint64_t cookie) {
  if (!post(Sqe{abi::Opcode::kPostRecv, 0, conn, length, bus_addr, cookie})) return false;
  ring();
  return true;
}

bool Driver::close(std::uint16_t conn) {
  if (!check_conn(conn)) return false;
  if (!post(Sqe{abi::Opcode::kClose, 0, conn, 0, 0, conn})) return false;
  ring();
  if (conns_[conn] == ConnState::kEstablished) conns_[conn] = ConnState::kClosing;
  return true;
}

bool Driver::close_all(const std::vector<std::uint16_t>& conns, std::uint64_t timeout_ns,
                       const std::function<void(const Completion&)>& seen) {
  std::string first_failure;
  auto failure = [&](std::string message) {
    error_log_.push_back(message);
    if (first_failure.empty()) first_failure = std::move(message);
  };
  std::set<std::uint16_t> open;
  for (std::uint16_t conn : conns) {
    if (!check_conn(conn) || !post(Sqe{abi::Opcode::kClose, 0, conn, 0, 0, conn})) {
      failure("CLOSE of conn " + std::to_string(conn) + ": " + last_error_);
      continue;
    }
    if (conns_[conn] == ConnState::kEstablished) conns_[conn] = ConnState::kClosing;
    open.insert(conn);
  }
  ring();
  while (!open.empty()) {
    Completion c;
    if (!wait_completion(c, timeout_ns)) {
      failure(std::to_string(open.size()) + " connections not closed " + std::to_string(timeout_ns) +
              " ns after the last completion (first: conn " + std::to_string(*open.begin()) + ")");
      break;
    }
    seen(c);
    if (c.type != abi::CqeType::kConnEvent || open.count(c.conn_id) == 0) continue;
    if (c.event == abi::ConnEvent::kClosed) {
      open.erase(c.conn_id);
    } else if (c.event == abi::ConnEvent::kRstReceived || c.event == abi::ConnEvent::kTimeout) {
      open.erase(c.conn_id);
      failure("conn " + std::to_string(c.conn_id) + " ended during close: " + describe(c));
    }
  }
  if (first_failure.empty()) return true;
  return fail(std::move(first_failure));
}

bool Driver::upload(std::uint16_t conn, Pcb* out) {
  if (!check_conn(conn)) return false;
  const ConnState before = conns_[conn];
  conns_[conn] = ConnState::kUploading;
  conn_error_[conn] = abi::Status::kOk;
  if (!post(Sqe{abi::Opcode::kUploadConn, 0, conn, 0, 0, conn})) {
    conns_[conn] = before;
    return false;
  }
  ring();
  if (!wait_until([&] { return conns_[conn] != ConnState::kUploading; }, config_.command_timeout_ns))
    return fail("no UPLOAD_DONE for conn " + std::to_string(conn));
  if (conns_[conn] != ConnState::kUploaded)
    return fail(std::string("UPLOAD_CONN of conn ") + std::to_string(conn) + " failed: " + to_string(conn_error_[conn]));
  std::array<std::uint8_t, abi::kTcbBytes> slot{};
  host_.mem_read(tcb_addr(conn), slot.data(), slot.size());
  if (out != nullptr) *out = decode_pcb(slot);
  return true;
}

bool Driver::offload_pcb(std::uint16_t conn, const Pcb& pcb) {
  if (!check_conn(conn)) return false;
  const ConnState s = conns_[conn];
  if (s == ConnState::kEstablished || s == ConnState::kOffloading || s == ConnState::kClosing ||
      s == ConnState::kUploading)
    return fail("conn " + std::to_string(conn) + " is " + to_string(s));
  arp_.add_address(pcb.local_ip, pcb.local_mac);
  return offload(conn, pcb);
}

std::uint64_t Driver::tcb_addr(std::uint16_t conn) const {
  return tcb_base_ + std::uint64_t{conn} * abi::kTcbBytes;
}

// ---------------------------------------------------------------------------
// Raw L2 path
// ---------------------------------------------------------------------------

bool Driver::raw_tx(proto::ConstBytes frame) {
  if (!ready_) return fail("driver not initialised");
  if (frame.empty() || frame.size() > raw_buffer_bytes_)
    return fail("raw frame of " + std::to_string(frame.size()) + " bytes does not fit a raw buffer");
  if (raw_tx_free_.empty() &&
      !wait_until([&] { return !raw_tx_free_.empty(); }, config_.command_timeout_ns))
    return fail("no raw transmit buffer came back (RAW_TX_DONE missing)");
  // Taken before post(): a wait for ring space reaps, and the reaping may
  // return or use raw buffers meanwhile.
  const std::uint32_t index = raw_tx_free_.back();
  raw_tx_free_.pop_back();
  if (!post(raw_tx_entry(index, frame))) {
    raw_tx_free_.push_back(index);
    return false;
  }
  ring();
  ++stats_.raw_tx_frames;
  return true;
}

Sqe Driver::raw_tx_entry(std::uint32_t index, proto::ConstBytes frame) {
  const std::uint64_t addr = raw_tx_base_ + std::uint64_t{index} * raw_buffer_bytes_;
  host_.mem_write(addr, frame.data(), frame.size());
  return Sqe{abi::Opcode::kRawTx, 0, abi::kRawConn, static_cast<std::uint32_t>(frame.size()), addr, index};
}

// Sends queued ARP answers while a raw transmit buffer and ring space are
// free; called outside the reaping loop, never blocks (the rest goes out on a
// later reap, once RAW_TX_DONEs have returned buffers).
void Driver::send_arp_replies() {
  while (!arp_replies_.empty() && !raw_tx_free_.empty() && !sq_.full()) {
    const std::uint32_t index = raw_tx_free_.back();
    raw_tx_free_.pop_back();
    sq_.push(raw_tx_entry(index, arp_replies_.front()));
    arp_replies_.pop_front();
    ++stats_.submissions;
    ++stats_.raw_tx_frames;
    ++stats_.arp_replies_sent;
  }
}

void Driver::set_raw_rx_handler(std::function<void(proto::ConstBytes)> handler) {
  raw_rx_handler_ = std::move(handler);
}

void Driver::on_raw_tx_done(std::uint64_t cookie) {
  if (cookie < config_.raw_tx_buffers) raw_tx_free_.push_back(static_cast<std::uint32_t>(cookie));
}

void Driver::on_raw_rx(const Cqe& c) {
  if (c.cookie >= config_.raw_rx_buffers) {
    error_log_.push_back("RAW_RX with unknown buffer cookie " + hex(c.cookie));
    return;
  }
  const auto index = static_cast<std::uint32_t>(c.cookie);
  if (c.status != abi::Status::kOk) {  // the frame's DMA write failed: nothing to read
    error_log_.push_back(describe(c));
    raw_rx_to_post_.push_back(index);
    return;
  }
  std::vector<std::uint8_t> frame(std::min(c.length, raw_buffer_bytes_));
  host_.mem_read(raw_rx_base_ + std::uint64_t{index} * raw_buffer_bytes_, frame.data(), frame.size());
  raw_rx_to_post_.push_back(index);
  ++stats_.raw_rx_frames;
  std::vector<std::uint8_t> reply;
  switch (arp_.on_frame(frame, reply)) {
    case ArpAgent::Verdict::kNotArp: break;
    case ArpAgent::Verdict::kAnswered:
      if (arp_replies_.size() >= kArpReplyBacklog) {
        ++stats_.arp_replies_dropped;
        return;
      }
      arp_replies_.push_back(std::move(reply));  // sent by reap() once the loop is done
      return;
    case ArpAgent::Verdict::kLearned: ++stats_.arp_replies_received; return;
    case ArpAgent::Verdict::kIgnored: ++stats_.arp_ignored; return;
    case ArpAgent::Verdict::kMalformed: ++stats_.arp_malformed; return;
  }
  if (handshake_ != nullptr && verdict_ == ActiveOpen::Verdict::kIgnored) {
    if (const auto seg = parse_tcp_frame(frame)) {
      verdict_ = handshake_->on_frame(*seg);
      if (verdict_ != ActiveOpen::Verdict::kIgnored) return;
    }
  }
  if (raw_rx_handler_) raw_rx_handler_(frame);
  else ++stats_.raw_rx_unclaimed;
}

// Reposts consumed raw receive buffers while the submission ring has room;
// called outside the reaping loop, never blocks.
void Driver::repost_raw_rx() {
  while (!raw_rx_to_post_.empty() && !sq_.full()) {
    const std::uint32_t index = raw_rx_to_post_.back();
    raw_rx_to_post_.pop_back();
    sq_.push(Sqe{abi::Opcode::kPostRecv, 0, abi::kRawConn, raw_buffer_bytes_,
                 raw_rx_base_ + std::uint64_t{index} * raw_buffer_bytes_, index});
    ++stats_.submissions;
  }
}

// ---------------------------------------------------------------------------
// Completions
// ---------------------------------------------------------------------------

unsigned Driver::reap() {
  if (!ready_) return 0;
  unsigned n = 0;
  while (const auto cqe = cq_.peek()) {
    cq_.pop();
    ++n;
    dispatch(*cqe);
  }
  if (n > 0) {
    cq_.release();  // one CQ_HEAD write per batch
    ++stats_.cq_head_writes;
    stats_.completions += n;
  }
  if (!raw_rx_to_post_.empty() || !arp_replies_.empty()) {
    repost_raw_rx();
    send_arp_replies();
    ring();
  }
  return n;
}

void Driver::dispatch(const Cqe& c) {
  using abi::CqeType;
  switch (c.type) {
    case CqeType::kRawTxDone: on_raw_tx_done(c.cookie); return;
    case CqeType::kRawRx: on_raw_rx(c); return;
    case CqeType::kOffloadDone:
      if (c.conn_id < conns_.size()) conns_[c.conn_id] = ConnState::kEstablished;
      return;
    case CqeType::kUploadDone:
      if (c.conn_id < conns_.size()) conns_[c.conn_id] = ConnState::kUploaded;
      completions_.push_back(c);
      return;
    case CqeType::kError: on_error(c); return;
    case CqeType::kConnEvent: on_conn_event(c); return;
    case CqeType::kSendDone:
      release_send(c.conn_id, c.sq_index, c.cookie);  // the buffer is the host's again
      completions_.push_back(c);
      return;
    case CqeType::kRecvDone: completions_.push_back(c); return;
  }
  error_log_.push_back("unknown completion type " + std::to_string(static_cast<unsigned>(c.type)) +
                       " at CQ index " + std::to_string((cq_.head() - 1) & (cq_.size() - 1)));
}

void Driver::on_error(const Cqe& c) {
  ++stats_.errors;
  error_log_.push_back(describe(c));
  const bool raw = c.conn_id == abi::kRawConn;
  if (c.opcode == abi::Opcode::kRawTx) return on_raw_tx_done(c.cookie);
  if (c.opcode == abi::Opcode::kPostRecv && raw) return;  // that raw buffer is lost
  if (c.opcode == abi::Opcode::kSend) release_send(c.conn_id, c.sq_index, c.cookie);
  const bool conn_op = c.opcode == abi::Opcode::kOffloadConn || c.opcode == abi::Opcode::kUploadConn;
  if (conn_op && c.conn_id < conns_.size()) {
    conn_error_[c.conn_id] = c.status;
    conns_[c.conn_id] = ConnState::kFree;
  }
  completions_.push_back(c);
}

void Driver::on_conn_event(const Cqe& c) {
  const bool gone = c.event == abi::ConnEvent::kClosed || c.event == abi::ConnEvent::kRstReceived ||
                    c.event == abi::ConnEvent::kTimeout;
  if (gone && c.conn_id < conns_.size()) conns_[c.conn_id] = ConnState::kClosed;
  completions_.push_back(c);
}

unsigned Driver::poll(std::uint64_t timeout_ns) {
  unsigned n = reap();
  const std::uint64_t deadline = host_.now_ns() + timeout_ns;
  while (n == 0) {
    const std::uint64_t now = host_.now_ns();
    if (now >= deadline) break;
    const std::uint64_t left = deadline - now;
    if (config_.interrupts) {
      if (host_.wait_interrupt(std::min(left, config_.interrupt_wait_ns))) ++stats_.interrupts;
    } else {
      host_.delay_ns(std::min(left, config_.poll_interval_ns));
    }
    n = reap();
  }
  return n;
}

bool Driver::next_completion(Completion& out) {
  if (completions_.empty()) reap();
  if (completions_.empty()) return false;
  out = completions_.front();
  completions_.pop_front();
  return true;
}

bool Driver::wait_completion(Completion& out, std::uint64_t timeout_ns) {
  if (!wait_until([&] { return !completions_.empty(); }, timeout_ns)) return false;
  return next_completion(out);
}

bool Driver::wait_until(const std::function<bool()>& done, std::uint64_t timeout_ns) {
  const std::uint64_t deadline = host_.now_ns() + timeout_ns;
  reap();
  while (!done()) {
    const std::uint64_t now = host_.now_ns();
    if (now >= deadline) return false;
    poll(deadline - now);
  }
  return true;
}

// ---------------------------------------------------------------------------
// connect
// ---------------------------------------------------------------------------

ConnState Driver::conn_state(std::uint16_t conn) const {
  return conn < conns_.size() ? conns_[conn] : ConnState::kFree;
}

bool Driver::connect(const ConnectParams& params) {
  if (!ready_) return fail("driver not initialised");
  if (!check_conn(params.conn_id)) return false;
  const ConnState s = conns_[params.conn_id];
  if (s != ConnState::kFree && s != ConnState::kClosed && s != ConnState::kUploaded)
    return fail("conn " + std::to_string(params.conn_id) + " is " + to_string(s));
  const auto iss = static_cast<std::uint32_t>(rng_());
  const auto ts_base = static_cast<std::uint32_t>(rng_());
  const auto ip_id = static_cast<std::uint16_t>(rng_());
  conns_[params.conn_id] = ConnState::kConnecting;
  // Our address from now on: the peer may ARP for it before its SYN-ACK.
  arp_.add_address(params.local_ip, params.local_mac);
  ConnectParams p = params;
  if (is_zero(p.peer_mac) && !resolve(p.peer_ip, p.local_ip, p.local_mac, p.peer_mac)) {
    conns_[params.conn_id] = ConnState::kFree;
    return false;
  }
  ActiveOpen open(p, static_cast<std::uint16_t>(device_.mtu - 40), iss, ts_base, ip_id);
  if (!handshake(p, open)) {
    conns_[params.conn_id] = ConnState::kFree;
    return false;
  }
  if (!raw_tx(open.ack_frame())) return false;
  return offload(params.conn_id, open.pcb());
}

bool Driver::resolve(std::uint32_t ip, std::uint32_t local_ip, const MacAddr& local_mac, MacAddr& out) {
  if (!ready_) return fail("driver not initialised");
  if (const auto known = arp_.cache().lookup(ip)) {
    out = *known;
    return true;
  }
  if (is_zero(local_mac) || is_multicast(local_mac))
    return fail("ARP: cannot ask for " + to_dotted(ip) + " from a local MAC that is not unicast");
  arp_.add_address(local_ip, local_mac);  // the reply comes to this address
  const std::vector<std::uint8_t> request = arp_.request_frame(ip, local_ip, local_mac);
  for (unsigned attempt = 0; attempt < config_.arp.tries; ++attempt) {
    if (!raw_tx(request)) return fail("ARP: request for " + to_dotted(ip) + " not sent: " + last_error_);
    ++stats_.arp_requests_sent;
    if (wait_until([&] { return arp_.cache().lookup(ip).has_value(); }, config_.arp.retry_ns)) {
      out = *arp_.cache().lookup(ip);
      return true;
    }
  }
  return fail("ARP: no reply from " + to_dotted(ip) + " after " + std::to_string(config_.arp.tries) + " tries");
}

bool Driver::handshake(const ConnectParams& params, ActiveOpen& open) {
  handshake_ = &open;
  verdict_ = ActiveOpen::Verdict::kIgnored;
  std::uint64_t timeout = params.syn_timeout_ns;
  bool sent = true;
  // RFC 6298 section 5.5: the retransmission timer backs off by doubling.
  for (unsigned attempt = 0; attempt < params.syn_tries && sent; ++attempt, timeout *= 2) {
    if (attempt > 0) ++stats_.syn_retransmits;
    sent = raw_tx(open.syn_frame());
    if (sent && wait_until([&] { return verdict_ != ActiveOpen::Verdict::kIgnored; }, timeout)) break;
  }
  handshake_ = nullptr;
  const std::string who = "conn " + std::to_string(params.conn_id);
  if (!sent) return fail(who + ": SYN not sent: " + last_error_);
  if (verdict_ == ActiveOpen::Verdict::kRefused) return fail(who + ": connection refused (RST)");
  if (verdict_ != ActiveOpen::Verdict::kEstablished)
    return fail(who + ": no SYN-ACK after " + std::to_string(params.syn_tries) + " SYNs");
  return true;
}

bool Driver::offload(std::uint16_t conn, const Pcb& pcb) {
  std::array<std::uint8_t, abi::kTcbBytes> slot{};
  encode_pcb(pcb, slot);
  host_.mem_write(tcb_addr(conn), slot.data(), slot.size());
  pcbs_[conn] = pcb;
  conn_error_[conn] = abi::Status::kOk;
  conns_[conn] = ConnState::kOffloading;
  if (!post(Sqe{abi::Opcode::kOffloadConn, 0, conn, 0, 0, conn})) return false;
  ring();
  const std::string who = "conn " + std::to_string(conn);
  if (!wait_until([&] { return conns_[conn] != ConnState::kOffloading; }, config_.command_timeout_ns))
    return fail(who + ": no OFFLOAD_DONE");
  if (conns_[conn] != ConnState::kEstablished)
    return fail(who + ": OFFLOAD_CONN failed: " + to_string(conn_error_[conn]));
  return true;
}

}  // namespace toevp::fw
