// The latency rules of docs/timing.md for one config, computed from the
// config keys alone (femtoseconds, cycles), for the tests that check that
// the platform honors them to the femtosecond: "Doorbell to first byte on the
// wire" (tests/platform/doorbell_latency_test.cpp) and "Receive path
// (offloaded connections)" (tests/protocol/receive_timing_test.cpp).
//
// PCIe timing uses the link arithmetic of model/pcie/pcie_link.h on fresh
// PcieLinkDirections owned by the caller: each is the idle link of the
// document, and a test books on it, in the order the document gives, the
// TLPs that share it.
#pragma once

#include <algorithm>
#include <cstdint>

#include <catch2/catch.hpp>

#include "model/common/config.h"
#include "model/pcie/pcie_link.h"

namespace toevp::tb::test {

struct DocumentedTiming {
  std::uint64_t T;   // core clock period
  std::uint64_t Tm;  // MAC cycle
  model::PcieLinkGeometry pcie;
  std::uint64_t tlp_overhead, mps, mrrs, tags, completer, mmio_latency;
  std::uint64_t mmio, doorbell, decode, alloc, hit, tx, mac_tx, mac_rx, rx, ack_delay_fs;

  explicit DocumentedTiming(const model::Config& c)
      : T(static_cast<std::uint64_t>(1e9 / c.get_double("nic.core_clock_mhz") + 0.5)),
        Tm(8'000'000 / c.get_u64("mac.rate_gbps") * c.get_u64("mac.lane_bytes")),
        pcie(model::PcieLinkGeometry::for_link(static_cast<int>(c.get_int("pcie.gen")),
                                               static_cast<int>(c.get_int("pcie.lanes")))),
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
        mac_tx(c.get_u64("mac.tx_cycles")),
        mac_rx(c.get_u64("mac.rx_cycles")),
        rx(c.get_u64("pe.rx_cycles")),
        ack_delay_fs(c.get_u64("pe.ack_delay_us") * 1'000'000'000) {}

  // align(t): the first core clock edge at or after t.
  std::uint64_t align(std::uint64_t t) const { return (t + T - 1) / T * T; }

  // "MMIO write (posted)" issued by the CPU at t_cpu: when it takes effect in
  // the register block (step 1 of "Doorbell to first byte on the wire").
  std::uint64_t register_written(std::uint64_t t_cpu) const {
    model::PcieLinkDirection down(pcie);
    const std::uint64_t ready = t_cpu + mmio_latency * T;
    return align(down.place(ready, ready, tlp_overhead + 4)) + mmio * T;
  }

  // "DMA read of L bytes at A" on an idle link: requests of at most MRRS
  // that do not cross 4 KiB, one per core cycle on a core clock edge; each a
  // 24-byte upstream TLP; completions ready completer_latency after the
  // request arrived, split on MPS-aligned boundaries. Returns the arrival of
  // the last completion (not aligned).
  std::uint64_t read_done(std::uint64_t ready, std::uint64_t addr, std::uint64_t len) const {
    model::PcieLinkDirection up(pcie), down(pcie);
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

  // "DMA write of L bytes" ready at `ready`, booked on `up` behind what is
  // already booked there: TLPs of at most MPS bytes that do not cross a
  // 4 KiB boundary, each 24 + data bytes; returns when the last one has
  // arrived (the data is in host memory).
  std::uint64_t write_landed(model::PcieLinkDirection& up, std::uint64_t ready, std::uint64_t addr,
                             std::uint64_t len) const {
    std::uint64_t landed = ready;
    while (len > 0) {
      const std::uint64_t c = std::min({len, mps, 4096 - addr % 4096});
      landed = std::max(landed, up.place(ready, ready, c + tlp_overhead));
      addr += c;
      len -= c;
    }
    return landed;
  }

  // "Completion engine": an entry posted for `ready` is written on align(ready)
  // as one 32-byte DMA write; returns when it has landed.
  std::uint64_t completion_landed(model::PcieLinkDirection& up, std::uint64_t ready) const {
    const std::uint64_t w = align(ready);
    return up.place(w, w, tlp_overhead + 32);
  }

  // Steps 6-8 of "Doorbell to first byte on the wire": a segment whose
  // payload read was done at q (q = the hand-off for a segment without
  // payload) puts its first preamble bit on the idle wire at the returned
  // time; `beats` is 9 with the Timestamps option, 7 without.
  std::uint64_t first_bit(std::uint64_t q, unsigned beats) const {
    const std::uint64_t v = (q + T - 1) / T + 1;
    const std::uint64_t last_beat = v + 2 + beats - 1;
    const std::uint64_t m = (last_beat + 1 + mac_tx) * T;
    return (m + Tm - 1) / Tm * Tm;
  }

  // "Receive path": a segment whose last bit reached the NIC at `arrival`
  // is processed (its TCB on chip, pe.rx_cycles done) at the returned edge,
  // on an idle receive queue with a TCB cache hit.
  std::uint64_t rx_processed(std::uint64_t arrival) const { return align(arrival) + (mac_rx + hit + rx) * T; }

  // "Receive path": an ACK the protocol engine decides at edge `a` (the
  // transmit scheduler idle, TCB cache hit) puts its first bit on the wire.
  std::uint64_t ack_first_bit(std::uint64_t a, unsigned beats) const {
    const std::uint64_t handed_to_dma = a + (hit + tx) * T;
    return first_bit(handed_to_dma, beats);
  }
};

}  // namespace toevp::tb::test
