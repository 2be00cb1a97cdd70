// Ring bookkeeping: the submission ring's capacity, wrap and doorbell
// batching; the completion ring's phase bit across wraps and one CQ_HEAD
// write per batch; and the driver blocking on a full submission ring.
#include <catch2/catch.hpp>

#include "firmware/driver.h"
#include "firmware/rings.h"
#include "model/abi/toevp_regs.h"
#include "tests/firmware/fake_nic.h"

using namespace toevp;
using namespace toevp::fw;
using namespace toevp::fw::test;

namespace {

std::size_t count_writes(const FakeHost& h, std::uint32_t reg) {
  std::size_t n = 0;
  for (const auto& [off, v] : h.mmio_log) n += off == reg;
  return n;
}

Sqe send_sqe(std::uint64_t cookie) { return Sqe{abi::Opcode::kSend, 0, 1, 100, 0x2000, cookie}; }

void write_cqe_at(FakeHost& h, std::uint64_t base, std::uint32_t index, std::uint64_t cookie, std::uint8_t phase) {
  Cqe c;
  c.type = abi::CqeType::kSendDone;
  c.cookie = cookie;
  c.phase = phase;
  std::array<std::uint8_t, 32> b{};
  encode_cqe(c, b);
  h.mem_write(base + index * 32ull, b.data(), b.size());
}

}  // namespace

TEST_CASE("a submission ring of 4 entries holds 3 and wraps its tail to 0") {
  FakeHost h;
  const std::uint64_t base = h.dma_alloc(4 * 64, 64);
  SubmissionRing sq;
  sq.reset(h, base, 4);
  for (int i = 0; i < 3; ++i) CHECK(sq.push(send_sqe(i)) == static_cast<std::uint32_t>(i));
  CHECK(sq.full());
  CHECK(sq.free_slots() == 0);
  sq.ring();
  h.regs[TOEVP_REG_SQ_HEAD / 4] = 2;  // the NIC fetched two
  REQUIRE(sq.refresh_head());
  CHECK(sq.free_slots() == 2);
  CHECK(sq.push(send_sqe(3)) == 3);
  CHECK(sq.push(send_sqe(4)) == 0);  // wrapped
  CHECK(sq.tail() == 1);
  CHECK(sq.full());
  CHECK(decode_sqe(h.read_bytes(base + 3 * 64, 64)).cookie == 3);
  CHECK(decode_sqe(h.read_bytes(base + 0 * 64, 64)).cookie == 4);
}

TEST_CASE("several submissions share one SQ_TAIL doorbell") {
  FakeHost h;
  SubmissionRing sq;
  sq.reset(h, h.dma_alloc(8 * 64, 64), 8);
  sq.push(send_sqe(0));
  sq.push(send_sqe(1));
  sq.push(send_sqe(2));
  CHECK(count_writes(h, TOEVP_REG_SQ_TAIL) == 0);
  sq.ring();
  sq.ring();  // nothing new: no second write
  REQUIRE(count_writes(h, TOEVP_REG_SQ_TAIL) == 1);
  CHECK(h.mmio_log.back() == std::make_pair(std::uint32_t{TOEVP_REG_SQ_TAIL}, std::uint32_t{3}));
}

TEST_CASE("an SQ_HEAD beyond the rung tail or the ring is not believed") {
  FakeHost h;
  SubmissionRing sq;
  sq.reset(h, h.dma_alloc(8 * 64, 64), 8);
  sq.push(send_sqe(0));
  sq.push(send_sqe(1));
  sq.ring();
  sq.push(send_sqe(2));  // not rung
  h.regs[TOEVP_REG_SQ_HEAD / 4] = 3;
  CHECK_FALSE(sq.refresh_head());
  h.regs[TOEVP_REG_SQ_HEAD / 4] = 9;
  CHECK_FALSE(sq.refresh_head());
  h.regs[TOEVP_REG_SQ_HEAD / 4] = 2;
  CHECK(sq.refresh_head());
  CHECK(sq.head() == 2);
}

TEST_CASE("the completion ring expects phase 1 first and phase 0 after a wrap") {
  FakeHost h;
  const std::uint64_t base = h.dma_alloc(4 * 32, 32);
  const std::vector<std::uint8_t> zeros(4 * 32, 0);
  h.mem_write(base, zeros.data(), zeros.size());
  CompletionRing cq;
  cq.reset(h, base, 4);
  CHECK_FALSE(cq.peek().has_value());  // zeroed memory is not a completion
  for (std::uint32_t i = 0; i < 4; ++i) write_cqe_at(h, base, i, 100 + i, 1);
  for (std::uint32_t i = 0; i < 4; ++i) {
    const auto c = cq.peek();
    REQUIRE(c.has_value());
    CHECK(c->cookie == 100 + i);
    cq.pop();
  }
  CHECK(cq.head() == 0);
  CHECK(cq.expected_phase() == 0);
  CHECK_FALSE(cq.peek().has_value());  // entry 0 still has the old phase 1
  write_cqe_at(h, base, 0, 200, 0);
  REQUIRE(cq.peek().has_value());
  CHECK(cq.peek()->cookie == 200);
}

