// StreamDigest: what the link delivered, as TCP byte streams - one per
// connection and direction - reduced to a digest that does not depend on
// how the bytes were cut into segments, when they arrived, or how often they
// were sent. Two runs whose stream digests are equal delivered the same
// payload bytes in the same order on every connection, whatever their
// timing: this is how tests and users check that fast mode (sim.mode) moves
// the bytes cycle mode moves (docs/timing.md, "Fast mode").
//
// It sits between the link and each receiver (a FrameReceiverIf that hands
// every frame on unchanged), so it sees frames after the link's faults:
// lost frames never arrive, corrupted ones arrive with a bad FCS and are
// skipped like the receiving MAC skips them. Each stream is reassembled from
// the SYN's sequence number on: bytes beyond a hole wait until it is filled,
// bytes already delivered (retransmissions, duplicates) are not counted
// again.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "model/link/frame_receiver_if.h"
#include "model/proto/seq.h"

namespace toevp::tb {

class StreamDigest {
 public:
  // A receiver to bind to the link's port toward `next` (the peer's or the
  // NIC's frame input); `to_peer` says which direction it carries.
  link::FrameReceiverIf& tap(bool to_peer, link::FrameReceiverIf& next);

  // All streams, ordered by (direction, NIC port, peer port): each one's
  // byte count and FNV-1a digest of its bytes.
  std::uint64_t digest() const;
  // Payload bytes delivered in order over all streams.
  std::uint64_t bytes() const;
  std::size_t streams() const { return streams_.size(); }

 private:
  class Tap : public link::FrameReceiverIf {
   public:
    Tap(StreamDigest& owner, bool to_peer, link::FrameReceiverIf& next)
        : owner_(owner), to_peer_(to_peer), next_(next) {}
    void receive_frame(const link::EthFrame& frame) override;

   private:
    StreamDigest& owner_;
    bool to_peer_;
    link::FrameReceiverIf& next_;
  };

  // FNV-1a over 8-byte words of the byte stream (a partial word waits for
  // the next bytes), so the digest is the same however the stream is cut.
  struct Stream {
    bool synced = false;
    proto::Seq next{0};                 // sequence number of the next in-order byte
    std::uint64_t bytes = 0;            // in-order bytes so far
    std::uint64_t hash = 0xcbf29ce484222325ull;
    std::uint64_t word = 0;             // bytes of a partial word
    unsigned word_bytes = 0;
    std::map<std::uint64_t, std::vector<std::uint8_t>> ahead;  // stream offset -> bytes beyond a hole
  };

  void on_frame(bool to_peer, const link::EthFrame& frame);
  static void append(Stream& s, const std::uint8_t* data, std::size_t len);

  std::map<std::uint64_t, Stream> streams_;  // key: to_peer << 32 | nic port << 16 | peer port
  std::vector<std::unique_ptr<Tap>> taps_;
};

}  // namespace toevp::tb
