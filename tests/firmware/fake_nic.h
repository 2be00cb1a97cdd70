// A HostInterface made of plain memory and a register array, plus a small
// functional stand-in for the NIC behind it, so the firmware driver and the
// example programs are tested without SystemC. The fake NIC follows
// docs/abi.md at the level of commands and completions (no timing): it
// fetches submissions when the CPU waits (delay_ns / wait_interrupt), writes
// completions with the phase bit, honours CQ_HEAD (waits when the ring is
// full) and hands RAW_TX frames to a scripted link partner whose replies come
// back as RAW_RX. Tests switch parts of it off (fetching, completing SENDs)
// or make it misbehave (duplicate SEND_DONE) to reach the driver's edge cases.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "firmware/entries.h"
#include "firmware/host_interface.h"
#include "firmware/pcb.h"

namespace toevp::fw::test {

using Frame = std::vector<std::uint8_t>;

class FakeHost : public HostInterface {
 public:
  static constexpr std::uint64_t kMemBase = 0x1000'0000;
  static constexpr std::uint64_t kMsiAddress = 0xFEE0'0000;
  static constexpr std::uint32_t kMsiData = 0x4021;

  explicit FakeHost(std::size_t mem_bytes = 16u << 20);

  void mmio_write32(std::uint32_t offset, std::uint32_t value) override;
  std::uint32_t mmio_read32(std::uint32_t offset) override;
  void mem_write(std::uint64_t bus_addr, const void* src, std::size_t len) override;
  void mem_read(std::uint64_t bus_addr, void* dst, std::size_t len) override;
  std::uint64_t dma_alloc(std::size_t len, std::size_t align) override;
  std::uint64_t msi_address() const override { return kMsiAddress; }
  std::uint32_t msi_data() const override { return kMsiData; }
  std::uint64_t now_ns() override { return now_; }
  bool wait_interrupt(std::uint64_t timeout_ns) override;
  void delay_ns(std::uint64_t ns) override;
  void fail(const char* message) override { throw std::runtime_error(message); }

  // Register file as the device sees it.
  std::array<std::uint32_t, 1024> regs{};
  // Every MMIO write in order: (offset, value).
  std::vector<std::pair<std::uint32_t, std::uint32_t>> mmio_log;
  std::uint64_t mem_reads = 0;
  // Called when the CPU writes a register (the NIC's reaction) and when it
  // lets time pass (the NIC's progress meanwhile).
  std::function<void(std::uint32_t, std::uint32_t)> on_mmio_write;
  std::function<std::uint32_t(std::uint32_t)> on_mmio_read;  // overrides regs if set
  std::function<void()> on_time_passes;
  bool irq_pending = false;
  std::uint64_t allocated() const { return next_alloc_ - kMemBase; }

  std::vector<std::uint8_t> read_bytes(std::uint64_t addr, std::size_t len);

 private:
  std::vector<std::uint8_t> mem_;
  std::uint64_t next_alloc_ = kMemBase;
  std::uint64_t now_ = 0;
};

// A scripted link partner: gets every RAW_TX frame, returns the frames to
// deliver back through RAW_RX.
using Partner = std::function<std::vector<Frame>(const Frame&)>;

// Replies to a SYN with a SYN-ACK (options as given), ignores everything else.
struct SynAckPeer {
  std::uint32_t iss = 0x12345678;
  std::uint16_t mss = 1460;
  int wscale = 9;
  bool sack = true;
  bool timestamps = true;
  std::uint32_t tsval = 0xABCD0001;
  std::uint16_t window = 65535;
  unsigned drop_first_syns = 0;  // lose this many SYNs (tests retransmission)
  bool refuse = false;           // answer RST+ACK instead
  unsigned syns_seen = 0;
  std::vector<std::uint32_t> syn_seqs;  // sequence number of every SYN seen
  std::vector<Frame> acks_seen;  // final ACKs received
  std::vector<Frame> operator()(const Frame& frame);
};

// Answers ARP requests for `ip` with `mac` (RFC 826) and records every ARP
// frame it gets; frames that are not ARP go to `next`.
struct ArpPeer {
  std::uint32_t ip = 0x0A000002;
  MacAddr mac{0x02, 0x00, 0x00, 0x00, 0x00, 0x22};
  unsigned drop_first_requests = 0;  // lose this many requests (tests retries)
  bool silent = false;               // never answer
  Partner next;
  std::vector<Frame> arp_frames;     // every ARP frame received
  std::vector<std::uint64_t> arp_times_ns;  // the host clock when each arrived
  FakeHost* host = nullptr;          // for arp_times_ns
  std::vector<Frame> operator()(const Frame& frame);
};

class FakeNic {
 public:
  struct SendRecord {
    std::uint16_t conn;
    std::uint64_t addr;
    std::uint32_t length;
    std::uint64_t cookie;
    std::vector<std::uint8_t> payload;  // copied when the NIC "reads" it
  };

  FakeNic(FakeHost& host, Partner partner);

  // Knobs.
  bool fetch_enabled = true;         // false: SQ entries stay unfetched
  bool complete_sends = true;        // false: SENDs are held until release_sends()
  bool duplicate_send_done = false;  // misbehave: every SEND_DONE twice
  bool reverse_send_done = false;    // misbehave: held SENDs complete newest first
  enum class CloseAnswer { kClosed, kReset, kNothing };
  CloseAnswer close_answer = CloseAnswer::kClosed;  // what a CLOSE gets
  std::uint32_t cap_mtu = 1500;
  std::uint32_t id = 0x544F4531;

  void step();                 // fetch and execute everything it can
  void release_sends();        // complete held SENDs (order per reverse_send_done)
  void push_completion(const Cqe& cqe);  // queue an entry as the NIC would
  void inject(const Frame& frame) { deliver_raw(frame); }  // a frame from the wire, as RAW_RX

  const std::vector<SendRecord>& sends() const { return sends_; }
  std::map<std::uint16_t, Pcb> offloaded;
  std::vector<Sqe> fetched;    // every submission entry, in fetch order
  std::uint32_t sq_doorbells = 0;
  std::uint32_t cq_head_writes = 0;
  std::size_t raw_buffers_posted() const { return raw_bufs_.size(); }
  std::size_t held_sends() const { return held_sends_.size(); }
  // SENDs fetched while an earlier SEND of the same buffer was not completed.
  std::uint32_t buffer_reuse_violations = 0;

 private:
  void on_write(std::uint32_t offset, std::uint32_t value);
  void execute(const Sqe& sqe, std::uint16_t index);
  void deliver_raw(const Frame& frame);
  void flush_completions();
  bool cq_full() const;
  void write_cqe(Cqe cqe);
  Cqe make(abi::CqeType type, const Sqe& sqe, std::uint16_t index,
           abi::Status status = abi::Status::kOk) const;

  FakeHost& host_;
  Partner partner_;
  std::vector<SendRecord> sends_;
  std::deque<Cqe> pending_cqes_;
  std::deque<std::pair<Sqe, std::uint16_t>> held_sends_;
  std::deque<Sqe> raw_bufs_;
  std::uint32_t sq_head_ = 0;
  std::uint32_t cq_tail_ = 0;
  std::uint8_t cq_phase_ = 1;
};

}  // namespace toevp::fw::test
