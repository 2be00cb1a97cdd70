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
#include "model/pcie/pcie_link.h"
#include "testbench/platform.h"
#include "tests/platform/platform_harness.h"

namespace toevp::tb::test {
namespace {

using model::PcieLinkDirection;
using model::PcieLinkGeometry;

// The numbers of docs/timing.md for one config, in femtoseconds and cycles.
struct Doc {
  std::uint64_t T;   // core clock period
  std::uint64_t Tm;  // MAC cycle
  PcieLinkGeometry pcie;
  std::uint64_t tlp_overhead, mps, mrrs, tags, completer, mmio_latency;
  std::uint64_t mmio, doorbell, decode, alloc, hit, tx, mac_tx;

  explicit Doc(const model::Config& c)
      : T(static_cast<std::uint64_t>(1e9 / c.get_double("nic.core_clock_mhz") + 0.5)),
        Tm(8'000'000 / c.get_u64("mac.rate_gbps") * c.get_u64("mac.lane_bytes")),
        pcie(PcieLinkGeometry::for_link(static_cast<int>(c.get_int("pcie.gen")), static_cast<int>(c.get_int("pcie.lanes")))),
        tlp_overhead(c.get_u64("pcie.tlp_overhead_bytes")),
        mps(c.get_u64("pcie.mps")),
        mrrs(c.get_u64("pcie.mrrs")),
        tags(c.get_u64("pcie.read_tags")),
        completer(c.get_u64("pcie.completer_latency_cycles")),
        mmio_latency(c.get_u64("pcie.mmio_latency_cycles")),
        mmio(c.get_u64("nic.mmio_cycles")),
        doorbell(c.get_u64("nic.doorbell_cycles")),
        decode(c.get_u64("cmd.decode_cycles")),
        alloc(c.get_u64("ctx.alloc_cycles")),
        hit(c.get_u64("tcb.hit_cycles")),
        tx(c.get_u64("pe.tx_cycles")),
        mac_tx(c.get_u64("mac.tx_cycles")) {}

  std::uint64_t align(std::uint64_t t) const { return (t + T - 1) / T * T; }

  // "DMA read of L bytes at A" on an idle link: requests of at most MRRS
  // that do not cross 4 KiB, one per core cycle on a core clock edge; each a
  // 24-byte upstream TLP; completions ready completer_latency after the
  // request arrived, split on MPS-aligned boundaries. Returns the arrival of
  // the last completion (not aligned).
  std::uint64_t read_done(std::uint64_t ready, std::uint64_t addr, std::uint64_t len) const {
    PcieLinkDirection up(pcie), down(pcie);
    std::uint64_t done = ready, issue = 0, requests = 0;
    while (len > 0) {
      const std::uint64_t chunk = std::min({len, mrrs, 4096 - addr % 4096});
      issue = requests == 0 ? align(ready) : align(std::max(ready, issue + T));
      REQUIRE(++requests <= tags);  // no request waits for a tag here
      const std::uint64_t cpl = up.place(issue, issue, tlp_overhead) + completer * T;
      for (std::uint64_t a = addr, left = chunk; left > 0;) {
        const std::uint64_t c = std::min(left, mps - a % mps);
        done = std::max(done, down.place(cpl, cpl, c + tlp_overhead));
        a += c;
        left -= c;
      }
      addr += chunk;
      len -= chunk;
    }
    return done;
  }

  // The eight steps of "Doorbell to first byte on the wire". `why` gets the
  // intermediate times for the failure message.
  std::uint64_t first_bit(std::uint64_t t0, std::uint64_t sqe_addr, std::uint64_t buf, std::uint64_t P,
                          unsigned beats, std::ostringstream& why) const {
    PcieLinkDirection down(pcie);
    const std::uint64_t cpu = t0 + mmio_latency * T;
    const std::uint64_t r = align(down.place(cpu, cpu, tlp_overhead + 4)) + mmio * T;  // 1
    const std::uint64_t f = r + doorbell * T;                                          // 2
    const std::uint64_t d = align(read_done(f, sqe_addr, abi::kSqeBytes));             // 3
    const std::uint64_t g = d + decode * T + alloc * T;                                // 4
    const std::uint64_t p = g + hit * T + tx * T;                                      // 5
    const std::uint64_t q = read_done(p, buf, P);                                      // 6
    const std::uint64_t v = (q + T - 1) / T + 1;
    const std::uint64_t last_beat = v + 2 + beats - 1;                                 // 7
    const std::uint64_t m = (last_beat + 1 + mac_tx) * T;                              // 8
    why << "t0 " << t0 << " r " << r << " f " << f << " d " << d << " g " << g << " p " << p << " q " << q
        << " v " << v << " last_beat " << last_beat << " m " << m << " (fs, cycles)";
    return (m + Tm - 1) / Tm * Tm;
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
