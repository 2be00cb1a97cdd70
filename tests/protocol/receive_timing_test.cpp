// docs/timing.md, "Receive path (offloaded connections)": on an idle
// platform at the default design point, the peer's data segments are
// processed, DMA-written into the POST_RECV buffers, reported with RECV_DONE
// and ACKed exactly when the documented rules say, to the femtosecond. The
// test takes from the platform only the times it does not model: when the
// peer's frames reach the NIC (the link), when firmware rang the doorbell
// (the host CPU); everything after that it computes from the config keys
// with the rules of the document (tests/platform/documented_timing.h), and
// compares with what it observes:
//   - the processing edge: the cycle the received data's DMA writes are
//     issued on (the transaction trace's DMA lines, `ready@`);
//   - when each write and each RECV_DONE landed in host memory (the host
//     memory's write observer, CompletionLog);
//   - when the NIC's ACK (or window update) put its first bit on the wire
//     (FrameTap).
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "firmware/driver.h"
#include "model/abi/abi.h"
#include "model/abi/toevp_regs.h"
#include "model/common/clock_domain.h"
#include "model/common/trace.h"
#include "model/pcie/pcie_link.h"
#include "testbench/platform.h"
#include "tests/platform/documented_timing.h"
#include "tests/platform/platform_harness.h"
#include "tests/protocol/protocol_harness.h"

namespace toevp::tb::test {
namespace {

using model::ClockDomain;

const int kSeed = test_seed(11);

std::uint64_t fs(const sc_core::sc_time& t) { return ClockDomain::to_fs(t); }

// The NIC's DMA writes as the transaction trace saw them issued. MacRx's
// socket carries the protocol engine's receive-path writes, issued on the
// edge the segment's processing ended on; the completion engine's socket
// carries the entries and MSI-X messages. The trace is process-wide, like
// the SystemC kernel; every test case here runs in its own process.
class DmaWriteTrace {
 public:
  struct Issued {
    std::uint64_t addr, len;
    std::string initiator;
    std::uint64_t cycle;        // when the write was handed to the PCIe endpoint
    std::uint64_t ready_cycle;  // when its first TLP may go
  };

  explicit DmaWriteTrace(std::uint64_t core_period_fs)
      : path_(std::filesystem::temp_directory_path() /
              ("toevp_receive_timing_" + std::to_string(::getpid()) + ".trace")) {
    model::trace::open(path_.string(), model::trace::kDma, core_period_fs);
  }
  ~DmaWriteTrace() {
    model::trace::close();
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }

  // Lines "<cycle> <ns> dma <endpoint> wr 0x<addr> len <n> by <initiator>
  // ready@<cycle> lands@<cycle>".
  std::vector<Issued> writes() {
    model::trace::close();
    std::vector<Issued> out;
    std::ifstream in(path_);
    for (std::string line; std::getline(in, line);) {
      if (line.empty() || line[0] == '#') continue;
      std::istringstream f(line);
      std::string ns, category, endpoint, op, addr, len_word, by, initiator, ready;
      std::uint64_t cycle = 0, len = 0;
      f >> cycle >> ns >> category >> endpoint >> op >> addr >> len_word >> len >> by >> initiator >> ready;
      if (op != "wr" || ready.rfind("ready@", 0) != 0) continue;
      out.push_back(Issued{std::stoull(addr, nullptr, 16), len, initiator, cycle, std::stoull(ready.substr(6))});
    }
    return out;
  }

