// TCP sequence numbers as a strong type. Sequence space is 32-bit modular
// (RFC 9293 section 3.4, formerly RFC 793 section 3.3): "a < b" means b lies
// less than 2^31 ahead of a, as in serial number arithmetic (RFC 1982). Keeping
// the type distinct from plain integers stops accidental "<" on raw values,
// which breaks silently once a connection wraps past 2^32.
#pragma once

#include <cstdint>

namespace toevp::proto {

class Seq {
 public:
  constexpr Seq() = default;
  constexpr explicit Seq(std::uint32_t v) : value_(v) {}

  constexpr std::uint32_t raw() const { return value_; }

  constexpr Seq operator+(std::uint32_t n) const { return Seq(value_ + n); }
  constexpr Seq operator-(std::uint32_t n) const { return Seq(value_ - n); }
  constexpr Seq& operator+=(std::uint32_t n) {
    value_ += n;
    return *this;
  }
  constexpr Seq& operator-=(std::uint32_t n) {
    value_ -= n;
    return *this;
  }

  // Signed distance this - other, valid while |distance| < 2^31. Conversion
  // of the modular difference to int32_t is well defined since C++20.
  constexpr std::int32_t operator-(Seq other) const {
    return static_cast<std::int32_t>(value_ - other.value_);
  }

  constexpr bool operator==(const Seq&) const = default;
  constexpr bool operator<(Seq o) const { return (*this - o) < 0; }
  constexpr bool operator<=(Seq o) const { return (*this - o) <= 0; }
  constexpr bool operator>(Seq o) const { return (*this - o) > 0; }
  constexpr bool operator>=(Seq o) const { return (*this - o) >= 0; }

 private:
  std::uint32_t value_ = 0;
};

constexpr Seq seq_max(Seq a, Seq b) { return a < b ? b : a; }
constexpr Seq seq_min(Seq a, Seq b) { return a < b ? a : b; }

// lo <= s < lo + len in sequence space (the acceptability tests of RFC 9293
// section 3.4). Computed as an unsigned offset so a window of up to 2^32 - 1
// bytes is handled, and len == 0 contains nothing.
constexpr bool seq_in_window(Seq s, Seq lo, std::uint32_t len) {
  return s.raw() - lo.raw() < len;
}

}  // namespace toevp::proto
