// PcieFastLink, fast mode's PCIe (model/pcie/pcie_fast_link.h): a read's
// latency on an idle link, the link rate a stream of reads reaches, the read
// tags that bound reads in flight, and posted writes queueing behind each
// other. Gen4 x16 defaults: 8.125 ns per 256-byte block, 24 bytes of TLP
// overhead, completer latency 800 ns, one request per 4 ns core cycle.
#include <catch2/catch.hpp>

#include "model/pcie/pcie_fast_link.h"

namespace toevp::model {
namespace {

constexpr std::uint64_t kBlockFs = 8'125'000;
constexpr std::uint64_t kCycleFs = 4'000'000;
constexpr std::uint64_t kCplLatencyFs = 200 * kCycleFs;

PcieFastParams gen4x16(std::uint64_t tags = 64) {
  return PcieFastParams{PcieLinkGeometry::for_link(4, 16), 256, 512, 24, tags, kCplLatencyFs, kCycleFs};
}

// Link time of `bytes` at 256 bytes per block, as the fast link counts it.
std::uint64_t link_fs(std::uint64_t bytes) { return bytes * kBlockFs / 256; }
// A transfer is received at the end of the block holding its last byte.
std::uint64_t block_end(std::uint64_t fs) { return (fs + kBlockFs - 1) / kBlockFs * kBlockFs; }

TEST_CASE("fast PCIe: an idle read takes request, completer latency and its completions", "[fast][pcie]") {
  PcieFastLink link(gen4x16());
  // 512 bytes at a 4 KiB boundary: one request, two 256-byte completions.
  const std::uint64_t t0 = 1000 * kCycleFs;
  const std::uint64_t expect = block_end(block_end(t0 + link_fs(24)) + kCplLatencyFs + link_fs(512 + 2 * 24));
  CHECK(link.read(t0, 0x10000, 512) == expect);
  CHECK(link.read_requests() == 1);
  CHECK(link.upstream_bytes() == 24);
  CHECK(link.downstream_bytes() == 512 + 2 * 24);
  // Cycle mode also starts each TLP on a block boundary when the link is
  // idle (pcie_link.h): the fast link is at most a few block times earlier
  // (docs/timing.md, "Fast mode").
  PcieLinkDirection up(PcieLinkGeometry::for_link(4, 16)), down(PcieLinkGeometry::for_link(4, 16));
  const std::uint64_t at_host = up.place(0, t0, 24);
  down.place(0, at_host + kCplLatencyFs, 256 + 24);
  const std::uint64_t cycle_mode = down.place(0, at_host + kCplLatencyFs, 256 + 24);
  CHECK(expect <= cycle_mode);
  CHECK(cycle_mode - expect < 4 * kBlockFs);
}

TEST_CASE("fast PCIe: reads split at MRRS and 4 KiB, completions at MPS boundaries", "[fast][pcie]") {
  PcieFastLink link(gen4x16());
  // 1448 bytes from 0x10F00: 256 to the 4 KiB boundary, then 512, 512, 168.
  link.read(0, 0x10F00, 1448);
  CHECK(link.read_requests() == 4);
  CHECK(link.upstream_bytes() == 4 * 24);
  // Completions: 1 + 2 + 2 + 1 MPS pieces.
  CHECK(link.downstream_bytes() == 1448 + 6 * 24);
}

TEST_CASE("fast PCIe: a stream of reads reaches the downstream payload rate", "[fast][pcie]") {
  PcieFastLink link(gen4x16());
  std::uint64_t last = 0;
  const int n = 4000;
  for (int i = 0; i < n; ++i) last = link.read(0, 0x100000 + std::uint64_t(i) * 512, 512);
  // 512 bytes + two 24-byte headers per read on the downstream link.
  const double rate = n * 512.0 / (double(last - kCplLatencyFs) * 1e-15);
  CHECK(rate == Approx(31.5077e9 * 512.0 / 560.0).epsilon(2e-3));
}

TEST_CASE("fast PCIe: read tags bound the reads in flight", "[fast][pcie]") {
  // One tag: each 512-byte request waits for the previous one's completions.
  PcieFastLink one(gen4x16(1));
  const std::uint64_t first = one.read(0, 0x10000, 512);
  const std::uint64_t second = one.read(0, 0x10200, 512);
  CHECK(second >= first + kCplLatencyFs + link_fs(24 + 560));
  CHECK(second % kBlockFs == 0);
  CHECK(one.tag_wait_fs() > 0);
  CHECK(one.tag_waits() == 1);
  CHECK(one.tags_peak() == 1);
  // Enough tags: the second request goes one core cycle after the first.
  PcieFastLink many(gen4x16());
  const std::uint64_t a = many.read(0, 0x10000, 512);
  const std::uint64_t b = many.read(0, 0x10200, 512);
  // Queued behind a's completions on the downstream link only.
  CHECK(b - a >= link_fs(560) - kBlockFs);
  CHECK(b - a <= link_fs(560) + kBlockFs);
  CHECK(many.tag_wait_fs() == 0);
  CHECK(many.tags_peak() == 2);
  // A long stream of reads keeps every tag busy (the link, not the tags, is
  // the limit at Gen4 x16) and never holds more than there are.
  for (int i = 0; i < 1000; ++i) many.read(0, 0x100000 + std::uint64_t(i) * 512, 512);
  CHECK(many.tags_peak() == 64);
  CHECK(many.tag_waits() > 0);
}

TEST_CASE("fast PCIe: posted writes split at MPS and queue on the upstream link", "[fast][pcie]") {
  PcieFastLink link(gen4x16());
  const std::uint64_t a = link.write(0, 0x10000, 32);
  CHECK(a == kBlockFs);  // 56 bytes in the first block
  const std::uint64_t b = link.write(0, 0x20000, 600);  // 256 + 256 + 88: three TLPs
  CHECK(link.write_tlps() == 4);
  CHECK(b == block_end(link_fs(32 + 24 + 600 + 3 * 24)));
  // A write that shares the block of the one before lands with it.
  const std::uint64_t c = link.write(0, 0x30000, 8);
  CHECK(c == b);
}

}  // namespace
}  // namespace toevp::model
