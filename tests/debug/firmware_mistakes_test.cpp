// Firmware mistakes behave as on silicon (docs/firmware_guide.md, "When
// firmware gets it wrong"): each gives a defined error — an ERR_STATUS bit or
// an ERROR completion — and a log line naming the cause, and the NIC goes on
// working; nothing crashes or hangs (every run ends before its time limit).
// Double posting of a buffer is the exception the NIC cannot see: the driver
// refuses it.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "firmware/abi_strings.h"
#include "firmware/driver.h"
#include "model/abi/abi.h"
#include "model/abi/toevp_regs.h"
#include "testbench/platform.h"
#include "tests/debug/debug_harness.h"

namespace toevp::tb::debug_test {
namespace {

constexpr std::uint64_t kMemBase = 0x10000000;        // host.memory_base (default)
constexpr std::uint64_t kMemBytes = 256ull << 20;     // host.memory_mb (default)
const std::vector<std::string> kConfig = {"sim.seed=1", "sim.time_limit_ms=200"};

fw::DriverConfig small_rings() {
  fw::DriverConfig d;
  d.sq_entries = 64;
  d.cq_entries = 64;
  d.tcb_entries = 8;
  return d;
}

// Runs `program` on a fresh platform; true when it finished in time.
template <class Program>
bool run_platform(Program program) {
  Platform p(make_config(kConfig));
  return p.run([&](fw::HostInterface& host) { return program(host, p); });
}

// --- rings -------------------------------------------------------------------

struct RingAttempt {
  const char* what;
  std::int64_t sq_off, cq_off, tcb_off;  // offsets from good, aligned buffers (or absolute if `absolute_sq`)
  std::uint32_t sq_size, cq_size, tcb_entries;
  std::uint64_t sq_absolute = 0;         // non-zero: SQ base, ignoring sq_off
  std::uint64_t cq_absolute = 0;
  std::uint32_t expect_bit;
  const char* expect_log;
  // Filled by the program.
  std::uint32_t err_status = 0, status = 0;
  std::size_t log_hits = 0;
};

void program_rings(fw::HostInterface& host, std::uint64_t sq, std::uint32_t sq_size, std::uint64_t cq,
                   std::uint32_t cq_size, std::uint64_t tcb, std::uint32_t tcb_entries) {
  host.mmio_write32(TOEVP_REG_CTRL, 0);
  host.mmio_write32(TOEVP_REG_ERR_STATUS, 0xFFFFFFFFu);
  host.mmio_write32(TOEVP_REG_SQ_BASE_LO, static_cast<std::uint32_t>(sq));
  host.mmio_write32(TOEVP_REG_SQ_BASE_HI, static_cast<std::uint32_t>(sq >> 32));
  host.mmio_write32(TOEVP_REG_SQ_SIZE, sq_size);
  host.mmio_write32(TOEVP_REG_CQ_BASE_LO, static_cast<std::uint32_t>(cq));
  host.mmio_write32(TOEVP_REG_CQ_BASE_HI, static_cast<std::uint32_t>(cq >> 32));
  host.mmio_write32(TOEVP_REG_CQ_SIZE, cq_size);
  host.mmio_write32(TOEVP_REG_TCB_BASE_LO, static_cast<std::uint32_t>(tcb));
  host.mmio_write32(TOEVP_REG_TCB_BASE_HI, static_cast<std::uint32_t>(tcb >> 32));
  host.mmio_write32(TOEVP_REG_TCB_ENTRIES, tcb_entries);
  host.mmio_write32(TOEVP_REG_CTRL, TOEVP_CTRL_ENABLE_MASK);
}

TEST_CASE("misaligned or out-of-range rings are refused at CTRL.ENABLE with their ERR_STATUS bit and a log line",
          "[debug][mistakes][rings]") {
  LogCapture capture;
  const std::uint64_t end = kMemBase + kMemBytes;
  std::vector<RingAttempt> attempts = {
      {"SQ base not 64-byte aligned", 32, 0, 0, 64, 64, 8, 0, 0, TOEVP_ERR_STATUS_SQ_CONFIG_MASK, "bad submission queue"},
      {"SQ outside host memory", 0, 0, 0, 64, 64, 8, 0x1000, 0, TOEVP_ERR_STATUS_SQ_CONFIG_MASK, "bad submission queue"},
      {"SQ size not a power of two", 0, 0, 0, 100, 64, 8, 0, 0, TOEVP_ERR_STATUS_SQ_CONFIG_MASK, "bad submission queue"},
      {"CQ base not 32-byte aligned", 0, 16, 0, 64, 64, 8, 0, 0, TOEVP_ERR_STATUS_CQ_CONFIG_MASK, "bad completion queue"},
      {"CQ runs past the end of host memory", 0, 0, 0, 64, 1024, 8, 0, end - 16 * 32, TOEVP_ERR_STATUS_CQ_CONFIG_MASK,
       "bad completion queue"},
      {"CQ size 1", 0, 0, 0, 64, 1, 8, 0, 0, TOEVP_ERR_STATUS_CQ_CONFIG_MASK, "bad completion queue"},
      {"TCB table not 128-byte aligned", 0, 0, 64, 64, 64, 8, 0, 0, TOEVP_ERR_STATUS_TCB_CONFIG_MASK, "bad TCB table"},
      {"TCB_ENTRIES 0", 0, 0, 0, 64, 64, 0, 0, 0, TOEVP_ERR_STATUS_TCB_CONFIG_MASK, "bad TCB table"},
  };
  std::uint32_t doorbell_err = 0, good_err = 1, good_status = 0;
  std::size_t doorbell_log = 0;
  const bool finished = run_platform([&](fw::HostInterface& host, Platform&) {
    const std::uint64_t sq = host.dma_alloc(1024 * 64, 4096), cq = host.dma_alloc(1024 * 32, 4096),
                        tcb = host.dma_alloc(8 * 128, 4096);
    for (RingAttempt& a : attempts) {
      const std::size_t mark = LogCapture::lines().size();
      program_rings(host, a.sq_absolute ? a.sq_absolute : sq + a.sq_off, a.sq_size,
                    a.cq_absolute ? a.cq_absolute : cq + a.cq_off, a.cq_size, tcb + a.tcb_off, a.tcb_entries);
      a.err_status = host.mmio_read32(TOEVP_REG_ERR_STATUS);  // the read follows the posted writes
      a.status = host.mmio_read32(TOEVP_REG_STATUS);
      a.log_hits = LogCapture::count_since(mark, a.expect_log);
    }
    // The device is not running after a refusal: a doorbell is ignored.
    const std::size_t mark = LogCapture::lines().size();
    host.mmio_write32(TOEVP_REG_SQ_TAIL, 1);
    doorbell_err = host.mmio_read32(TOEVP_REG_ERR_STATUS);
    doorbell_log = LogCapture::count_since(mark, "while CTRL.ENABLE is 0");
    // Fixed: the same rings, correctly programmed, run.
    program_rings(host, sq, 64, cq, 64, tcb, 8);
    good_err = host.mmio_read32(TOEVP_REG_ERR_STATUS);
    good_status = host.mmio_read32(TOEVP_REG_STATUS);
    return 0;
  });
  REQUIRE(finished);
  for (const RingAttempt& a : attempts) {
    INFO(a.what << ": ERR_STATUS 0x" << std::hex << a.err_status << " STATUS 0x" << a.status);
    CHECK(a.err_status == a.expect_bit);
    CHECK((a.status & TOEVP_STATUS_RUNNING_MASK) == 0);
    CHECK((a.status & TOEVP_STATUS_ERROR_MASK) != 0);
    CHECK(a.log_hits == 1);
  }
  CHECK((doorbell_err & TOEVP_ERR_STATUS_NOT_ENABLED_MASK) != 0);
  CHECK(doorbell_log == 1);
  CHECK(good_err == 0);
  CHECK(good_status == TOEVP_STATUS_RUNNING_MASK);
}

// --- doorbells -----------------------------------------------------------------

TEST_CASE("a doorbell beyond the ring sets its ERR_STATUS bit, is ignored, and the NIC keeps working",
          "[debug][mistakes][doorbell]") {
  LogCapture capture;
  std::uint32_t head_before = 0, head_after = 0, err_tail = 0, err_head = 0, err_cleared = 1;
  std::size_t tail_log = 0, head_log = 0;
  std::string error;
  fw::Completion done;
  const bool finished = run_platform([&](fw::HostInterface& host, Platform&) {
    fw::Driver drv(host);
    if (!drv.init(small_rings())) return error = drv.last_error(), 1;
    host.delay_ns(20'000);  // the NIC has fetched the raw receive buffers init posted
    head_before = host.mmio_read32(TOEVP_REG_SQ_HEAD);
    std::size_t mark = LogCapture::lines().size();
    host.mmio_write32(TOEVP_REG_SQ_TAIL, 64);  // SQ_SIZE is 64: valid tails are 0..63
    host.mmio_write32(TOEVP_REG_SQ_TAIL, 1000);
    err_tail = host.mmio_read32(TOEVP_REG_ERR_STATUS);
    head_after = host.mmio_read32(TOEVP_REG_SQ_HEAD);
    tail_log = LogCapture::count_since(mark, "beyond SQ_SIZE");
    mark = LogCapture::lines().size();
    host.mmio_write32(TOEVP_REG_CQ_HEAD, 64);
    err_head = host.mmio_read32(TOEVP_REG_ERR_STATUS);
    head_log = LogCapture::count_since(mark, "beyond CQ_SIZE");
    host.mmio_write32(TOEVP_REG_ERR_STATUS, err_head);  // RW1C
    err_cleared = host.mmio_read32(TOEVP_REG_ERR_STATUS);
    // Still working: a connection and a message.
    if (!drv.connect(connect_params(0))) return error = drv.last_error(), 1;
    const std::uint64_t buf = host.dma_alloc(8192, 64);
    fill_pattern(host, buf, 0, 0, 8192);
    if (!drv.send(0, buf, 8192, 7)) return error = drv.last_error(), 1;
    if (!next_of(drv, abi::CqeType::kSendDone, done)) return error = "no SEND_DONE", 1;
    return 0;
  });
  REQUIRE(finished);
  INFO(error);
  CHECK(error.empty());
  CHECK(err_tail == TOEVP_ERR_STATUS_SQ_TAIL_RANGE_MASK);
  CHECK(head_after == head_before);  // nothing was fetched for the bad tails
  CHECK(tail_log == 2);
  CHECK(err_head == (TOEVP_ERR_STATUS_SQ_TAIL_RANGE_MASK | TOEVP_ERR_STATUS_CQ_HEAD_RANGE_MASK));
  CHECK(head_log == 1);
  CHECK(err_cleared == 0);
  CHECK(done.status == abi::Status::kOk);
  CHECK(done.cookie == 7);
}

// --- DMA outside host memory ------------------------------------------------------

TEST_CASE("buffers outside host memory are rejected with BAD_ADDRESS before any DMA, each logged",
          "[debug][mistakes][dma]") {
  LogCapture capture;
  const std::uint64_t end = kMemBase + kMemBytes;
  struct Bad {
    const char* what;
    abi::Opcode op;
    std::uint16_t conn;
    std::uint64_t addr;
    std::uint32_t len;
    std::uint64_t cookie;
  };
  const std::vector<Bad> bad = {
      {"SEND below host memory", abi::Opcode::kSend, 0, 0x1000, 4096, 0xA1},
      {"SEND past the end", abi::Opcode::kSend, 0, end + 0x10000, 4096, 0xA2},
      {"SEND straddling the end", abi::Opcode::kSend, 0, end - 100, 4096, 0xA3},
      {"raw POST_RECV outside", abi::Opcode::kPostRecv, abi::kRawConn, 0x2000, 1536, 0xA4},
      {"RAW_TX outside", abi::Opcode::kRawTx, abi::kRawConn, 0x3000, 60, 0xA5},
  };
  std::vector<fw::Completion> errors, others;
  std::vector<std::string> driver_log;
  std::uint32_t stat_bad_address = 0, err_status = 1, pcie_errors_before = 0;
  std::size_t send_logs = 0, frame_logs = 0;
  std::string error;
  fw::Completion good;
  Platform* plat = nullptr;
  std::uint64_t pcie_dma_errors = 0;
  const bool finished = run_platform([&](fw::HostInterface& host, Platform& p) {
    plat = &p;
    fw::Driver drv(host);
    if (!drv.init(small_rings()) || !drv.connect(connect_params(0))) return error = drv.last_error(), 1;
    pcie_errors_before = static_cast<std::uint32_t>(p.nic.pcie.stats().dma_errors);
    const std::size_t mark = LogCapture::lines().size();
    for (const Bad& b : bad) {
      const bool posted = b.op == abi::Opcode::kSend ? drv.post_send(b.conn, b.addr, b.len, b.cookie)
                                                     : drv.post(fw::Sqe{b.op, 0, b.conn, b.len, b.addr, b.cookie});
      if (!posted) return error = std::string(b.what) + ": " + drv.last_error(), 1;
    }
    const std::uint64_t buf = host.dma_alloc(8192, 64);
    fill_pattern(host, buf, 0, 0, 8192);
    if (!drv.post_send(0, buf, 8192, 0xB0)) return error = drv.last_error(), 1;
    drv.ring();
    while (errors.size() < 3) {  // the SEND errors reach the caller; raw-path errors stay in the driver's log
      fw::Completion c;
      if (!next(drv, c)) return error = "missing ERROR completions", 1;
      (c.type == abi::CqeType::kError ? errors : others).push_back(c);
    }
    if (!next_of(drv, abi::CqeType::kSendDone, good, &others)) return error = "no SEND_DONE", 1;
    stat_bad_address = host.mmio_read32(TOEVP_REG_STAT_ERR_BAD_ADDRESS);
    err_status = host.mmio_read32(TOEVP_REG_ERR_STATUS);
    send_logs = LogCapture::count_since(mark, "buffer is not inside host memory");
    frame_logs = LogCapture::count_since(mark, "frame is not inside host memory");
    driver_log = drv.error_log();
    pcie_dma_errors = p.nic.pcie.stats().dma_errors;
    return 0;
  });
  REQUIRE(finished);
  INFO(error);
  REQUIRE(error.empty());
  REQUIRE(errors.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    INFO(bad[i].what << ": " << fw::describe(errors[i]));
    CHECK(errors[i].status == abi::Status::kBadAddress);
    CHECK(errors[i].opcode == abi::Opcode::kSend);
    CHECK(errors[i].cookie == bad[i].cookie);
  }
  CHECK(stat_bad_address == 5);
  CHECK(send_logs == 4);   // three SENDs and the POST_RECV
  CHECK(frame_logs == 1);  // the RAW_TX
  const auto in_log = [&](const char* text) {
    return std::count_if(driver_log.begin(), driver_log.end(),
                         [&](const std::string& s) { return s.find(text) != std::string::npos; });
  };
  CHECK(in_log("BAD_ADDRESS") == 5);  // the driver names every ERROR, raw path included
  CHECK(err_status == 0);             // per-command errors are completions, not device errors
  CHECK(pcie_dma_errors == pcie_errors_before);  // rejected before any DMA was issued
  CHECK(good.status == abi::Status::kOk);
  CHECK(good.cookie == 0xB0);
  CHECK(plat != nullptr);
}

// --- double posting ----------------------------------------------------------------

TEST_CASE("the driver refuses to post a buffer the NIC still owns, naming the SEND that owns it",
          "[debug][mistakes][double-post]") {
  LogCapture capture;
  bool first = false, again = false, overlap = true, adjacent = false, after_done = false;
  std::string again_error, overlap_error, error;
  std::uint64_t refused = 0;
  std::uint32_t nic_errors = 1, nic_send_done = 0;
  std::vector<std::uint64_t> done_cookies;
  const bool finished = run_platform([&](fw::HostInterface& host, Platform&) {
    fw::Driver drv(host);
    if (!drv.init(small_rings()) || !drv.connect(connect_params(0))) return error = drv.last_error(), 1;
    const std::uint64_t buf = host.dma_alloc(3 * 4096, 64);
    fill_pattern(host, buf, 0, 0, 4096);
    first = drv.post_send(0, buf, 4096, 1);
    again = drv.post_send(0, buf, 4096, 2);  // the same buffer again
    again_error = drv.last_error();
    overlap = drv.post_send(0, buf + 2048, 4096, 3);  // overlaps the first
    overlap_error = drv.last_error();
    fill_pattern(host, buf + 4096, 0, 4096, 4096);
    adjacent = drv.post_send(0, buf + 4096, 4096, 4);  // touches it, does not overlap
    drv.ring();
    fw::Completion c;
    for (int i = 0; i < 2 && next_of(drv, abi::CqeType::kSendDone, c); ++i) done_cookies.push_back(c.cookie);
    // After its SEND_DONE the buffer is the host's again.
    fill_pattern(host, buf, 0, 8192, 4096);
    after_done = drv.send(0, buf, 4096, 5);
    if (next_of(drv, abi::CqeType::kSendDone, c)) done_cookies.push_back(c.cookie);
    refused = drv.stats().double_posts_refused;
    nic_errors = host.mmio_read32(TOEVP_REG_STAT_ERR_COMPLETIONS);
    nic_send_done = host.mmio_read32(TOEVP_REG_STAT_SEND_DONE);
    return 0;
  });
  REQUIRE(finished);
  INFO(error);
  REQUIRE(error.empty());
  CHECK(first);
  CHECK_FALSE(again);
  CHECK(again_error.find("double posting refused") != std::string::npos);
  CHECK(again_error.find("cookie 0x1") != std::string::npos);  // names the owner
  CHECK_FALSE(overlap);
  CHECK(overlap_error.find("overlaps") != std::string::npos);
  CHECK(adjacent);
  CHECK(after_done);
  CHECK(refused == 2);
  CHECK(done_cookies == std::vector<std::uint64_t>{1, 4, 5});
  CHECK(nic_errors == 0);     // the refused posts never reached the NIC
  CHECK(nic_send_done == 3);
}

TEST_CASE("the NIC itself cannot see a double-posted buffer: with the driver's check off both SENDs complete",
          "[debug][mistakes][double-post]") {
  std::vector<fw::Completion> done;
  std::uint32_t nic_errors = 1;
  std::string error;
  const bool finished = run_platform([&](fw::HostInterface& host, Platform&) {
    fw::Driver drv(host);
    fw::DriverConfig cfg = small_rings();
    cfg.refuse_double_post = false;
    if (!drv.init(cfg) || !drv.connect(connect_params(0))) return error = drv.last_error(), 1;
    const std::uint64_t buf = host.dma_alloc(4096, 64);
    fill_pattern(host, buf, 0, 0, 4096);
    if (!drv.post_send(0, buf, 4096, 1) || !drv.post_send(0, buf, 4096, 2)) return error = drv.last_error(), 1;
    drv.ring();
    fw::Completion c;
    while (done.size() < 2 && next_of(drv, abi::CqeType::kSendDone, c)) done.push_back(c);
    nic_errors = host.mmio_read32(TOEVP_REG_STAT_ERR_COMPLETIONS);
    return 0;
  });
  REQUIRE(finished);
  INFO(error);
  REQUIRE(done.size() == 2);
  CHECK(done[0].status == abi::Status::kOk);
  CHECK(done[1].status == abi::Status::kOk);
  CHECK(nic_errors == 0);
}

// --- closed connections --------------------------------------------------------------

TEST_CASE("SEND and CLOSE on a connection that is not offloaded, closing or closed get ERROR CONN_STATE and a log line",
          "[debug][mistakes][closed]") {
  LogCapture capture;
  struct Step {
    std::string what;
    fw::Completion cqe;
  };
  std::vector<Step> steps;
  std::size_t not_offloaded_logs = 0, closing_logs = 0;
  std::string error;
  bool closed_event = false;
  const bool finished = run_platform([&](fw::HostInterface& host, Platform&) {
    fw::Driver drv(host);
    if (!drv.init(small_rings())) return error = drv.last_error(), 1;
    const std::size_t mark = LogCapture::lines().size();
    const std::uint64_t buf = host.dma_alloc(4 * 4096, 64);
    auto expect_error = [&](const std::string& what) {
      fw::Completion c;
      std::vector<fw::Completion> skipped;
      if (!next_of(drv, abi::CqeType::kError, c, &skipped)) return error = "no ERROR for " + what, false;
      for (const auto& s : skipped) closed_event |= s.type == abi::CqeType::kConnEvent && s.event == abi::ConnEvent::kClosed;
      steps.push_back({what, c});
      return true;
    };
    // Slot 5 was never offloaded.
    if (!drv.send(5, buf, 4096, 0x51) || !expect_error("SEND, never offloaded")) return 1;
    if (!drv.close(5) || !expect_error("CLOSE, never offloaded")) return 1;
    // Slot 0: offloaded, one message, CLOSE, then more.
    if (!drv.connect(connect_params(0))) return error = drv.last_error(), 1;
    fill_pattern(host, buf, 0, 0, 4096);
    if (!drv.send(0, buf, 4096, 0x01) || !drv.close(0)) return error = drv.last_error(), 1;
    fill_pattern(host, buf + 4096, 0, 4096, 4096);
    if (!drv.send(0, buf + 4096, 4096, 0x02) || !expect_error("SEND while closing")) return 1;
    if (!drv.close(0) || !expect_error("CLOSE while closing")) return 1;
    fw::Completion c;
    while (!closed_event && next(drv, c))
      closed_event = c.type == abi::CqeType::kConnEvent && c.event == abi::ConnEvent::kClosed;
    if (!closed_event) return error = "no CONN_EVENT CLOSED", 1;
    if (!drv.send(0, buf + 8192, 4096, 0x03) || !expect_error("SEND after CLOSED")) return 1;
    not_offloaded_logs = LogCapture::count_since(mark, "not offloaded");
    closing_logs = LogCapture::count_since(mark, "closing");
    return 0;
  });
  REQUIRE(finished);
  INFO(error);
  REQUIRE(error.empty());
  REQUIRE(steps.size() == 5);
  const std::vector<std::pair<abi::Opcode, std::uint16_t>> expected = {
      {abi::Opcode::kSend, 5}, {abi::Opcode::kClose, 5}, {abi::Opcode::kSend, 0}, {abi::Opcode::kClose, 0},
      {abi::Opcode::kSend, 0}};
  for (std::size_t i = 0; i < steps.size(); ++i) {
    INFO(steps[i].what << ": " << fw::describe(steps[i].cqe));
    CHECK(steps[i].cqe.status == abi::Status::kConnState);
    CHECK(steps[i].cqe.opcode == expected[i].first);
    CHECK(steps[i].cqe.conn_id == expected[i].second);
  }
  CHECK(steps[2].cqe.cookie == 0x02);
  CHECK(steps[4].cqe.cookie == 0x03);
  CHECK(not_offloaded_logs >= 2);
  CHECK(closing_logs + not_offloaded_logs >= 5);  // each rejection logged with its reason
}

}  // namespace
}  // namespace toevp::tb::debug_test
