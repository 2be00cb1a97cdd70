// The bytes example firmware puts in its send buffers: a deterministic
// function of (connection, stream offset), so a link partner can check every
// byte it receives against what the host posted without a copy of the data
// travelling beside the simulation. The pattern is a fixed pseudo-random
// table of a prime length, read at an offset that depends on the connection:
// consecutive messages, connections and retransmissions all differ, and the
// check is a memcmp against the table.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace toevp::fw {

// Pattern key of the data a link partner sends back to the NIC on
// connection i (the receive path): kReverseStreamKeyBase + i, so the two
// directions of one connection carry different bytes.
inline constexpr std::uint32_t kReverseStreamKeyBase = 0x10000;

class PayloadPattern {
 public:
  static constexpr std::size_t kPeriod = 65'521;  // prime, > 64 KiB - 16

  static const PayloadPattern& instance() {
    static const PayloadPattern p;
    return p;
  }

  // Writes the pattern of `conn`'s stream bytes [offset, offset + len) to dst.
  void fill(std::uint32_t conn, std::uint64_t offset, std::uint8_t* dst, std::size_t len) const {
    std::size_t pos = start(conn, offset);
    while (len > 0) {
      const std::size_t n = std::min(len, kPeriod - pos);
      std::memcpy(dst, table_.data() + pos, n);
      dst += n;
      len -= n;
      pos = 0;
    }
  }

  // True when src holds exactly the pattern of stream bytes [offset, offset + len).
  bool matches(std::uint32_t conn, std::uint64_t offset, const std::uint8_t* src, std::size_t len) const {
    std::size_t pos = start(conn, offset);
    while (len > 0) {
      const std::size_t n = std::min(len, kPeriod - pos);
      if (std::memcmp(src, table_.data() + pos, n) != 0) return false;
      src += n;
      len -= n;
      pos = 0;
    }
    return true;
  }

 private:
  PayloadPattern() {
    // xorshift32: any fixed sequence will do; it only has to be the same on
    // both ends.
    std::uint32_t x = 0x9E3779B9u;
    for (auto& b : table_) {
      x ^= x << 13;
      x ^= x >> 17;
      x ^= x << 5;
      b = static_cast<std::uint8_t>(x >> 24);
    }
  }
  static std::size_t start(std::uint32_t conn, std::uint64_t offset) {
    return static_cast<std::size_t>((offset + std::uint64_t{conn} * 7'919u) % kPeriod);
  }

  std::array<std::uint8_t, kPeriod> table_{};
};

}  // namespace toevp::fw
