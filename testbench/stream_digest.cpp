// StreamDigest: per-connection reassembly and digest. See stream_digest.h.
#include "testbench/stream_digest.h"

#include <cstring>

#include <boost/container_hash/hash.hpp>

#include "model/proto/tcp.h"

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
  // Only the fields a stream needs, at their fixed places (Ethernet II,
  // IPv4, TCP): this runs on every frame of both modes, so it does not
  // parse options or check checksums (the receivers do).
  const std::vector<std::uint8_t>& f = frame.data;
  if (f.size() < 54 || f[12] != 0x08 || f[13] != 0x00 || (f[14] >> 4) != 4 || f[23] != 6) return;
  const std::size_t ip_len = (std::size_t{f[16]} << 8) | f[17];
  const std::size_t tcp = 14 + std::size_t(f[14] & 0x0F) * 4;
  if (14 + ip_len > f.size() || tcp + 20 > 14 + ip_len) return;
  const std::size_t payload = tcp + std::size_t(f[tcp + 12] >> 4) * 4;
  if (payload > 14 + ip_len) return;
  const auto be16 = [&](std::size_t i) { return static_cast<std::uint16_t>((f[i] << 8) | f[i + 1]); };
  const proto::Seq seq{(std::uint32_t{be16(tcp + 4)} << 16) | be16(tcp + 6)};
  const std::uint8_t flags = f[tcp + 13];
  const std::uint16_t nic_port = to_peer ? be16(tcp) : be16(tcp + 2);
  const std::uint16_t peer_port = to_peer ? be16(tcp + 2) : be16(tcp);
  Stream& s = streams_[(std::uint64_t{to_peer} << 32) | (std::uint64_t{nic_port} << 16) | peer_port];
  if (flags & proto::kTcpSyn) {
    if (!s.synced) {
      s.synced = true;
      s.next = seq + 1;
    }
    return;
  }
  const auto len = static_cast<std::uint32_t>(14 + ip_len - payload);
  if (len == 0) return;
  const std::uint8_t* data = f.data() + payload;
  if (!s.synced) {  // no SYN seen (a connection set up before the link was watched)
    s.synced = true;
    s.next = seq;
  }
  const std::int32_t ahead = seq - s.next;
  if (ahead > 0) {  // beyond a hole: keep it until the hole is filled
    auto& kept = s.ahead[s.bytes + static_cast<std::uint32_t>(ahead)];
    if (kept.size() < len) kept.assign(data, data + len);
    return;
  }
  const auto old = static_cast<std::uint32_t>(-ahead);
  if (old >= len) return;  // nothing new
  append(s, data + old, len - old);
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
