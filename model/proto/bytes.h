// Byte-order helpers for wire formats. Every multi-byte field on the wire is
// read and written through these functions over byte spans, never through a
// cast to a packed struct (see DESIGN.md, "Wire formats"), so the code is
// independent of host endianness and alignment.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace toevp::proto {

using Bytes = std::span<std::uint8_t>;
using ConstBytes = std::span<const std::uint8_t>;

// Network order (big-endian): the first byte on the wire is the most significant.
inline std::uint16_t load_be16(ConstBytes b, std::size_t off) {
  return static_cast<std::uint16_t>((b[off] << 8) | b[off + 1]);
}
inline std::uint32_t load_be32(ConstBytes b, std::size_t off) {
  return (std::uint32_t{b[off]} << 24) | (std::uint32_t{b[off + 1]} << 16) |
         (std::uint32_t{b[off + 2]} << 8) | std::uint32_t{b[off + 3]};
}
inline std::uint64_t load_be48(ConstBytes b, std::size_t off) {
  return (std::uint64_t{load_be16(b, off)} << 32) | load_be32(b, off + 2);
}
inline void store_be16(Bytes b, std::size_t off, std::uint16_t v) {
  b[off] = static_cast<std::uint8_t>(v >> 8);
  b[off + 1] = static_cast<std::uint8_t>(v);
}
inline void store_be32(Bytes b, std::size_t off, std::uint32_t v) {
  b[off] = static_cast<std::uint8_t>(v >> 24);
  b[off + 1] = static_cast<std::uint8_t>(v >> 16);
  b[off + 2] = static_cast<std::uint8_t>(v >> 8);
  b[off + 3] = static_cast<std::uint8_t>(v);
}
inline void store_be48(Bytes b, std::size_t off, std::uint64_t v) {
  store_be16(b, off, static_cast<std::uint16_t>(v >> 32));
  store_be32(b, off + 2, static_cast<std::uint32_t>(v));
}

// Little-endian: the byte order of the host/NIC ABI structures in host memory
// (submission and completion entries, the PCB), as on x86 hosts.
inline std::uint16_t load_le16(ConstBytes b, std::size_t off) {
  return static_cast<std::uint16_t>(b[off] | (b[off + 1] << 8));
}
inline std::uint32_t load_le32(ConstBytes b, std::size_t off) {
  return std::uint32_t{b[off]} | (std::uint32_t{b[off + 1]} << 8) |
         (std::uint32_t{b[off + 2]} << 16) | (std::uint32_t{b[off + 3]} << 24);
}
inline std::uint64_t load_le64(ConstBytes b, std::size_t off) {
  return std::uint64_t{load_le32(b, off)} | (std::uint64_t{load_le32(b, off + 4)} << 32);
}
inline void store_le16(Bytes b, std::size_t off, std::uint16_t v) {
  b[off] = static_cast<std::uint8_t>(v);
  b[off + 1] = static_cast<std::uint8_t>(v >> 8);
}
inline void store_le32(Bytes b, std::size_t off, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) b[off + i] = static_cast<std::uint8_t>(v >> (8 * i));
}
inline void store_le64(Bytes b, std::size_t off, std::uint64_t v) {
  store_le32(b, off, static_cast<std::uint32_t>(v));
  store_le32(b, off + 4, static_cast<std::uint32_t>(v >> 32));
}

}  // namespace toevp::proto
