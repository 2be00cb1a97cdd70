// Window scaling helpers (RFC 7323 section 2).
#include <catch2/catch.hpp>

#include "model/proto/window.h"

using namespace toevp::proto;

TEST_CASE("window_field rounds down to the scale unit", "[window]") {
  CHECK(window_field(65535, 0) == 65535);
  CHECK(window_field(1'000'000, 7) == 7812);  // 1e6 / 128 = 7812.5
  CHECK(window_field(127, 7) == 0);
  CHECK(window_field(128, 7) == 1);
  CHECK(window_field(255, 7) == 1);
  CHECK(scaled_window(window_field(1'000'000, 7), 7) == 999'936);  // never more than offered
}

TEST_CASE("window_field saturates at 0xFFFF", "[window]") {
  CHECK(window_field(65536, 0) == 0xFFFF);
  CHECK(window_field(0xFFFFFFFFu, 0) == 0xFFFF);
  CHECK(window_field(0xFFFFFFFFu, 14) == 0xFFFF);
  CHECK(window_field(0x3FFFC000u, 14) == 0xFFFF);
  CHECK(window_field(0x3FFF8000u, 14) == 0xFFFE);
}

TEST_CASE("scaled_window shifts the field left", "[window]") {
  CHECK(scaled_window(502, 7) == 64256);
  CHECK(scaled_window(0xFFFF, 0) == 65535);
  CHECK(scaled_window(0xFFFF, 14) == 0x3FFFC000u);
  CHECK(scaled_window(0, 9) == 0);
}

TEST_CASE("window shifts above 14 are treated as 14 (RFC 7323 section 2.3)", "[window]") {
  CHECK(clamp_window_shift(15) == 14);
  CHECK(clamp_window_shift(255) == 14);
  CHECK(clamp_window_shift(3) == 3);
  CHECK(scaled_window(1, 15) == 16384);
  CHECK(window_field(16384 * 3, 20) == 3);
}

TEST_CASE("window_field_round_up never reads a window with room as closed", "[window]") {
  CHECK(window_field_round_up(0, 7) == 0);
  CHECK(window_field_round_up(1, 7) == 1);
  CHECK(window_field_round_up(72, 7) == 1);     // rounded down this would be 0
  CHECK(window_field_round_up(128, 7) == 1);    // exact multiples stay exact
  CHECK(window_field_round_up(456, 7) == 4);    // 3.56 units
  CHECK(window_field_round_up(65535, 0) == 65535);
  CHECK(scaled_window(window_field_round_up(1'000'000, 7), 7) == 1'000'064);  // at most 2^7 - 1 more
  CHECK(window_field_round_up(0xFFFFu << 7, 7) == 0xFFFF);
  CHECK(window_field_round_up((0xFFFFu << 7) + 1, 7) == 0xFFFF);  // saturates
  CHECK(window_field_round_up(0xFFFFFFFFu, 14) == 0xFFFF);
  CHECK(window_field_round_up(5, 20) == 1);     // shift clamped to 14
}