TEST_CASE("CQ_HEAD is written once per batch of consumed completions") {
  FakeHost h;
  const std::uint64_t base = h.dma_alloc(8 * 32, 32);
  const std::vector<std::uint8_t> zeros(8 * 32, 0);
  h.mem_write(base, zeros.data(), zeros.size());
  CompletionRing cq;
  cq.reset(h, base, 8);
  for (std::uint32_t i = 0; i < 5; ++i) write_cqe_at(h, base, i, i, 1);
  while (cq.peek()) cq.pop();
  cq.release();
  cq.release();
  REQUIRE(count_writes(h, TOEVP_REG_CQ_HEAD) == 1);
  CHECK(h.mmio_log.back().second == 5);
}

TEST_CASE("the driver drains more completions than the ring holds, in order, across wraps") {
  FakeHost h;
  FakeNic nic(h, SynAckPeer{});
  Driver drv(h);
  DriverConfig cfg;
  cfg.cq_entries = 4;
  cfg.raw_rx_buffers = 1;
  REQUIRE(drv.init(cfg));
  for (std::uint64_t i = 0; i < 10; ++i) {
    Cqe c;
    c.type = abi::CqeType::kSendDone;
    c.conn_id = 3;
    c.cookie = i;
    nic.push_completion(c);  // the fake NIC holds what does not fit
  }
  std::vector<std::uint64_t> cookies;
  Completion c;
  while (drv.wait_completion(c, 100'000)) cookies.push_back(c.cookie);
  CHECK(cookies == std::vector<std::uint64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  CHECK(drv.stats().completions == 10);
  CHECK(drv.stats().cq_head_writes == nic.cq_head_writes);
  CHECK(nic.cq_head_writes >= 4);  // at most 3 entries per batch in a 4-entry ring
}

TEST_CASE("a full submission ring blocks post until the NIC fetches and rings the doorbell first") {
  FakeHost h;
  FakeNic nic(h, SynAckPeer{});
  Driver drv(h);
  DriverConfig cfg;
  cfg.sq_entries = 4;
  cfg.raw_rx_buffers = 1;
  cfg.interrupts = false;
  REQUIRE(drv.init(cfg));
  h.delay_ns(10);  // the NIC fetches the raw receive buffer
  nic.fetch_enabled = false;
  // Distinct buffers: the driver refuses a buffer the NIC still owns.
  for (int i = 0; i < 3; ++i) REQUIRE(drv.post_send(0, 0x2000 + 0x100 * i, 100, i));
  CHECK(drv.stats().sq_full_waits == 0);  // SQ_HEAD re-read made room for the third
  const std::uint64_t t0 = h.now_ns();
  h.on_time_passes = [&] {
    if (h.now_ns() >= t0 + 50'000) nic.fetch_enabled = true;
    nic.step();
  };
  CHECK(nic.sq_doorbells == 1);  // init's
  REQUIRE(drv.post_send(0, 0x2300, 100, 3));
  CHECK(h.now_ns() >= t0 + 50'000);
  CHECK(drv.stats().sq_full_waits == 1);
  CHECK(nic.sq_doorbells == 2);  // rung before waiting: the NIC saw the 3 entries
  drv.ring();
  h.delay_ns(10);
  CHECK(nic.fetched.size() == 5);  // raw POST_RECV + 4 SENDs
  CHECK(nic.fetched.back().cookie == 3);
}

TEST_CASE("a submission ring that never drains makes post fail after the command timeout") {
  FakeHost h;
  FakeNic nic(h, SynAckPeer{});
  Driver drv(h);
  DriverConfig cfg;
  cfg.sq_entries = 2;
  cfg.raw_rx_buffers = 1;
  cfg.command_timeout_ns = 20'000;
  REQUIRE(drv.init(cfg));
  nic.fetch_enabled = false;  // the raw POST_RECV fills the only slot
  CHECK_FALSE(drv.post_send(0, 0x2000, 100, 1));
  CHECK(drv.last_error() == "submission ring stayed full for 20000 ns");
  CHECK(h.now_ns() >= 20'000);
}
