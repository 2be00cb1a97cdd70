// docs/timing.md, "Doorbell to first byte on the wire": on an idle platform
// the first preamble bit of a SEND's first segment leaves the MAC exactly
// where the documented component latencies put it. The test computes that
// time itself, step by step as the document writes it, from the config
// values (PCIe arithmetic on fresh, idle PcieLinkDirections), and compares it
// to the femtosecond with what the link saw.
#include <catch2/catch.hpp>

#include <algorithm>
#include <sstream>

#include "model/abi/abi.h"
#include "model/abi/toevp_regs.h"
#include "model/common/clock_domain.h"
#include "testbench/platform.h"
#include "tests/platform/documented_timing.h"
#include "tests/platform/platform_harness.h"

namespace toevp::tb::test {
namespace {

// The eight steps of "Doorbell to first byte on the wire" on the rules of
// docs/timing.md (tests/platform/documented_timing.h).
struct Doc : DocumentedTiming {
  using DocumentedTiming::DocumentedTiming;

  // `why` gets the intermediate times for the failure message.
  std::uint64_t first_bit(std::uint64_t t0, std::uint64_t sqe_addr, std::uint64_t buf, std::uint64_t P,
                          unsigned beats, std::ostringstream& why) const {
    const std::uint64_t r = register_written(t0);                          // 1
    const std::uint64_t f = r + doorbell * T;                              // 2
    const std::uint64_t d = align(read_done(f, sqe_addr, abi::kSqeBytes)); // 3
    const std::uint64_t g = d + decode * T + alloc * T;                    // 4
    const std::uint64_t p = g + hit * T + tx * T;                          // 5
    const std::uint64_t q = read_done(p, buf, P);                          // 6
    why << "t0 " << t0 << " r " << r << " f " << f << " d " << d << " g " << g << " p " << p << " q " << q
        << " (fs)";
    return DocumentedTiming::first_bit(q, beats);                          // 7, 8
  }
};

struct Probe {
  Probe(std::uint32_t l, std::uint64_t off) : length(l), offset(off) {}
  std::uint32_t length;   // SEND length L
  std::uint64_t offset;   // buffer address modulo 4 KiB (MPS / MRRS / 4 KiB splits)
  std::uint64_t buffer = 0;
  std::uint64_t sqe = 0;  // address of its submission entry
  sc_core::sc_time t0;    // the SQ_TAIL write
  bool done = false;
};

struct Run {
  std::string error;
  std::uint16_t mss = 0;
  std::vector<Probe> probes;
};

// Each probe on an idle platform: everything settled, one SEND, one doorbell.
int probe_program(fw::HostInterface& host, Platform& p, Run& run, bool timestamps) {
  HostTap tap(host);
  fw::Driver drv(tap);
  if (!init_and_connect(drv, 1, run.error, timestamps)) return 1;
  run.mss = drv.offloaded_pcb(0).mss;
  const std::uint64_t sq_base = std::uint64_t{p.nic.regs.stored(TOEVP_REG_SQ_BASE_LO)} |
                                (std::uint64_t{p.nic.regs.stored(TOEVP_REG_SQ_BASE_HI)} << 32);
  const std::uint32_t sq_size = p.nic.regs.stored(TOEVP_REG_SQ_SIZE);
  std::uint64_t stream = 0;
  for (Probe& pr : run.probes) {
    const std::uint64_t region = host.dma_alloc(pr.length + 8192, 4096);
    pr.buffer = region + pr.offset;
    fill_pattern(host, pr.buffer, 0, stream, pr.length);
    stream += pr.length;
    host.delay_ns(200'000);  // past the peer's delayed ACK: nothing in flight anywhere
    drv.post_send(0, pr.buffer, pr.length, stream);
    drv.ring();
    pr.t0 = tap.doorbells().back().at;
    pr.sqe = sq_base + std::uint64_t{(tap.doorbells().back().tail + sq_size - 1) % sq_size} * abi::kSqeBytes;
    fw::Completion c;
    pr.done = next(drv, c) && c.type == abi::CqeType::kSendDone && c.status == abi::Status::kOk;
  }
  return 0;
}

void check_probes(const model::Config& config, std::vector<Probe> probes, bool timestamps) {
  INFO("seed " << config.get_int("sim.seed"));
  Platform p(config);
  FrameTap tap(p.link, false);
  p.link.add_observer(&tap);
  Run run;
  run.probes = std::move(probes);
  REQUIRE(p.run([&](fw::HostInterface& h) { return probe_program(h, p, run, timestamps); }));
  REQUIRE(run.error.empty());
  const Doc doc(config);
  const auto data = tap.data_from_nic();
  for (const Probe& pr : run.probes) {
    REQUIRE(pr.done);
    auto it = std::find_if(data.begin(), data.end(), [&](const WireFrame* f) { return f->first_bit > pr.t0; });
    REQUIRE(it != data.end());
    const std::uint64_t P = std::min<std::uint64_t>(pr.length, run.mss);
    std::ostringstream why;
    const std::uint64_t expected =
        doc.first_bit(model::ClockDomain::to_fs(pr.t0), pr.sqe, pr.buffer, P, timestamps ? 9 : 7, why);
    const std::uint64_t seen = model::ClockDomain::to_fs((*it)->first_bit);
    INFO("SEND of " << pr.length << " bytes at buffer offset " << pr.offset << " mod 4 KiB; " << why.str());
    INFO("expected first bit " << expected << " fs, seen " << seen << " fs, difference "
                               << static_cast<std::int64_t>(seen - expected) << " fs");
    CHECK((*it)->payload_len == P);
    CHECK(seen == expected);
  }
}

TEST_CASE("doorbell to first wire bit equals the docs/timing.md sum to the femtosecond at the default design point",
          "[platform][timing]") {
  // A full first segment from a 64 KiB message, a short message, and a
  // buffer 96 bytes below a 4 KiB boundary (a 96-byte request first, then
  // MRRS requests; completions split on MPS boundaries).
  check_probes(make_config({}), {{65536, 0}, {100, 64}, {1448, 4000}, {1, 255}}, true);
}

TEST_CASE("doorbell to first wire bit equals the docs/timing.md sum at another design point: Gen3 x8 / 200 MHz / 25 GbE / 9000 MTU / no timestamps",
          "[platform][timing]") {
  const model::Config config = make_config({"pcie.gen=3", "pcie.lanes=8", "pcie.mps=128", "pcie.mrrs=256",
                                            "pcie.completer_latency_cycles=150", "pcie.mmio_latency_cycles=30",
                                            "nic.core_clock_mhz=200", "nic.mmio_cycles=3", "nic.doorbell_cycles=4",
                                            "cmd.decode_cycles=3", "ctx.alloc_cycles=2", "tcb.hit_cycles=3",
                                            "pe.tx_cycles=6", "mac.tx_cycles=5", "mac.rate_gbps=25",
                                            "mac.mtu=9000"});
  check_probes(config, {{65536, 0}, {3000, 4000}, {8960, 100}}, false);
}

}  // namespace
}  // namespace toevp::tb::test
