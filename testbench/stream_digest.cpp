// StreamDigest: per-connection reassembly and digest. See stream_digest.h.
#include "testbench/stream_digest.h"

#include <cstring>

#include <boost/container_hash/hash.hpp>

#include "model/proto/tcp_frame.h"

namespace toevp::tb {

namespace {
constexpr std::uint64_t kFnvPrime = 0x100000001b3ull;
}  // namespace

link::FrameReceiverIf& StreamDigest::tap(bool to_peer, link::FrameReceiverIf& next) {
  taps_.push_back(std::make_unique<Tap>(*this, to_peer, next));
  return *taps_.back();
}

void StreamDigest::Tap::receive_frame(const link::EthFrame& frame) {
  owner_.on_frame(to_peer_, frame);
  next_.receive_frame(frame);
}

void StreamDigest::append(Stream& s, const std::uint8_t* data, std::size_t len) {
  s.bytes += len;
  // Complete a partial word first, then whole words, then keep the tail.
  while (len > 0 && s.word_bytes != 0) {
    s.word |= std::uint64_t{*data++} << (8 * s.word_bytes);
    --len;
    if (++s.word_bytes == 8) {
      s.hash = (s.hash ^ s.word) * kFnvPrime;
      s.word = 0;
      s.word_bytes = 0;
    }
  }
  for (; len >= 8; data += 8, len -= 8) {
    std::uint64_t w;
    std::memcpy(&w, data, 8);  // little-endian hosts: byte k in bits 8k..8k+7, as above
    s.hash = (s.hash ^ w) * kFnvPrime;
  }
  for (; len > 0; --len) s.word |= std::uint64_t{*data++} << (8 * s.word_bytes++);
}

void StreamDigest::on_frame(bool to_peer, const link::EthFrame& frame) {
  if (!frame.fcs_ok) return;  // the receiving MAC drops it
  proto::TcpFrameView v;
  if (proto::parse_tcp_frame(frame.data, v, false) != proto::FrameError::kNone) return;
  const std::uint16_t nic_port = to_peer ? v.tcp.src_port : v.tcp.dst_port;
  const std::uint16_t peer_port = to_peer ? v.tcp.dst_port : v.tcp.src_port;
  Stream& s = streams_[(std::uint64_t{to_peer} << 32) | (std::uint64_t{nic_port} << 16) | peer_port];
  if (v.tcp.flags & proto::kTcpSyn) {
    if (!s.synced) {
      s.synced = true;
      s.next = v.tcp.seq + 1;
    }
    return;
  }
  if (v.payload.empty()) return;
  if (!s.synced) {  // no SYN seen (a connection set up before the link was watched)
    s.synced = true;
    s.next = v.tcp.seq;
  }
  const std::int32_t ahead = v.tcp.seq - s.next;
  const auto len = static_cast<std::uint32_t>(v.payload.size());
  if (ahead > 0) {  // beyond a hole: keep it until the hole is filled
    auto& kept = s.ahead[s.bytes + static_cast<std::uint32_t>(ahead)];
    if (kept.size() < len) kept.assign(v.payload.begin(), v.payload.end());
    return;
  }
  const auto old = static_cast<std::uint32_t>(-ahead);
  if (old >= len) return;  // nothing new
  append(s, v.payload.data() + old, len - old);
  s.next += len - old;
  while (!s.ahead.empty() && s.ahead.begin()->first <= s.bytes) {
    const auto it = s.ahead.begin();
    const std::uint64_t skip = s.bytes - it->first;
    if (skip < it->second.size()) {
      append(s, it->second.data() + skip, it->second.size() - skip);
      s.next += static_cast<std::uint32_t>(it->second.size() - skip);
    }
    s.ahead.erase(it);
  }
}

std::uint64_t StreamDigest::digest() const {
  std::uint64_t d = 0;
  for (const auto& [key, s] : streams_) {
    if (s.bytes == 0) continue;  // handshake only: no stream to compare
    std::uint64_t h = s.hash;
    if (s.word_bytes) h = (h ^ s.word) * kFnvPrime;
    boost::hash_combine(d, key);
    boost::hash_combine(d, s.bytes);
    boost::hash_combine(d, h);
  }
  return d;
}

std::uint64_t StreamDigest::bytes() const {
  std::uint64_t n = 0;
  for (const auto& [key, s] : streams_) n += s.bytes;
  return n;
}

}  // namespace toevp::tb
