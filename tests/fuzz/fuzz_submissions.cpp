// Fuzz target (b): what firmware can get wrong, fed to the NIC's command
// processor and register block (docs/robustness.md). The input is a
// firmware program of up to kMaxOps operations, run on the host CPU:
//   submission entries, structured (opcode, flags, connection, length,
//   address and cookie from lists of interesting values: zero and huge
//   lengths, buffers overlapping the rings or the TCB table, straddling the
//   end of host memory, the MSI address) or 64 raw bytes; SQ_TAIL doorbells
//   (the harness's tail, or any value: beyond the ring, unchanged); MMIO
//   writes and reads at any offset (register table or not) with any value,
//   including the ring and TCB registers while the NIC runs; PCBs written
//   into TCB slots with fuzzed fields; ACKs of everything a connection sent;
//   time passing; completions reaped.
// Every input starts from the same configuration (CTRL cleared, good rings
// programmed, CTRL.ENABLE) and ends with the command processor stopped,
// every connection reset by its peer, and the NIC switched off and on with
// fresh rings.
//
// Invariants (a broken one aborts, so libFuzzer keeps the input):
//   - no crash, no sanitizer report, no SC_REPORT_ERROR/FATAL, no hang;
//   - context table consistent (entries in use == contexts linked), and
//     empty once every connection is gone;
//   - the command processor never takes an SQ tail beyond its ring;
//   - after CTRL off and on with fresh rings, the NIC answers a command (an
//     unknown opcode gets its ERROR completion): nothing firmware did before
//     leaves it stuck;
//   - never a silently dropped message: every SEND the NIC accepted ends in
//     exactly one SEND_DONE (error statuses included).
#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "firmware/entries.h"
#include "firmware/pcb.h"
#include "model/abi/abi.h"
#include "model/abi/toevp_regs.h"
#include "model/proto/tcp_frame.h"
#include "tests/fuzz/fuzz_platform.h"
#include "tests/fuzz/fuzz_support.h"

namespace toevp::fuzz {
namespace {

using sc_core::sc_time;
using sc_core::SC_US;

constexpr unsigned kMaxOps = 64;
constexpr std::uint32_t kSqEntries = 64, kCqEntries = 256, kTcbSlots = 8;
constexpr std::uint32_t kBufBytes = 256 * 1024;
constexpr std::uint32_t kLocalIp = 0x0A00'0001, kRemoteIp = 0x0A00'0002;
constexpr std::uint16_t kRemotePort = 5001, kLocalPortBase = 7000;

const std::vector<std::string> kConfig = {
    "link.propagation_ns=0", "host.memory_mb=32", "ctx.entries=16", "ctx.max_bytes=65536",
    "tcb.cache_entries=4",   "tcb.cache_ways=2",  "pe.rto_initial_us=100", "pe.rto_min_us=20",
    "pe.max_retries=3",      "workload.outstanding_per_conn=1", "workload.message_bytes=4096",
};

constexpr std::uint32_t kRegs[] = {
#define TOEVP_REG(NAME, OFFSET, ACCESS, RESET, HW, DOORBELL) OFFSET,
#include "model/abi/toevp_regs_table.inc"
#undef TOEVP_REG
};

enum Op : std::uint8_t { kSqe, kSqeRaw, kDoorbell, kMmioWrite, kMmioRead, kPcb, kDelay, kReap, kAckAll, kEnable, kOpCount };

class SubmissionBench {
 public:
  SubmissionBench();
  void run(Reader& r);

 private:
  void reset(fw::HostInterface& host);
  void program(fw::HostInterface& host, Reader& r);
  void op(fw::HostInterface& host, Reader& r);
  void write_sqe(fw::HostInterface& host, Bytes sqe);
  fw::Sqe structured_sqe(Reader& r);
  std::uint32_t length(Reader& r);
  std::uint64_t address(Reader& r, std::uint32_t len);
  void write_pcb(fw::HostInterface& host, Reader& r);
  std::vector<std::uint64_t> reap(fw::HostInterface& host);
  bool answers_probe(fw::HostInterface& host);
  void ack_all(Reader& r);
  void reset_connections();
  void finish();

