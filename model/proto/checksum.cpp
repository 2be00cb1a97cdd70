// Internet checksum (RFC 1071); see checksum.h.
#include "model/proto/checksum.h"

#include <bit>
#include <cstring>

namespace toevp::proto {

namespace {

// Folds a 64-bit ones'-complement accumulator to 16 bits (end-around carry).
std::uint16_t fold64(std::uint64_t s) {
  s = (s & 0xFFFFFFFFu) + (s >> 32);
  s = (s & 0xFFFFFFFFu) + (s >> 32);
  s = (s & 0xFFFFu) + (s >> 16);
  s = (s & 0xFFFFu) + (s >> 16);
  return static_cast<std::uint16_t>(s);
}

// 64-bit add with end-around carry: a ones'-complement sum of 64-bit words
// is congruent to that of their 16-bit words (RFC 1071 section 2(C)).
inline std::uint64_t add_carry(std::uint64_t acc, std::uint64_t w) {
  std::uint64_t r = acc + w;
  return r + (r < w);
}

inline std::uint64_t load_native64(const std::uint8_t* p) {
  std::uint64_t w;
  std::memcpy(&w, p, sizeof w);
  return w;
}

std::uint16_t byte_swap16(std::uint16_t v) {
  return static_cast<std::uint16_t>((v << 8) | (v >> 8));
}

}  // namespace

std::uint16_t ones_sum(ConstBytes data) {
  const std::uint8_t* p = data.data();
  std::size_t n = data.size();
  // Two independent accumulators let the CPU overlap the carry chains.
  std::uint64_t a = 0, b = 0;
  for (; n >= 32; p += 32, n -= 32) {
    a = add_carry(a, load_native64(p));
    b = add_carry(b, load_native64(p + 8));
    a = add_carry(a, load_native64(p + 16));
    b = add_carry(b, load_native64(p + 24));
  }
  for (; n >= 8; p += 8, n -= 8) a = add_carry(a, load_native64(p));
  if (n > 0) {
    // The tail keeps its memory positions; missing bytes (and an odd last
    // byte's partner) are zero, as RFC 1071 pads.
    std::uint64_t w = 0;
    std::memcpy(&w, p, n);
    b = add_carry(b, w);
  }
  std::uint16_t s = fold64(add_carry(a, b));
  // Summed in host order; RFC 1071 section 2(B): swap to network order.
  if constexpr (std::endian::native == std::endian::little) s = byte_swap16(s);
  return s;
}

std::uint16_t internet_checksum(ConstBytes data) {
  return static_cast<std::uint16_t>(~ones_sum(data));
}

std::uint32_t tcp_pseudo_header_sum(std::uint32_t src_ip, std::uint32_t dst_ip,
                                    std::uint16_t tcp_length) {
  constexpr std::uint32_t kProtocolTcp = 6;
  return (src_ip >> 16) + (src_ip & 0xFFFF) + (dst_ip >> 16) + (dst_ip & 0xFFFF) +
         kProtocolTcp + tcp_length;
}

void InternetChecksum::add_word(std::uint16_t aligned_sum) {
  // At an odd stream position every byte of the piece lands in the other
  // half of its word: the piece's sum is byte-swapped (RFC 1071 section 2(B)).
  sum_ += odd_ ? byte_swap16(aligned_sum) : aligned_sum;
}

void InternetChecksum::add(ConstBytes data) {
  if (data.empty()) return;
  add_word(ones_sum(data));
  if (data.size() & 1) odd_ = !odd_;
}

void InternetChecksum::add_u16(std::uint16_t v) { add_word(v); }

void InternetChecksum::add_u32(std::uint32_t v) {
  add_word(static_cast<std::uint16_t>(v >> 16));
  add_word(static_cast<std::uint16_t>(v));
}

void InternetChecksum::add_partial(std::uint32_t sum) { sum_ += sum; }

std::uint16_t InternetChecksum::folded() const { return fold64(sum_); }

}  // namespace toevp::proto
