// Window scaling (RFC 7323 section 2): the 16-bit window field carries the
// receive window shifted right by the scale factor announced in the SYN.
// Shifts above 14 are treated as 14 (RFC 7323 section 2.3), so every window
// fits in 30 bits and stays below half the sequence space. The window in a
// SYN or SYN-ACK is never scaled (section 2.2): callers pass shift 0 there.
#pragma once

#include <algorithm>
#include <cstdint>

namespace toevp::proto {

inline constexpr std::uint8_t kMaxWindowShift = 14;

constexpr std::uint8_t clamp_window_shift(std::uint8_t shift) {
  return std::min(shift, kMaxWindowShift);
}

// The field to send for a window of `bytes`: rounded down, so we never
// advertise space we do not have, and saturated at 0xFFFF.
constexpr std::uint16_t window_field(std::uint32_t bytes, std::uint8_t shift) {
  const std::uint32_t v = bytes >> clamp_window_shift(shift);
  return static_cast<std::uint16_t>(std::min<std::uint32_t>(v, 0xFFFF));
}

// The field to send for a window of `bytes` when a window with room must
// never read as closed: rounded up to the scale unit (saturated at 0xFFFF).
// Rounding down would turn a window of fewer than 2^shift bytes into 0 and
// leave the peer waiting for its persist timer although the bytes it still
// has to send would fit; rounding up offers at most 2^shift - 1 bytes more
// than `bytes`. RFC 7323 Appendix F weighs the two (an offer beyond the
// buffer against a retracted window).
constexpr std::uint16_t window_field_round_up(std::uint32_t bytes, std::uint8_t shift) {
  const std::uint8_t s = clamp_window_shift(shift);
  const std::uint64_t v = (std::uint64_t{bytes} + ((std::uint64_t{1} << s) - 1)) >> s;
  return static_cast<std::uint16_t>(std::min<std::uint64_t>(v, 0xFFFF));
}

// The window in bytes that a received field means.
constexpr std::uint32_t scaled_window(std::uint16_t field, std::uint8_t shift) {
  return std::uint32_t{field} << clamp_window_shift(shift);
}

}  // namespace toevp::proto
