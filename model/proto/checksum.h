// The Internet checksum (RFC 1071): the 16-bit ones'-complement of the
// ones'-complement sum of the data taken as big-endian 16-bit words, used by
// the IPv4 header and by TCP (pseudo-header, header and payload). It runs over
// every payload byte of a 100 Gb/s simulation, so ones_sum() adds 8-byte words
// in a 64-bit accumulator with end-around carry and folds once at the end
// (RFC 1071 section 2: the sum may be computed in any word size and in either
// byte order, then folded and byte-swapped).
#pragma once

#include <cstdint>

#include "model/proto/bytes.h"

namespace toevp::proto {

// End-around-carry addition of two 16-bit ones'-complement sums.
constexpr std::uint16_t ones_add(std::uint16_t a, std::uint16_t b) {
  std::uint32_t s = std::uint32_t{a} + b;
  return static_cast<std::uint16_t>((s & 0xFFFF) + (s >> 16));
}

// Folded 16-bit ones'-complement sum of `data` (not inverted); an odd final
// byte is padded with a zero byte (RFC 1071 section 4.1). This is what the
// header generator takes as req_payload_csum_i.
std::uint16_t ones_sum(ConstBytes data);

// ~ones_sum(data): the value written into a checksum field. A sum that folds
// to 0xFFFF gives 0x0000 (TCP and IPv4 send that value as is).
std::uint16_t internet_checksum(ConstBytes data);

// Plain 32-bit sum of the 16-bit words of the TCP pseudo-header (RFC 9293
// section 3.1, formerly RFC 793 section 3.1): source address, destination
// address, zero and protocol 6, TCP length (header plus payload). The result
// is not folded; ones'-complement-wise it equals its fold, so it can be given
// to InternetChecksum::add_partial() at any point or to add_u32() at an even
// byte position (e.g. first, before the TCP header).
std::uint32_t tcp_pseudo_header_sum(std::uint32_t src_ip, std::uint32_t dst_ip,
                                    std::uint16_t tcp_length);

// Incremental checksum over a byte stream given in pieces of any length. A
// piece that ends on an odd byte leaves the stream at an odd position: the
// next piece's bytes sit one place later in their 16-bit words, which RFC 1071
// section 2(B) lets us handle by byte-swapping that piece's sum.
class InternetChecksum {
 public:
  // Appends `data` to the stream.
  void add(ConstBytes data);
  // Appends two bytes, v in network order (v >> 8 first).
  void add_u16(std::uint16_t v);
  // Appends four bytes, v in network order.
  void add_u32(std::uint32_t v);
  // Adds a precomputed ones'-complement sum (e.g. tcp_pseudo_header_sum(), or
  // a payload sum from ones_sum()) whose words were aligned to even stream
  // positions. Does not move the stream position.
  void add_partial(std::uint32_t sum);

  // 16-bit ones'-complement sum so far, folded, not inverted.
  std::uint16_t folded() const;
  // ~folded(): the checksum field value.
  std::uint16_t checksum() const { return static_cast<std::uint16_t>(~folded()); }
  // True after an odd number of bytes.
  bool odd() const { return odd_; }

 private:
  void add_word(std::uint16_t aligned_sum);

  std::uint64_t sum_ = 0;  // sum of even-aligned 16-bit partial sums, unfolded
  bool odd_ = false;
};

}  // namespace toevp::proto
