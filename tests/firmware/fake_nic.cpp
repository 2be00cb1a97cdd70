// Plain-memory HostInterface and functional fake NIC for firmware tests; see
// fake_nic.h.
#include "tests/firmware/fake_nic.h"

#include <algorithm>
#include <cstring>

#include "firmware/arp.h"
#include "firmware/packet.h"
#include "model/abi/toevp_regs.h"

namespace toevp::fw::test {

FakeHost::FakeHost(std::size_t mem_bytes) : mem_(mem_bytes, 0xA5) {}  // not zero: init must zero

void FakeHost::mmio_write32(std::uint32_t offset, std::uint32_t value) {
  mmio_log.emplace_back(offset, value);
  if (on_mmio_write) on_mmio_write(offset, value);
  else regs.at(offset / 4) = value;
}

std::uint32_t FakeHost::mmio_read32(std::uint32_t offset) {
  return on_mmio_read ? on_mmio_read(offset) : regs.at(offset / 4);
}

void FakeHost::mem_write(std::uint64_t bus_addr, const void* src, std::size_t len) {
  if (bus_addr < kMemBase || bus_addr + len > kMemBase + mem_.size())
    throw std::out_of_range("mem_write outside host memory");
  std::memcpy(mem_.data() + (bus_addr - kMemBase), src, len);
}

void FakeHost::mem_read(std::uint64_t bus_addr, void* dst, std::size_t len) {
  if (bus_addr < kMemBase || bus_addr + len > kMemBase + mem_.size())
    throw std::out_of_range("mem_read outside host memory");
  std::memcpy(dst, mem_.data() + (bus_addr - kMemBase), len);
  ++mem_reads;
}

std::vector<std::uint8_t> FakeHost::read_bytes(std::uint64_t addr, std::size_t len) {
  std::vector<std::uint8_t> v(len);
  mem_read(addr, v.data(), len);
  return v;
}

std::uint64_t FakeHost::dma_alloc(std::size_t len, std::size_t align) {
  const std::uint64_t addr = (next_alloc_ + align - 1) & ~std::uint64_t(align - 1);
  if (addr + len > kMemBase + mem_.size()) return 0;
  next_alloc_ = addr + len;
  return addr;
}

bool FakeHost::wait_interrupt(std::uint64_t timeout_ns) {
  std::uint64_t waited = 0;
  while (!irq_pending && waited < timeout_ns) {
    const std::uint64_t chunk = std::min<std::uint64_t>(timeout_ns - waited, 500);
    now_ += chunk;
    waited += chunk;
    if (on_time_passes) on_time_passes();
  }
  const bool irq = irq_pending;
  irq_pending = false;
  return irq;
}

void FakeHost::delay_ns(std::uint64_t ns) {
  now_ += ns;
  if (on_time_passes) on_time_passes();
}

// ---------------------------------------------------------------------------

std::vector<Frame> SynAckPeer::operator()(const Frame& frame) {
  const auto seg = parse_tcp_frame(frame);
  if (!seg) return {};
  if ((seg->flags & tcp_flag::kSyn) == 0) {
    if (seg->flags == tcp_flag::kAck) acks_seen.push_back(frame);
    return {};
  }
  syn_seqs.push_back(seg->seq);
  if (++syns_seen <= drop_first_syns) return {};
  TcpFrame r;
  r.dst_mac = seg->src_mac;
  r.src_mac = seg->dst_mac;
  r.src_ip = seg->dst_ip;
  r.dst_ip = seg->src_ip;
  r.src_port = seg->dst_port;
  r.dst_port = seg->src_port;
  r.ack = seg->seq + 1;
  if (refuse) {
    r.flags = tcp_flag::kRst | tcp_flag::kAck;
    return {build_tcp_frame(r)};
  }
  r.seq = iss;
  r.flags = tcp_flag::kSyn | tcp_flag::kAck;
  r.window = window;
  r.options.mss = mss;
  r.options.wscale = seg->options.wscale >= 0 ? wscale : -1;
  r.options.sack_permitted = sack && seg->options.sack_permitted;
  r.options.timestamps = timestamps && seg->options.timestamps;
  r.options.tsval = tsval;
  r.options.tsecr = seg->options.tsval;
  return {build_tcp_frame(r)};
}

// ---------------------------------------------------------------------------

std::vector<Frame> ArpPeer::operator()(const Frame& frame) {
  ArpPacket a;
  MacAddr eth_dst{};
  if (decode_arp_frame(frame, a, eth_dst) == ArpDecode::kNotArp) return next ? next(frame) : std::vector<Frame>{};
  arp_frames.push_back(frame);
  if (host != nullptr) arp_times_ns.push_back(host->now_ns());
  const bool request = a.op == static_cast<std::uint16_t>(ArpOp::kRequest) && a.target_ip == ip;
  if (!request || silent || arp_frames.size() <= drop_first_requests) return {};
  ArpPacket r;
  r.op = static_cast<std::uint16_t>(ArpOp::kReply);
  r.sender_mac = mac;
  r.sender_ip = ip;
  r.target_mac = a.sender_mac;
  r.target_ip = a.sender_ip;
  return {encode_arp_frame(a.sender_mac, r)};
}

// ---------------------------------------------------------------------------

FakeNic::FakeNic(FakeHost& host, Partner partner) : host_(host), partner_(std::move(partner)) {
  host_.regs[TOEVP_REG_ID / 4] = id;
  host_.regs[TOEVP_REG_VERSION / 4] = TOEVP_VERSION_RESET;
  host_.regs[TOEVP_REG_CAP_CTX_ENTRIES / 4] = 1024;
  host_.regs[TOEVP_REG_CAP_TCB_CACHE / 4] = (4u << TOEVP_CAP_TCB_CACHE_WAYS_SHIFT) | 256u;
  host_.on_mmio_read = [this](std::uint32_t off) {
    if (off == TOEVP_REG_ID) return id;
    if (off == TOEVP_REG_CAP_MTU) return cap_mtu;
    return host_.regs.at(off / 4);
  };
  host_.on_mmio_write = [this](std::uint32_t off, std::uint32_t v) { on_write(off, v); };
  host_.on_time_passes = [this] { step(); };
}

void FakeNic::on_write(std::uint32_t off, std::uint32_t v) {
  auto& r = host_.regs;
  if (off == TOEVP_REG_ERR_STATUS) {
    r[off / 4] &= ~v;  // RW1C
    return;
  }
  r.at(off / 4) = v;
  if (off == TOEVP_REG_SQ_TAIL) ++sq_doorbells;
  if (off == TOEVP_REG_CQ_HEAD) ++cq_head_writes;
  if (off == TOEVP_REG_CTRL && (v & TOEVP_CTRL_ENABLE_MASK) != 0) {
    const std::uint32_t sq = r[TOEVP_REG_SQ_SIZE / 4], cq = r[TOEVP_REG_CQ_SIZE / 4];
    const bool sq_ok = sq >= 2 && (sq & (sq - 1)) == 0 && (r[TOEVP_REG_SQ_BASE_LO / 4] % 64) == 0;
    const bool cq_ok = cq >= 2 && (cq & (cq - 1)) == 0 && (r[TOEVP_REG_CQ_BASE_LO / 4] % 32) == 0;
    if (!sq_ok) r[TOEVP_REG_ERR_STATUS / 4] |= TOEVP_ERR_STATUS_SQ_CONFIG_MASK;
    if (!cq_ok) r[TOEVP_REG_ERR_STATUS / 4] |= TOEVP_ERR_STATUS_CQ_CONFIG_MASK;
    if (sq_ok && cq_ok) r[TOEVP_REG_STATUS / 4] |= TOEVP_STATUS_RUNNING_MASK;
  }
}

void FakeNic::step() {
  flush_completions();
  const std::uint32_t sq_size = host_.regs[TOEVP_REG_SQ_SIZE / 4];
  const std::uint64_t sq_base = host_.regs[TOEVP_REG_SQ_BASE_LO / 4] |
                                (std::uint64_t{host_.regs[TOEVP_REG_SQ_BASE_HI / 4]} << 32);
  while (fetch_enabled && pending_cqes_.empty() && sq_size != 0 &&
         sq_head_ != host_.regs[TOEVP_REG_SQ_TAIL / 4]) {
    const auto bytes = host_.read_bytes(sq_base + std::uint64_t{sq_head_} * abi::kSqeBytes, abi::kSqeBytes);
    const Sqe sqe = decode_sqe(bytes);
    const auto index = static_cast<std::uint16_t>(sq_head_);
    sq_head_ = (sq_head_ + 1) % sq_size;
    host_.regs[TOEVP_REG_SQ_HEAD / 4] = sq_head_;
    fetched.push_back(sqe);
    execute(sqe, index);
    flush_completions();
  }
}

Cqe FakeNic::make(abi::CqeType type, const Sqe& sqe, std::uint16_t index, abi::Status status) const {
  Cqe c;
  c.type = type;
  c.status = status;
  c.conn_id = sqe.conn_id;
  c.length = sqe.length;
  c.cookie = sqe.cookie;
  c.sq_index = index;
  c.opcode = sqe.opcode;
  return c;
}

void FakeNic::execute(const Sqe& sqe, std::uint16_t index) {
  using abi::CqeType;
  using abi::Opcode;
  const auto& r = host_.regs;
  const bool raw = sqe.conn_id == abi::kRawConn;
  if (!raw && sqe.opcode != Opcode::kRawTx && sqe.conn_id >= r[TOEVP_REG_TCB_ENTRIES / 4])
    return push_completion(make(CqeType::kError, sqe, index, abi::Status::kBadConn));
  switch (sqe.opcode) {
    case Opcode::kRawTx: {
      const Frame frame = host_.read_bytes(sqe.host_addr, sqe.length);
      push_completion(make(CqeType::kRawTxDone, sqe, index));
      for (const Frame& reply : partner_(frame)) deliver_raw(reply);
      return;
    }
    case Opcode::kPostRecv:
      if (raw) raw_bufs_.push_back(sqe);
      return;
    case Opcode::kOffloadConn: {
      const std::uint64_t tcb = r[TOEVP_REG_TCB_BASE_LO / 4] | (std::uint64_t{r[TOEVP_REG_TCB_BASE_HI / 4]} << 32);
      offloaded[sqe.conn_id] = decode_pcb(host_.read_bytes(tcb + sqe.conn_id * abi::kTcbBytes, abi::kTcbBytes));
      return push_completion(make(CqeType::kOffloadDone, sqe, index));
    }
    case Opcode::kSend:
      if (sqe.length == 0) return push_completion(make(CqeType::kError, sqe, index, abi::Status::kZeroLength));
      if (offloaded.count(sqe.conn_id) == 0)
        return push_completion(make(CqeType::kError, sqe, index, abi::Status::kConnState));
      for (const auto& held : held_sends_) buffer_reuse_violations += held.first.host_addr == sqe.host_addr;
      sends_.push_back({sqe.conn_id, sqe.host_addr, sqe.length, sqe.cookie, host_.read_bytes(sqe.host_addr, sqe.length)});
      if (!complete_sends) {
        held_sends_.emplace_back(sqe, index);
        return;
      }
      push_completion(make(CqeType::kSendDone, sqe, index));
      if (duplicate_send_done) push_completion(make(CqeType::kSendDone, sqe, index));
      return;
    case Opcode::kClose: {
      if (close_answer == CloseAnswer::kNothing) return;  // the peer never answers
      Cqe c = make(CqeType::kConnEvent, sqe, index);
      c.length = 0;
      c.cookie = 0;
      if (close_answer == CloseAnswer::kReset) {
        c.event = abi::ConnEvent::kRstReceived;
        return push_completion(c);
      }
      // Like a Linux peer: it answers our FIN with its own before acking ours.
      c.event = abi::ConnEvent::kFinReceived;
      push_completion(c);
      c.event = abi::ConnEvent::kClosed;
      return push_completion(c);
    }
    case Opcode::kUploadConn: {
      const std::uint64_t tcb = r[TOEVP_REG_TCB_BASE_LO / 4] | (std::uint64_t{r[TOEVP_REG_TCB_BASE_HI / 4]} << 32);
      Pcb pcb = offloaded[sqe.conn_id];
      pcb.state = abi::kTcbUploaded;
      pcb.snd_max = pcb.snd_nxt;
      std::array<std::uint8_t, abi::kTcbBytes> slot{};
      encode_pcb(pcb, slot);
      host_.mem_write(tcb + sqe.conn_id * abi::kTcbBytes, slot.data(), slot.size());
      offloaded.erase(sqe.conn_id);
      return push_completion(make(CqeType::kUploadDone, sqe, index));
    }
  }
  push_completion(make(CqeType::kError, sqe, index, abi::Status::kBadOpcode));
}

void FakeNic::release_sends() {
  if (reverse_send_done) std::reverse(held_sends_.begin(), held_sends_.end());
  for (const auto& [sqe, index] : held_sends_) push_completion(make(abi::CqeType::kSendDone, sqe, index));
  held_sends_.clear();
}

void FakeNic::deliver_raw(const Frame& frame) {
  if (raw_bufs_.empty()) return;  // STAT_RX_RAW_DROPPED in the real NIC
  const Sqe buf = raw_bufs_.front();
  raw_bufs_.pop_front();
  host_.mem_write(buf.host_addr, frame.data(), std::min<std::size_t>(frame.size(), buf.length));
  Cqe c;
  c.type = abi::CqeType::kRawRx;
  c.conn_id = abi::kRawConn;
  c.length = static_cast<std::uint32_t>(frame.size());
  c.cookie = buf.cookie;
  c.opcode = abi::Opcode::kPostRecv;
  push_completion(c);
}

void FakeNic::push_completion(const Cqe& cqe) {
  pending_cqes_.push_back(cqe);
  flush_completions();
}

bool FakeNic::cq_full() const {
  const std::uint32_t size = host_.regs[TOEVP_REG_CQ_SIZE / 4];
  return (cq_tail_ + 1) % size == host_.regs[TOEVP_REG_CQ_HEAD / 4];
}

void FakeNic::flush_completions() {
  bool wrote = false;
  while (!pending_cqes_.empty() && !cq_full()) {
    write_cqe(pending_cqes_.front());
    pending_cqes_.pop_front();
    wrote = true;
  }
  if (wrote && (host_.regs[TOEVP_REG_CTRL / 4] & TOEVP_CTRL_INT_ENABLE_MASK) != 0) host_.irq_pending = true;
}

void FakeNic::write_cqe(Cqe cqe) {
  const auto& r = host_.regs;
  const std::uint64_t base = r[TOEVP_REG_CQ_BASE_LO / 4] | (std::uint64_t{r[TOEVP_REG_CQ_BASE_HI / 4]} << 32);
  cqe.phase = cq_phase_;
  cqe.timestamp = static_cast<std::uint32_t>(host_.now_ns() / 4);
  std::array<std::uint8_t, abi::kCqeBytes> bytes{};
  encode_cqe(cqe, bytes);
  host_.mem_write(base + std::uint64_t{cq_tail_} * abi::kCqeBytes, bytes.data(), bytes.size());
  cq_tail_ = (cq_tail_ + 1) % r[TOEVP_REG_CQ_SIZE / 4];
  if (cq_tail_ == 0) cq_phase_ ^= 1u;
  host_.regs[TOEVP_REG_CQ_TAIL / 4] = cq_tail_;
}

}  // namespace toevp::fw::test
