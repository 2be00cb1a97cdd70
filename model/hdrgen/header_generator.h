// The header generator as the rest of the NIC sees it: one request in, one
// Ethernet/IPv4/TCP header out, with the cycle on which the request was
// accepted and the cycles of the first and last output beat. Two
// implementations sit behind this interface: the C++ model
// (header_generator_model.h) and the Verilated RTL of rtl/toe_header_gen.sv
// driven by a transactor (testbench/rtl/). They must agree byte for byte and
// cycle for cycle (DESIGN.md, "Header generator RTL contract";
// docs/timing.md, "Header generator").
//
// Plain C++: no SystemC here. Cycles are core-clock cycle numbers counted
// from time zero (cycle n spans [n * period, (n + 1) * period)).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace toevp::hdrgen {

// Field values as numbers; they go onto the wire most-significant byte first
// (dst_mac bits [47:40] are the first byte of the frame).
struct HeaderRequest {
  std::uint64_t dst_mac = 0;      // 48 bits
  std::uint64_t src_mac = 0;      // 48 bits
  std::uint32_t src_ip = 0;
  std::uint32_t dst_ip = 0;
  std::uint16_t ip_id = 0;
  std::uint8_t ttl = 64;
  std::uint16_t src_port = 0;
  std::uint16_t dst_port = 0;
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;
  std::uint8_t flags = 0;         // CWR ECE URG ACK PSH RST SYN FIN, bit 0 = FIN
  std::uint16_t window = 0;       // the field as sent (already scaled down)
  std::uint16_t payload_len = 0;
  std::uint16_t payload_csum = 0; // ones'-complement sum of the payload, folded, not inverted
  bool ts_en = false;             // append NOP, NOP, Timestamps (RFC 7323 section 3)
  std::uint32_t tsval = 0;
  std::uint32_t tsecr = 0;
};

inline constexpr std::size_t kHeaderBytesPlain = 54;  // 14 + 20 + 20
inline constexpr std::size_t kHeaderBytesTs = 66;     // 14 + 20 + 32
inline constexpr std::size_t kBeatBytes = 8;

struct Header {
  std::array<std::uint8_t, kHeaderBytesTs> bytes{};
  std::size_t length = 0;         // 54 or 66
};

struct HeaderTiming {
  std::uint64_t accept_cycle = 0;      // cycle of the req_valid && req_ready handshake
  std::uint64_t first_beat_cycle = 0;  // cycle of the first hdr_valid && hdr_ready transfer
  std::uint64_t last_beat_cycle = 0;   // cycle of the hdr_last transfer
};

class HeaderGenerator {
 public:
  virtual ~HeaderGenerator() = default;

  // Presents `req` with req_valid_i high from cycle `valid_cycle` on, while
  // the consumer keeps hdr_ready_i high (the MAC's frame buffer always
  // accepts header beats). Requests are issued in non-decreasing valid_cycle
  // order; the generator keeps its pipeline state between calls, so a
  // request issued while the previous header is still streaming is accepted
  // as the RTL would accept it.
  virtual HeaderTiming generate(const HeaderRequest& req, std::uint64_t valid_cycle,
                                Header& out) = 0;

  // Human-readable name for reports ("model" or "rtl").
  virtual const char* name() const = 0;
};

}  // namespace toevp::hdrgen
