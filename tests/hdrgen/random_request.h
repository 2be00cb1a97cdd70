// Seeded random stimulus shared by the header-generator tests (tests/hdrgen,
// tests/rtl): the seed is printed and can be overridden with TOEVP_SEED, and
// requests cover every field with payload lengths 0..MSS.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "model/hdrgen/header_generator.h"

namespace toevp::hdrgen::test {

// The seed for one test: TOEVP_SEED if set, else `fixed`. Printed so a
// failing run can be repeated.
inline std::uint64_t test_seed(std::uint64_t fixed) {
  std::uint64_t seed = fixed;
  if (const char* env = std::getenv("TOEVP_SEED")) seed = std::stoull(env, nullptr, 0);
  std::printf("seed %llu (set TOEVP_SEED to override)\n",
              static_cast<unsigned long long>(seed));
  return seed;
}

// A request with every field random. Payload lengths favor the edges: one in
// eight is 0, one in eight is exactly `mss`, the rest uniform in [0, mss].
inline HeaderRequest random_request(std::mt19937_64& rng, std::uint16_t mss) {
  auto bits = [&rng](int n) { return rng() & ((std::uint64_t{1} << n) - 1); };
  HeaderRequest r;
  r.dst_mac = bits(48);
  r.src_mac = bits(48);
  r.src_ip = static_cast<std::uint32_t>(bits(32));
  r.dst_ip = static_cast<std::uint32_t>(bits(32));
  r.ip_id = static_cast<std::uint16_t>(bits(16));
  r.ttl = static_cast<std::uint8_t>(bits(8));
  r.src_port = static_cast<std::uint16_t>(bits(16));
  r.dst_port = static_cast<std::uint16_t>(bits(16));
  r.seq = static_cast<std::uint32_t>(bits(32));
  r.ack = static_cast<std::uint32_t>(bits(32));
  r.flags = static_cast<std::uint8_t>(bits(8));
  r.window = static_cast<std::uint16_t>(bits(16));
  switch (bits(3)) {
    case 0: r.payload_len = 0; break;
    case 1: r.payload_len = mss; break;
    default: r.payload_len = static_cast<std::uint16_t>(rng() % (mss + 1u)); break;
  }
  r.payload_csum = static_cast<std::uint16_t>(bits(16));
  r.ts_en = bits(1) != 0;
  r.tsval = static_cast<std::uint32_t>(bits(32));
  r.tsecr = static_cast<std::uint32_t>(bits(32));
  return r;
}

}  // namespace toevp::hdrgen::test