  FuzzPlatform p_;
  std::uint64_t sq_ = 0, cq_ = 0, tcb_ = 0, buf_ = 0;
  std::uint64_t mem_base_ = 0, mem_end_ = 0;
  std::uint32_t tail_ = 0, cq_head_ = 0;
  std::uint8_t cq_phase_ = 1;
  std::uint64_t next_cookie_ = 1;
  // SEND_DONEs written. (Counted, not matched by cookie: CTRL off and on
  // restarts the ring at entry 0, so the NIC may run an entry twice.)
  std::uint64_t send_dones_ = 0;
};

SubmissionBench::SubmissionBench() : p_(make_config(kConfig)) {
  mem_base_ = p_.host_mem.base();
  mem_end_ = mem_base_ + p_.host_mem.size();
  p_.nic.completions.set_observer([this](const model::Completion& c, const sc_time&) {
    if (c.type != abi::CqeType::kSendDone) return;
    ++send_dones_;
  });
  const bool ok = p_.firmware([this](fw::HostInterface& host) {
    sq_ = host.dma_alloc(kSqEntries * abi::kSqeBytes, 4096);
    cq_ = host.dma_alloc(kCqEntries * abi::kCqeBytes, 4096);
    tcb_ = host.dma_alloc(kTcbSlots * abi::kTcbBytes, 4096);
    buf_ = host.dma_alloc(kBufBytes, 4096);
  }, sc_time(1, sc_core::SC_MS));
  if (!ok || !sq_ || !cq_ || !tcb_ || !buf_) invariant_failed("fuzz platform: host memory allocation failed");
}

// The configuration every input starts from (what the driver's init does).
void SubmissionBench::reset(fw::HostInterface& host) {
  host.mmio_write32(TOEVP_REG_CTRL, 0);
  const Bytes zero(kCqEntries * abi::kCqeBytes, 0);
  host.mem_write(sq_, zero.data(), kSqEntries * abi::kSqeBytes);
  host.mem_write(cq_, zero.data(), zero.size());
  auto reg64 = [&](std::uint32_t lo, std::uint64_t v) {
    host.mmio_write32(lo, static_cast<std::uint32_t>(v));
    host.mmio_write32(lo + 4, static_cast<std::uint32_t>(v >> 32));
  };
  reg64(TOEVP_REG_SQ_BASE_LO, sq_);
  host.mmio_write32(TOEVP_REG_SQ_SIZE, kSqEntries);
  reg64(TOEVP_REG_CQ_BASE_LO, cq_);
  host.mmio_write32(TOEVP_REG_CQ_SIZE, kCqEntries);
  reg64(TOEVP_REG_TCB_BASE_LO, tcb_);
  host.mmio_write32(TOEVP_REG_TCB_ENTRIES, kTcbSlots);
  reg64(TOEVP_REG_MSIX_ADDR_LO, host.msi_address());
  host.mmio_write32(TOEVP_REG_MSIX_DATA, host.msi_data());
  host.mmio_write32(TOEVP_REG_INT_MODERATION, 0);
  host.mmio_write32(TOEVP_REG_ERR_STATUS, 0xFFFFFFFFu);
  host.mmio_write32(TOEVP_REG_CTRL, TOEVP_CTRL_ENABLE_MASK | TOEVP_CTRL_INT_ENABLE_MASK);
  tail_ = cq_head_ = 0;
  cq_phase_ = 1;
}

void SubmissionBench::write_sqe(fw::HostInterface& host, Bytes sqe) {
  sqe.resize(abi::kSqeBytes, 0);
  // Cookies are unique per entry so completions can be told apart (the NIC
  // treats the cookie as opaque data).
  proto::store_le64(sqe, abi::kSqeCookie, next_cookie_++);
  host.mem_write(sq_ + std::uint64_t{tail_} * abi::kSqeBytes, sqe.data(), sqe.size());
  tail_ = (tail_ + 1) % kSqEntries;
}

std::uint32_t SubmissionBench::length(Reader& r) {
  static constexpr std::uint32_t kLengths[] = {0, 1, 13, 14, 60, 64, 1514, 1515, 4096, 9000, 65535, 65536,
                                               65537, 1u << 20, (1u << 20) + 1, 0x7FFFFFFFu, 0xFFFFFFFFu};
  const std::uint8_t sel = r.u8();
  if (sel < std::size(kLengths)) return kLengths[sel];
  if (sel < 200) return 1 + r.u16() % 8192;
  return r.u32();
}

std::uint64_t SubmissionBench::address(Reader& r, std::uint32_t len) {
  const std::uint8_t sel = r.u8();
  switch (sel % 16) {
    case 0: return mem_end_ - len;             // ends exactly at the end of host memory
    case 1: return mem_end_ - len + 1;         // one byte past it
    case 2: return mem_base_ - 1;
    case 3: return mem_base_;
    case 4: return mem_end_;
    case 5: return 0;
    case 6: return ~std::uint64_t{0} - r.u8();
    case 7: return p_.config.get_u64("host.msi_address");
    case 8: return sq_ + r.u16() % (kSqEntries * abi::kSqeBytes);  // over the submission ring
    case 9: return cq_ + r.u16() % (kCqEntries * abi::kCqeBytes);  // over the completion ring
    case 10: return tcb_ + r.u16() % (kTcbSlots * abi::kTcbBytes);  // over the TCB table
    case 11: return r.u64();
    default: return buf_ + r.u32() % kBufBytes;  // a buffer (maybe overlapping another)
  }
}

fw::Sqe SubmissionBench::structured_sqe(Reader& r) {
  fw::Sqe s;
  const std::uint8_t op = r.u8();
  s.opcode = static_cast<abi::Opcode>(op % 8 == 7 ? op : op % 8);  // 0 and 7: unknown opcodes
  const std::uint8_t f = r.u8();
  s.flags = (f & 0x80) ? f : (f & abi::kSqeFlagSignal);
  const std::uint8_t c = r.u8();
  s.conn_id = c < 200 ? c % (kTcbSlots + 2) : (c < 240 ? abi::kRawConn : r.u16());
  s.length = length(r);
  s.host_addr = address(r, s.length);
  return s;
}

// A PCB for slot `slot` with fuzzed fields; the 4-tuple is one of a few
// (so a duplicate tuple is likely) and the peer IP is fixed.
void SubmissionBench::write_pcb(fw::HostInterface& host, Reader& r) {
  static constexpr std::uint16_t kMss[] = {0, 1, 536, 1460, 1461, 8960, 9000, 65535};
  const std::uint8_t slot = r.u8() % kTcbSlots;
  const std::uint8_t sel = r.u8();
  fw::Pcb pcb;
  pcb.state = (sel & 0x80) ? r.u8() : abi::kTcbEstablished;
  pcb.flags = sel & 3;
  pcb.snd_wscale = static_cast<std::uint8_t>(r.u8() % 16);
  pcb.rcv_wscale = static_cast<std::uint8_t>(r.u8() % 16);
  pcb.mss = kMss[(sel >> 2) & 7];
  pcb.local_port = static_cast<std::uint16_t>(kLocalPortBase + r.u8() % 4);
  pcb.remote_port = kRemotePort;
  pcb.local_mac = {2, 0, 0, 0, 0, 1};
  pcb.remote_mac = {2, 0, 0, 0, 0, 2};
  pcb.local_ip = kLocalIp;
  pcb.remote_ip = kRemoteIp;
  pcb.snd_una = r.u32();
  pcb.snd_nxt = (sel & 0x20) ? r.u32() : pcb.snd_una;
  pcb.snd_wnd = (sel & 0x40) ? r.u32() : 65535;
  pcb.rcv_nxt = r.u32();
  pcb.rcv_wnd = r.u16();
  pcb.cwnd = (sel & 0x10) ? r.u32() : 0;
  pcb.ssthresh = (sel & 0x10) ? r.u32() : 0;
  pcb.ts_recent = r.u32();
  std::array<std::uint8_t, abi::kTcbBytes> bytes{};
  fw::encode_pcb(pcb, bytes);
  host.mem_write(tcb_ + std::uint64_t{slot} * abi::kTcbBytes, bytes.data(), bytes.size());
}

// Consumes completion entries of the harness's ring (phase bit) and moves
// CQ_HEAD, as the driver does; returns the cookies of the entries consumed.
std::vector<std::uint64_t> SubmissionBench::reap(fw::HostInterface& host) {
  std::vector<std::uint64_t> cookies;
  for (unsigned n = 0; n < kCqEntries; ++n) {
    std::array<std::uint8_t, abi::kCqeBytes> e{};
    host.mem_read(cq_ + std::uint64_t{cq_head_} * abi::kCqeBytes, e.data(), e.size());
    if ((e[abi::kCqePhase] & 1) != cq_phase_) break;
    cookies.push_back(proto::load_le64(e, abi::kCqeCookie));
    if (++cq_head_ == kCqEntries) {
      cq_head_ = 0;
      cq_phase_ ^= 1;
    }
  }
  if (!cookies.empty()) host.mmio_write32(TOEVP_REG_CQ_HEAD, cq_head_);
  return cookies;
}

// After the NIC has been switched off and on with fresh rings, it must
// answer a command: an entry with an unknown opcode gets its ERROR
// completion (behind whatever completions were still waiting).
bool SubmissionBench::answers_probe(fw::HostInterface& host) {
  reset(host);
  const std::uint64_t probe = next_cookie_;
  write_sqe(host, Bytes(abi::kSqeBytes, 0));
  host.mmio_write32(TOEVP_REG_SQ_TAIL, tail_);
  for (int i = 0; i < 20; ++i) {
    host.delay_ns(10'000);
    for (const std::uint64_t c : reap(host))
      if (c == probe) return true;
  }
  return false;
}

// The peer acknowledges everything an offloaded connection has sent (so
// that SENDs complete and contexts come free).
void SubmissionBench::ack_all(Reader& r) {
  const std::uint16_t conn = r.u8() % kTcbSlots;
  if (!p_.nic.pe.offloaded(conn)) return;
  std::array<std::uint8_t, abi::kTcbBytes> live{};
  p_.nic.pe.encode_tcb(conn, live.data());
  const fw::Pcb t = fw::decode_pcb(live);
  proto::TcpFrameFields f;
  f.src_ip = t.remote_ip;
  f.dst_ip = t.local_ip;
  f.src_port = t.remote_port;
  f.dst_port = t.local_port;
  f.seq = proto::Seq(t.rcv_nxt);
  f.ack = proto::Seq(t.snd_max);
  f.flags = proto::kTcpAck;
  f.window = 65535;
  link::EthFrame frame;
  proto::build_tcp_frame(f, {}, frame.data);
  p_.agent.send(std::move(frame), sc_core::SC_ZERO_TIME);
}

void SubmissionBench::op(fw::HostInterface& host, Reader& r) {
  switch (static_cast<Op>(r.u8() % kOpCount)) {
    case kSqe: {
      std::array<std::uint8_t, abi::kSqeBytes> b{};
      fw::encode_sqe(structured_sqe(r), b);
      return write_sqe(host, Bytes(b.begin(), b.end()));
    }
    case kSqeRaw: return write_sqe(host, r.bytes(abi::kSqeBytes));
    case kDoorbell: {
      const std::uint8_t sel = r.u8();
      const std::uint32_t v = sel < 192 ? tail_ : (sel < 224 ? kSqEntries + sel % 4 : r.u32());
      return host.mmio_write32(TOEVP_REG_SQ_TAIL, v);
    }
    case kMmioWrite: {
      const std::uint8_t sel = r.u8();
      const std::uint32_t off = sel < 200 ? kRegs[sel % std::size(kRegs)] : r.u16();
      return host.mmio_write32(off, r.u32());
    }
    case kMmioRead: {
      const std::uint8_t sel = r.u8();
      (void)host.mmio_read32(sel < 200 ? kRegs[sel % std::size(kRegs)] : r.u32());
      return;
    }
    case kPcb: return write_pcb(host, r);
    case kDelay: return host.delay_ns(std::uint64_t{r.u8()} * 1000);
    case kReap: return (void)reap(host);
    case kAckAll: return ack_all(r);
    case kEnable: return host.mmio_write32(TOEVP_REG_CTRL, r.u8() & 3);
    default: return;
  }
}

void SubmissionBench::program(fw::HostInterface& host, Reader& r) {
  reset(host);
  for (unsigned n = 0; n < kMaxOps && !r.empty(); ++n) op(host, r);
}

// Resets every offloaded connection from its peer's side (the NIC's own
// TCB says which 4-tuple it serves).
void SubmissionBench::reset_connections() {
  for (std::uint32_t conn = 0; conn < 65536; ++conn) {
    if (!p_.nic.pe.offloaded(static_cast<std::uint16_t>(conn))) continue;
    std::array<std::uint8_t, abi::kTcbBytes> live{};
    p_.nic.pe.encode_tcb(static_cast<std::uint16_t>(conn), live.data());
    const fw::Pcb t = fw::decode_pcb(live);
    proto::TcpFrameFields f;
    f.src_ip = t.remote_ip;
    f.dst_ip = t.local_ip;
    f.src_port = t.remote_port;
    f.dst_port = t.local_port;
    f.seq = proto::Seq(t.rcv_nxt);
    f.flags = proto::kTcpRst;
    link::EthFrame frame;
    proto::build_tcp_frame(f, {}, frame.data);
    p_.agent.send(std::move(frame), sc_core::SC_ZERO_TIME);
  }
  p_.advance(sc_time(20, SC_US));
}

void SubmissionBench::finish() {
  p_.advance(sc_time(50, SC_US));
  const std::uint32_t used = p_.nic.contexts.used();
  const std::uint64_t linked = p_.nic.pe.contexts_linked();
  TOEVP_FUZZ_CHECK(used == linked, std::to_string(used) + " contexts in use, " + std::to_string(linked) + " linked");
  if (p_.nic.regs.stored(TOEVP_REG_CTRL) & TOEVP_CTRL_ENABLE_MASK)
    TOEVP_FUZZ_CHECK(p_.nic.cmd.tail() < p_.nic.cmd.ring_size(),
                     "the command processor took SQ tail " + std::to_string(p_.nic.cmd.tail()) + " for its ring of " +
                         std::to_string(p_.nic.cmd.ring_size()));
  // Stop fetching, let the last batch finish, reset every connection twice
  // (the batch may offload one more), then switch the NIC off and on with
  // fresh rings: everything still queued drains into them, and a probe
  // command must be answered.
  p_.firmware([](fw::HostInterface& host) { host.mmio_write32(TOEVP_REG_CTRL, 0); }, sc_time(1, sc_core::SC_MS));
  p_.advance(sc_time(200, SC_US));
  reset_connections();
  p_.advance(sc_time(200, SC_US));
  reset_connections();
  bool answered = false;
  p_.firmware([&](fw::HostInterface& host) { answered = answers_probe(host); }, sc_time(2, sc_core::SC_MS));
  const auto& cs = p_.nic.completions.stats();
  TOEVP_FUZZ_CHECK(answered, "after CTRL off and on with fresh rings the NIC did not answer a command within 200 us (" +
                                 std::to_string(p_.nic.completions.pending()) + " completions queued, " +
                                 std::to_string(cs.written) + " written, " + std::to_string(cs.full_waits) +
                                 " waits for ring space, SQ head " + std::to_string(p_.nic.cmd.head()) + ")");
  TOEVP_FUZZ_CHECK(p_.nic.pe.connections_offloaded() == 0, "connections still offloaded after their peers reset them");
  TOEVP_FUZZ_CHECK(p_.nic.contexts.used() == 0,
                   std::to_string(p_.nic.contexts.used()) + " message contexts in use with no connection left");
  TOEVP_FUZZ_CHECK(p_.nic.cmd.stats().sends == send_dones_,
                   std::to_string(p_.nic.cmd.stats().sends) + " SENDs accepted, " + std::to_string(send_dones_) +
                       " SEND_DONEs written");
}

void SubmissionBench::run(Reader& r) {
  p_.align(sc_time(1, sc_core::SC_MS));
  const bool done = p_.firmware([&](fw::HostInterface& host) { program(host, r); }, sc_time(20, sc_core::SC_MS));
  TOEVP_FUZZ_CHECK(done, "the firmware program did not finish within 20 ms of simulated time");
  finish();
  if (std::getenv("TOEVP_FUZZ_VERBOSE")) {
    const auto& s = p_.nic.cmd.stats();
    std::printf("  NIC so far: %llu entries fetched, %llu offloads, %llu SENDs, %llu errors, %llu SEND_DONEs, "
                "%llu MMIO errors, %llu device errors; t=%s\n",
                static_cast<unsigned long long>(s.fetched), static_cast<unsigned long long>(s.offloads),
                static_cast<unsigned long long>(s.sends), static_cast<unsigned long long>(s.errors),
                static_cast<unsigned long long>(send_dones_), static_cast<unsigned long long>(p_.nic.regs.mmio_errors()),
                static_cast<unsigned long long>(p_.nic.device_errors()), p_.now().to_string().c_str());
  }
}

SubmissionBench* bench = nullptr;

}  // namespace

// Seeds: a normal session (offload, sends, ACKs, close), each class of bad
// entry, and doorbell/register abuse.
std::vector<std::pair<std::string, Bytes>> seeds() {
  std::vector<std::pair<std::string, Bytes>> out;
  auto pcb = [](Writer& w, std::uint8_t slot, std::uint8_t port) {
    // slot, sel (established, flags 1, mss 1460), wscales, port, snd_una, rcv_nxt, rcv_wnd, ts_recent
    w.u8(kPcb).u8(slot).u8(0x0D).u8(7).u8(7).u8(port).u32(1000).u32(2000).u16(65535).u32(0);
  };
  auto sqe = [](Writer& w, std::uint8_t opcode, std::uint8_t conn, std::uint8_t len_sel, std::uint16_t len,
                std::uint8_t addr_sel, std::uint32_t addr) {
    w.u8(kSqe).u8(opcode).u8(0).u8(conn).u8(len_sel);
    if (len_sel >= 17 && len_sel < 200) w.u16(len);
    w.u8(addr_sel);
    const unsigned a = addr_sel % 16;
    if (a == 6) w.u8(static_cast<std::uint8_t>(addr));
    if (a >= 8 && a <= 10) w.u16(static_cast<std::uint16_t>(addr));
    if (a == 11) w.u64(addr);
    if (a >= 12) w.u32(addr);
  };
  auto ring = [](Writer& w) { w.u8(kDoorbell).u8(0); };
  {
    Writer w;
    pcb(w, 0, 0);
    sqe(w, 1, 0, 0, 0, 12, 0);  // OFFLOAD_CONN slot 0
    ring(w);
    w.u8(kDelay).u8(20);
    for (int i = 0; i < 3; ++i) sqe(w, 2, 0, 100, 3000, 12, 4096u * i);  // SEND
    ring(w);
    w.u8(kDelay).u8(30).u8(kAckAll).u8(0).u8(kDelay).u8(10).u8(kReap);
    sqe(w, 4, 0, 0, 0, 12, 0);  // CLOSE
    ring(w);
    w.u8(kDelay).u8(30).u8(kAckAll).u8(0).u8(kDelay).u8(10).u8(kReap);
    out.emplace_back("seed-session", w.data());
  }
  {
    Writer w;
    sqe(w, 0, 0, 1, 0, 12, 0);        // opcode 0
    sqe(w, 7, 0, 1, 0, 12, 0);        // opcode 7
    sqe(w, 2, 9, 100, 10, 12, 0);     // SEND on a slot beyond TCB_ENTRIES
    sqe(w, 2, 1, 100, 10, 12, 0);     // SEND on a connection never offloaded
    sqe(w, 6, 240, 0, 0, 12, 0);      // RAW_TX of 0 bytes
    sqe(w, 6, 240, 7, 0, 12, 0);      // RAW_TX longer than a frame
    sqe(w, 6, 240, 100, 60, 1, 0);    // RAW_TX one byte past host memory
    sqe(w, 3, 240, 100, 2000, 9, 0);  // POST_RECV over the completion ring
    sqe(w, 5, 0, 0, 0, 12, 0);        // UPLOAD_CONN of nothing
    w.u8(kSqeRaw).bytes(Bytes(64, 0xFF));
    ring(w);
    w.u8(kDelay).u8(50).u8(kReap);
    out.emplace_back("seed-bad-entries", w.data());
  }
  {
    Writer w;
    pcb(w, 1, 1);
    sqe(w, 1, 1, 0, 0, 12, 0);
    ring(w);
    w.u8(kDelay).u8(20);
    sqe(w, 2, 1, 13, 0, 12, 0);  // SEND of 1 MiB + 1
    sqe(w, 2, 1, 16, 0, 12, 0);  // SEND of 4 GiB - 1
    sqe(w, 2, 1, 11, 0, 0, 0);   // SEND of 64 KiB ending at the end of memory
    ring(w);
    w.u8(kDoorbell).u8(200);                          // SQ_TAIL = ring size
    w.u8(kDoorbell).u8(255).u32(0xFFFFFFFFu);         // SQ_TAIL far beyond the ring
    w.u8(kMmioWrite).u8(10).u32(1024);                // SQ_SIZE while enabled
    w.u8(kMmioWrite).u8(250).u16(0x0FFE).u32(1);      // unaligned, no register
    w.u8(kMmioRead).u8(250).u32(0x12345678);          // far outside BAR0
    w.u8(kEnable).u8(0).u8(kEnable).u8(1);            // off and on again
    w.u8(kDelay).u8(100).u8(kAckAll).u8(1).u8(kReap);
    out.emplace_back("seed-abuse", w.data());
  }
  return out;
}

}  // namespace toevp::fuzz

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  toevp::fuzz::FuzzPlatform::prepare_kernel();
  toevp::fuzz::bench = new toevp::fuzz::SubmissionBench();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  toevp::fuzz::Reader r(data, size);
  toevp::fuzz::bench->run(r);
  return 0;
}
