// Ethernet II header parse/emit.
#include <catch2/catch.hpp>

#include <array>

#include "model/proto/ethernet.h"

using namespace toevp::proto;

TEST_CASE("Ethernet header: MACs are numbers with the first wire byte most significant",
          "[ethernet]") {
  const std::array<std::uint8_t, 15> b = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55, 0xAA, 0xBB,
                                          0xCC, 0xDD, 0xEE, 0xFF, 0x08, 0x06, 0x99};
  EthernetHeader h;
  REQUIRE(parse_ethernet(b, h) == EthernetError::kNone);
  CHECK(h.dst == 0x021122334455ull);
  CHECK(h.src == 0xAABBCCDDEEFFull);
  CHECK(h.ethertype == kEtherTypeArp);

  std::array<std::uint8_t, 14> out{};
  emit_ethernet(h, out);
  CHECK(std::equal(out.begin(), out.end(), b.begin()));
}

TEST_CASE("Ethernet header shorter than 14 bytes is truncated", "[ethernet]") {
  std::array<std::uint8_t, 13> b{};
  EthernetHeader h;
  CHECK(parse_ethernet(b, h) == EthernetError::kTruncated);
}
