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
#include <map>

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
    auto it = busy_.upper_bound(start);
    if (it != busy_.begin()) {
      auto prev = std::prev(it);
      if (prev->second > start) start = prev->second;
    }
    while (it != busy_.end() && it->first < start + bytes) {
      if (it->second > start) start = it->second;
      ++it;
    }
    insert(start, start + bytes);
    bytes_sent_ += bytes;
    ++tlps_;
    return (start + bytes + B - 1) / B * g_.block_fs;
  }

  std::uint64_t bytes_sent() const { return bytes_sent_; }
  std::uint64_t tlps() const { return tlps_; }

 private:
  void insert(std::uint64_t s, std::uint64_t e) {
    // Merge with touching neighbours so the map stays small.
    auto next = busy_.find(e);
    if (next != busy_.end()) {
      e = next->second;
      busy_.erase(next);
    }
    auto it = busy_.lower_bound(s);
    if (it != busy_.begin()) {
      auto prev = std::prev(it);
      if (prev->second == s) {
        prev->second = e;
        return;
      }
    }
    busy_[s] = e;
  }
  void forget_before(std::uint64_t now_fs) {
    const std::uint64_t pos = now_fs / g_.block_fs * g_.bytes_per_block;
    while (!busy_.empty() && busy_.begin()->second < pos) busy_.erase(busy_.begin());
  }

  PcieLinkGeometry g_;
  std::map<std::uint64_t, std::uint64_t> busy_;  // [start, end) byte positions
  std::uint64_t bytes_sent_ = 0;
  std::uint64_t tlps_ = 0;
};

}  // namespace toevp::model
