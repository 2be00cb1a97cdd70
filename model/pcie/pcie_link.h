// One direction of a PCIe link, as a schedule of TLPs on a byte stream.
// Pure C++ (integer femtoseconds), so its arithmetic is unit-tested alone.
//
// The link moves one block per lane per block time: Gen3+ send 130-bit
// blocks that carry 16 bytes per lane (128b/130b encoding), Gen1/2 send
// 10-bit symbols that carry 1 byte per lane (8b/10b). The block time is the
// clock of the PCIe domain: 8.125 ns at Gen4 (130 UI at 16 GT/s). Bytes of
// consecutive TLPs pack back to back into blocks; a TLP that finds the link
// idle starts at the next block boundary, and it is received at the end of
// the block that carries its last byte (docs/timing.md, "PCIe").
//
// TLPs are placed in the earliest idle gap of the schedule at or after the
// time they are ready, so a TLP that is ready now is not queued behind one
// that a requester booked for later (a completion that will only be sent
// after the completer latency).
#pragma once

#include <cstdint>
#include <cstddef>
#include <vector>

namespace toevp::model {

struct PcieLinkGeometry {
  std::uint64_t block_fs;         // one block (or symbol) time
  std::uint64_t bytes_per_block;  // across all lanes

  static PcieLinkGeometry for_link(int gen, int lanes) {
    // Transfer rates in GT/s: 2.5, 5, 8, 16, 32. Block = 130 UI (Gen3+) or
    // 10 UI (Gen1/2); UI = 1/rate ns = 1e6/rate fs.
    static constexpr std::uint64_t kUiFs[] = {0, 400'000, 200'000, 125'000, 62'500, 31'250};
    const bool b128 = gen >= 3;
    return PcieLinkGeometry{kUiFs[gen] * (b128 ? 130 : 10),
                            static_cast<std::uint64_t>(lanes) * (b128 ? 16 : 1)};
  }
  // Raw payload bandwidth of the link (before TLP overhead), in bytes/s.
  double bytes_per_second() const { return double(bytes_per_block) * 1e15 / double(block_fs); }
};

class PcieLinkDirection {
 public:
  explicit PcieLinkDirection(PcieLinkGeometry g) : g_(g) {}

  const PcieLinkGeometry& geometry() const { return g_; }

  // Books a TLP of `bytes` link bytes that is ready at `ready_fs` (and no
  // earlier than `now_fs`, which lets old bookings be forgotten). Returns the
  // time its last byte has been received: the end of its last block.
  std::uint64_t place(std::uint64_t now_fs, std::uint64_t ready_fs, std::uint64_t bytes) {
    forget_before(now_fs);
    const std::uint64_t B = g_.bytes_per_block;
    std::uint64_t start = (ready_fs + g_.block_fs - 1) / g_.block_fs * B;
    // Bookings are few (only those not yet on the wire) and sorted; walk to
    // the first gap at or after `start` that holds the TLP.
    std::size_t i = 0;
    while (i < busy_.size() && busy_[i].end <= start) ++i;
    while (i < busy_.size() && busy_[i].start < start + bytes) {
      if (busy_[i].end > start) start = busy_[i].end;
      ++i;
    }
    insert(i, start, start + bytes);
    bytes_sent_ += bytes;
    ++tlps_;
    return (start + bytes + B - 1) / B * g_.block_fs;
  }

  std::uint64_t bytes_sent() const { return bytes_sent_; }
  std::uint64_t tlps() const { return tlps_; }

 private:
  struct Interval {
    std::uint64_t start, end;  // [start, end) byte positions
  };
  // Inserts [s, e) before busy_[i] (everything before i ends at or before s),
  // merging with touching neighbours so the list stays short.
  void insert(std::size_t i, std::uint64_t s, std::uint64_t e) {
    const bool join_prev = i > 0 && busy_[i - 1].end == s;
    const bool join_next = i < busy_.size() && busy_[i].start == e;
    if (join_prev && join_next) {
      busy_[i - 1].end = busy_[i].end;
      busy_.erase(busy_.begin() + static_cast<std::ptrdiff_t>(i));
    } else if (join_prev) {
      busy_[i - 1].end = e;
    } else if (join_next) {
      busy_[i].start = s;
    } else {
      busy_.insert(busy_.begin() + static_cast<std::ptrdiff_t>(i), Interval{s, e});
    }
  }
  void forget_before(std::uint64_t now_fs) {
    const std::uint64_t pos = now_fs / g_.block_fs * g_.bytes_per_block;
    std::size_t n = 0;
    while (n < busy_.size() && busy_[n].end < pos) ++n;
    if (n) busy_.erase(busy_.begin(), busy_.begin() + static_cast<std::ptrdiff_t>(n));
  }

  PcieLinkGeometry g_;
  std::vector<Interval> busy_;  // sorted, disjoint
  std::uint64_t bytes_sent_ = 0;
  std::uint64_t tlps_ = 0;
};

}  // namespace toevp::model