 private:
  std::filesystem::path path_;
};

// The peer's data segments and the NIC's pure ACKs, as the link carried them.
std::vector<const WireFrame*> peer_data(const FrameTap& tap) {
  std::vector<const WireFrame*> out;
  for (const auto& f : tap.frames())
    if (!f.from_nic && f.payload_len > 0) out.push_back(&f);
  return out;
}
const WireFrame* first_nic_ack_after(const FrameTap& tap, const sc_core::sc_time& t) {
  for (const auto& f : tap.frames())
    if (f.from_nic && f.payload_len == 0 && f.first_bit > t) return &f;
  return nullptr;
}

const DmaWriteTrace::Issued* issued(const std::vector<DmaWriteTrace::Issued>& w, const std::string& initiator,
                                    std::uint64_t addr, std::uint64_t len) {
  for (const auto& i : w)
    if (i.addr == addr && i.len == len && i.initiator.find(initiator) != std::string::npos) return &i;
  return nullptr;
}
const CompletionLog::Write* landed(const CompletionLog& log, std::uint64_t addr, std::uint64_t len) {
  for (const auto& w : log.writes())
    if (w.addr == addr && w.len == len) return &w;
  return nullptr;
}
const CompletionLog::Landed* recv_done(const CompletionLog& log, std::uint64_t cookie) {
  for (const auto& e : log.entries())
    if (e.cqe.type == abi::CqeType::kRecvDone && e.cqe.cookie == cookie) return &e;
  return nullptr;
}

// What the firmware of a case saw and did.
struct Run {
  std::string error;
  std::uint64_t buffer[2] = {0, 0};
  std::uint32_t buffer_len[2] = {0, 0};
  sc_core::sc_time doorbell;  // the POST_RECV's SQ_TAIL write
  std::uint64_t sqe = 0;      // address of its (first) submission entry
  unsigned recv_done = 0;
};

std::uint64_t sqe_address(Platform& p, const HostTap& tap, unsigned entries_back) {
  const std::uint64_t base = std::uint64_t{p.nic.regs.stored(TOEVP_REG_SQ_BASE_LO)} |
                             (std::uint64_t{p.nic.regs.stored(TOEVP_REG_SQ_BASE_HI)} << 32);
  const std::uint32_t size = p.nic.regs.stored(TOEVP_REG_SQ_SIZE);
  return base + std::uint64_t{(tap.doorbells().back().tail + size - entries_back) % size} * abi::kSqeBytes;
}

// Waits for `n` RECV_DONEs, then stays `linger_ns` so the ACKs go out.
void await_recv_done(fw::Driver& drv, fw::HostInterface& host, Run& run, unsigned n, std::uint64_t linger_ns) {
  fw::Completion c;
  while (run.recv_done < n && next(drv, c)) {
    if (c.type == abi::CqeType::kRecvDone && c.status == abi::Status::kOk) ++run.recv_done;
  }
  if (run.recv_done < n) run.error = "only " + std::to_string(run.recv_done) + " RECV_DONE";
  host.delay_ns(linger_ns);
}

// The MSS the peer fills its segments with: the NIC's MSS option (mac.mtu -
// 40) less the Timestamps option (RFC 6691).
std::uint32_t peer_segment_bytes(const model::Config& c) {
  return static_cast<std::uint32_t>(c.get_int("mac.mtu")) - 40 - 12;
}

TEST_CASE("the second of two data segments is ACKed at once: processing, data, RECV_DONE and ACK times equal the "
          "docs/timing.md receive-path rules to the femtosecond",
          "[protocol][receive][timing]") {
  // The peer answers the handshake with a response of two full segments,
  // 20 us after the handshake's ACK reached it: firmware has posted its
  // buffers by then. Buffer 0 (1000 bytes, at a page start) takes the first
  // 1000 bytes of segment 1 and completes (full); buffer 1 (4096 bytes, 96
  // bytes below a 4 KiB boundary) takes the rest of segment 1 and segment 2,
  // which carries PSH and completes it.
  const model::Config config = make_config({"sim.seed=" + std::to_string(kSeed), "peer.turnaround_ns=20000",
                                            "peer.response_bytes=" + std::to_string(2 * peer_segment_bytes(
                                                make_config({})))});
  INFO("seed " << kSeed);
  const std::uint32_t mss = peer_segment_bytes(config);
  Platform p(config);
  FrameTap tap(p.link, false);
  p.link.add_observer(&tap);
  CompletionLog log(p);
  const DocumentedTiming doc(config);
  DmaWriteTrace trace(doc.T);
  Run run;
  REQUIRE(p.run([&](fw::HostInterface& host) {
    HostTap htap(host);
    fw::Driver drv(htap);
    if (!init_and_connect(drv, 1, run.error)) return 1;
    run.buffer[0] = host.dma_alloc(8192, 4096);
    run.buffer_len[0] = 1000;
    run.buffer[1] = host.dma_alloc(8192, 4096) + 4000;
    run.buffer_len[1] = 4096;
    for (int b = 0; b < 2; ++b)
      drv.post(fw::Sqe{abi::Opcode::kPostRecv, 0, 0, run.buffer_len[b], run.buffer[b], 100u + b});
    drv.ring();
    await_recv_done(drv, host, run, 2, 10'000);
    return 0;
  }));
  REQUIRE(run.error.empty());

  const auto data = peer_data(tap);
  REQUIRE(data.size() == 2);
  REQUIRE(data[0]->payload_len == mss);
  REQUIRE(data[1]->payload_len == mss);
  const std::uint64_t A = run.buffer[0], B = run.buffer[1];
  const std::uint64_t a1 = fs(tap.arrival(*data[0])), a2 = fs(tap.arrival(*data[1]));

  // (a) Processing: the receive queue takes one segment per TCB access +
  // pe.rx_cycles.
  const std::uint64_t P1 = doc.rx_processed(a1);
  const std::uint64_t P2 = std::max(doc.align(a2) + doc.mac_rx * doc.T, P1) + (doc.hit + doc.rx) * doc.T;
  // (b), (c) On one upstream link, in the order the NIC books its TLPs:
  // segment 1's two pieces at P1, buffer 0's RECV_DONE (written on the edge
  // after its data landed) and its MSI-X (when the entry landed), then
  // segment 2's piece at P2 and buffer 1's RECV_DONE.
  model::PcieLinkDirection up(doc.pcie);
  const std::uint64_t piece_a = doc.write_landed(up, P1, A, 1000);
  const std::uint64_t piece_b1 = doc.write_landed(up, P1, B, mss - 1000);
  const std::uint64_t done_a = doc.completion_landed(up, piece_a);
  const std::uint64_t msi_a = doc.write_landed(up, doc.align(done_a), config.get_u64("host.msi_address"), 4);
  REQUIRE(P2 > doc.align(piece_a));  // the booking order above is the platform's
  const std::uint64_t piece_b2 = doc.write_landed(up, P2, B + (mss - 1000), mss);
  const std::uint64_t done_b = doc.completion_landed(up, std::max(piece_b2, doc.align(piece_a)));
  // (d) The second segment makes the ACK due at once.
  const std::uint64_t ack = doc.ack_first_bit(P2, 9);
  INFO("arrivals " << a1 << ", " << a2 << " fs; processed " << P1 << ", " << P2 << "; pieces land " << piece_a
                   << ", " << piece_b1 << ", " << piece_b2 << "; RECV_DONE land " << done_a << ", " << done_b
                   << "; MSI-X " << msi_a << "; ACK first bit " << ack << " (fs)");

  const auto w = trace.writes();
  const auto* w_a = issued(w, "mac_rx", A, 1000);
  const auto* w_b1 = issued(w, "mac_rx", B, mss - 1000);
  const auto* w_b2 = issued(w, "mac_rx", B + (mss - 1000), mss);
  REQUIRE(w_a);
  REQUIRE(w_b1);
  REQUIRE(w_b2);
  CHECK(w_a->cycle * doc.T == P1);
  CHECK(w_a->ready_cycle == w_a->cycle);
  CHECK(w_b1->cycle * doc.T == P1);
  CHECK(w_b1->ready_cycle == w_b1->cycle);
  CHECK(w_b2->cycle * doc.T == P2);
  CHECK(w_b2->ready_cycle == w_b2->cycle);
  // Buffer 0's MSI-X goes on the first core clock edge after its entry landed.
  const auto w_msi = std::find_if(w.begin(), w.end(), [&](const DmaWriteTrace::Issued& i) {
    return i.initiator.find("completions") != std::string::npos &&
           i.addr == config.get_u64("host.msi_address") && i.cycle * doc.T >= P1;
  });
  REQUIRE(w_msi != w.end());
  CHECK(w_msi->ready_cycle * doc.T == doc.align(done_a));

  const auto* l_a = landed(log, A, 1000);
  const auto* l_b1 = landed(log, B, mss - 1000);
  const auto* l_b2 = landed(log, B + (mss - 1000), mss);
  REQUIRE(l_a);
  REQUIRE(l_b1);
  REQUIRE(l_b2);
  CHECK(fs(l_a->at) == piece_a);
  CHECK(fs(l_b1->at) == piece_b1);
  CHECK(fs(l_b2->at) == piece_b2);

  const auto* rd_a = recv_done(log, 100);
  const auto* rd_b = recv_done(log, 101);
  REQUIRE(rd_a);
  REQUIRE(rd_b);
  CHECK(rd_a->cqe.length == 1000);
  CHECK(rd_b->cqe.length == 2 * mss - 1000);
  CHECK(fs(rd_a->at) == done_a);
  CHECK(fs(rd_b->at) == done_b);
  CHECK(rd_a->cqe.timestamp * doc.T == doc.align(piece_a));  // the cycle the entry was written on
  CHECK(rd_b->cqe.timestamp * doc.T == doc.align(piece_b2));
  CHECK(fs(rd_a->at) > fs(l_a->at));  // never before its data
  CHECK(fs(rd_b->at) > fs(l_b2->at));

  const WireFrame* a = first_nic_ack_after(tap, tap.arrival(*data[0]));
  REQUIRE(a);
  CHECK(a->ack == data[1]->seq + mss);
  CHECK(fs(a->first_bit) == ack);
  CHECK(p.nic.pe.stats().delayed_acks == 0);
}

TEST_CASE("a lone data segment is ACKed by the delayed-ACK timer, and POST_RECV's window update leaves when "
          "docs/timing.md says, to the femtosecond",
          "[protocol][receive][timing]") {
  // The handshake promises no window (rcv_wnd 0), so the peer holds its
  // 1000-byte response until POST_RECV's window update opens the window;
  // the response is one segment with PSH, into one buffer 200 bytes into a
  // page.
  const model::Config config =
      make_config({"sim.seed=" + std::to_string(kSeed), "peer.response_bytes=1000"});
  INFO("seed " << kSeed);
  Platform p(config);
  FrameTap tap(p.link, false);
  p.link.add_observer(&tap);
  CompletionLog log(p);
  const DocumentedTiming doc(config);
  DmaWriteTrace trace(doc.T);
  Run run;
  REQUIRE(p.run([&](fw::HostInterface& host) {
    HostTap htap(host);
    fw::Driver drv(htap);
    if (!drv.init(fw::DriverConfig{})) {
      run.error = "driver init: " + drv.last_error();
      return 1;
    }
    fw::ConnectParams cp = connect_params(0);
    cp.rcv_wnd = 0;
    if (!drv.connect(cp)) {
      run.error = "connect: " + drv.last_error();
      return 1;
    }
    host.delay_ns(10'000);  // everything of the set-up has settled
    run.buffer[0] = host.dma_alloc(8192, 4096) + 200;
    run.buffer_len[0] = 4096;
    drv.post_recv(0, run.buffer[0], run.buffer_len[0], 100);
    run.doorbell = htap.doorbells().back().at;
    run.sqe = sqe_address(p, htap, 1);
    await_recv_done(drv, host, run, 1, doc.ack_delay_fs / 1'000'000 + 20'000);
    return 0;
  }));
  REQUIRE(run.error.empty());

  // (e) POST_RECV: the buffer is usable from u; the window update is decided
  // there and leaves like any pure ACK.
  const std::uint64_t r = doc.register_written(fs(run.doorbell));
  const std::uint64_t f = r + doc.doorbell * doc.T;
  const std::uint64_t d = doc.align(doc.read_done(f, run.sqe, abi::kSqeBytes));
  const std::uint64_t u = d + doc.decode * doc.T;
  const std::uint64_t update = doc.ack_first_bit(u, 9);
  const WireFrame* wu = first_nic_ack_after(tap, run.doorbell);
  REQUIRE(wu);
  INFO("doorbell " << fs(run.doorbell) << " fs; register " << r << ", fetch " << f << ", entry " << d
                   << ", buffer usable " << u << ", window update first bit " << update << " (fs)");
  CHECK(fs(wu->first_bit) == update);

  const auto data = peer_data(tap);
  REQUIRE(data.size() == 1);
  REQUIRE(data[0]->payload_len == 1000);
  REQUIRE(data[0]->first_bit > wu->first_bit);
  const std::uint64_t A = run.buffer[0];
  const std::uint64_t a = fs(tap.arrival(*data[0]));
  const std::uint64_t P = doc.rx_processed(a);
  model::PcieLinkDirection up(doc.pcie);
  const std::uint64_t piece = doc.write_landed(up, P, A, 1000);
  const std::uint64_t done = doc.completion_landed(up, piece);
  // (d) One unacknowledged segment: the delayed-ACK timer, armed at P,
  // expires on the edge pe.ack_delay_us later.
  const std::uint64_t D = doc.align(P + doc.ack_delay_fs);
  const std::uint64_t ack = doc.ack_first_bit(D, 9);
  INFO("arrival " << a << " fs; processed " << P << "; data lands " << piece << "; RECV_DONE lands " << done
                  << "; timer " << D << "; ACK first bit " << ack << " (fs)");

  const auto w = trace.writes();
  const auto* wi = issued(w, "mac_rx", A, 1000);
  REQUIRE(wi);
  CHECK(wi->cycle * doc.T == P);
  CHECK(wi->ready_cycle == wi->cycle);
  const auto* l = landed(log, A, 1000);
  REQUIRE(l);
  CHECK(fs(l->at) == piece);
  const auto* rd = recv_done(log, 100);
  REQUIRE(rd);
  CHECK(rd->cqe.length == 1000);
  CHECK(fs(rd->at) == done);
  CHECK(rd->cqe.timestamp * doc.T == doc.align(piece));
  CHECK(fs(rd->at) > fs(l->at));

  const WireFrame* ack_frame = first_nic_ack_after(tap, tap.arrival(*data[0]));
  REQUIRE(ack_frame);
  CHECK(ack_frame->ack == data[0]->seq + 1000);
  CHECK(fs(ack_frame->first_bit) == ack);
  CHECK(p.nic.pe.stats().delayed_acks == 1);
}

}  // namespace
}  // namespace toevp::tb::test
