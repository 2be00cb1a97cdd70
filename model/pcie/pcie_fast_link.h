// PCIe in fast mode (sim.mode = fast): each direction of the link is a
// bandwidth budget instead of a TLP schedule. Pure C++ (integer
// femtoseconds), like PcieLinkDirection.
//
// Cycle mode books every TLP into the earliest idle gap of a byte-exact
// schedule (pcie_link.h), which costs a walk over the bookings per TLP. Fast
// mode keeps the parts that set throughput and latency in the large - TLP
// overhead per MPS/MRRS piece, the link's payload rate, the completer
// latency, the read tags - as arithmetic per transfer: a direction is busy
// until a "free" time that every transfer pushes forward by its bytes at the
// link rate (first come, first served, no gap filling), a transfer is
// received at the end of the block that holds its last byte (as in cycle
// mode, so transfers that share a block land together), and a read request
// takes the tag that frees first. Completions come back
// in request order here (one FIFO direction, one completer latency), so the
// tags free in the order they were taken and a ring of release times finds
// the next free tag without a heap. Latencies come out
// within a few block times of cycle mode on an idle link; under load they
// are approximate (docs/timing.md, "Fast mode").
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <vector>

#include "model/pcie/pcie_link.h"

namespace toevp::model {

struct PcieFastParams {
  PcieLinkGeometry geometry;
  std::uint64_t mps = 256;
  std::uint64_t mrrs = 512;
  std::uint64_t tlp_overhead_bytes = 24;
  std::uint64_t read_tags = 64;
  std::uint64_t completer_latency_fs = 0;
  std::uint64_t issue_fs = 0;  // one read request per core cycle at most
};

class PcieFastLink {
 public:
  explicit PcieFastLink(const PcieFastParams& p) : p_(p), tag_release_fs_(p.read_tags ? p.read_tags : 1, 0) {}

  // A DMA read of `len` bytes at `addr` whose requests may go at `ready_fs`;
  // returns when its last completion has arrived.
  std::uint64_t read(std::uint64_t ready_fs, std::uint64_t addr, std::uint64_t len) {
    std::uint64_t done = ready_fs;
    while (len > 0) {
      const std::uint64_t chunk = std::min<std::uint64_t>({len, p_.mrrs, 4096 - addr % 4096});
      std::uint64_t& tag = tag_release_fs_[next_tag_];
      next_tag_ = next_tag_ + 1 == tag_release_fs_.size() ? 0 : next_tag_ + 1;
      const std::uint64_t tag_free = tag;
      std::uint64_t issue = std::max({ready_fs, tag_free, last_issue_fs_ + p_.issue_fs});
      if (p_.issue_fs) issue = (issue + p_.issue_fs - 1) / p_.issue_fs * p_.issue_fs;
      if (tag_free > ready_fs) {
        const std::uint64_t waited = std::min(tag_free, issue) - ready_fs;
        tag_wait_fs_ += waited;
        ++tag_waits_;
        tag_wait_max_fs_ = std::max(tag_wait_max_fs_, waited);
      }
      last_issue_fs_ = issue;
      ++read_requests_;
      const std::uint64_t at_host = send(up_, issue, p_.tlp_overhead_bytes);
      // Completions of at most MPS bytes on MPS-aligned boundaries.
      const std::uint64_t cpls = (addr % p_.mps + chunk + p_.mps - 1) / p_.mps;
      const std::uint64_t last = send(down_, at_host + p_.completer_latency_fs, chunk + cpls * p_.tlp_overhead_bytes);
      tag = last;
      tag_held_fs_ += last - issue;
      // Tags held at this issue: those taken earlier and not yet free (they
      // free in the order taken, so they are the tail of `held_`).
      while (!held_.empty() && held_.front() <= issue) held_.pop_front();
      held_.push_back(last);
      tags_peak_ = std::max<std::uint64_t>(tags_peak_, held_.size());
      done = std::max(done, last);
      addr += chunk;
      len -= chunk;
    }
    return done;
  }

  // A posted DMA write of `len` bytes at `addr` ready at `ready_fs`; returns
  // when its last TLP has landed.
  std::uint64_t write(std::uint64_t ready_fs, std::uint64_t addr, std::uint64_t len) {
    std::uint64_t tlps = 0;
    for (std::uint64_t a = addr, left = len; left > 0; ++tlps) {
      const std::uint64_t c = std::min<std::uint64_t>({left, p_.mps, 4096 - a % 4096});
      a += c;
      left -= c;
    }
    write_tlps_ += tlps;
    return send(up_, ready_fs, len + tlps * p_.tlp_overhead_bytes);
  }

  std::uint64_t upstream_bytes() const { return up_.bytes; }
  std::uint64_t downstream_bytes() const { return down_.bytes; }
  std::uint64_t read_requests() const { return read_requests_; }
  std::uint64_t write_tlps() const { return write_tlps_; }
  std::uint64_t tag_wait_fs() const { return tag_wait_fs_; }
  std::uint64_t tag_waits() const { return tag_waits_; }
  std::uint64_t tag_wait_max_fs() const { return tag_wait_max_fs_; }
  std::uint64_t tag_held_fs() const { return tag_held_fs_; }  // tag x time held, summed
  std::uint64_t tags_peak() const { return tags_peak_; }

 private:
  struct Direction {
    std::uint64_t free_fs = 0;  // the link is busy until then
    std::uint64_t bytes = 0;    // link bytes sent (payload and TLP overhead)
  };
  // `bytes` go as soon as the direction is free at or after `ready_fs`;
  // returns when the last has arrived: the end of its block.
  std::uint64_t send(Direction& d, std::uint64_t ready_fs, std::uint64_t bytes) {
    const std::uint64_t start = std::max(ready_fs, d.free_fs);
    d.free_fs = start + bytes * p_.geometry.block_fs / p_.geometry.bytes_per_block;
    d.bytes += bytes;
    return (d.free_fs + p_.geometry.block_fs - 1) / p_.geometry.block_fs * p_.geometry.block_fs;
  }

  PcieFastParams p_;
  Direction up_, down_;
  std::vector<std::uint64_t> tag_release_fs_;  // per tag, in the order they are taken
  std::size_t next_tag_ = 0;
  std::uint64_t last_issue_fs_ = 0;
  std::uint64_t read_requests_ = 0;
  std::uint64_t write_tlps_ = 0;
  std::uint64_t tag_wait_fs_ = 0;
  std::uint64_t tag_waits_ = 0;
  std::uint64_t tag_wait_max_fs_ = 0;
  std::uint64_t tag_held_fs_ = 0;
  std::uint64_t tags_peak_ = 0;
  std::deque<std::uint64_t> held_;  // release times of the tags in use, oldest first
};

}  // namespace toevp::model
