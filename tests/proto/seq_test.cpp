// Sequence-number arithmetic across the 2^32 wrap (RFC 9293 section 3.4,
// RFC 1982).
#include <catch2/catch.hpp>

#include "model/proto/seq.h"

using toevp::proto::Seq;
using toevp::proto::seq_in_window;
using toevp::proto::seq_max;
using toevp::proto::seq_min;

TEST_CASE("Seq orders values that straddle the 2^32 wrap", "[seq]") {
  Seq before(0xFFFFFFF0u);
  Seq after(0x00000010u);
  CHECK(before < after);
  CHECK(before <= after);
  CHECK(after > before);
  CHECK(after >= before);
  CHECK_FALSE(after < before);
  CHECK(before != after);
  CHECK(after - before == 0x20);
  CHECK(before - after == -0x20);
}

TEST_CASE("Seq addition wraps modulo 2^32", "[seq]") {
  Seq s(0xFFFFFFFFu);
  CHECK((s + 1).raw() == 0u);
  CHECK((s + 0x11).raw() == 0x10u);
  CHECK((Seq(5) - 10).raw() == 0xFFFFFFFBu);
  Seq t(0xFFFFFF00u);
  t += 0x200;
  CHECK(t.raw() == 0x100u);
  CHECK(t == Seq(0x100));
}

TEST_CASE("Seq signed distance changes sign at half the space", "[seq]") {
  Seq zero(0);
  CHECK(Seq(0x7FFFFFFFu) - zero == 0x7FFFFFFF);
  CHECK(Seq(0x7FFFFFFFu) > zero);
  // 2^31 away is ambiguous (RFC 1982 leaves it undefined); we call it behind.
  CHECK(Seq(0x80000000u) - zero == INT32_MIN);
  CHECK(Seq(0x80000001u) < zero);
  CHECK(Seq(0x80000001u) - zero == -0x7FFFFFFF);
}

TEST_CASE("Seq equality is reflexive and <= / >= hold for equal values", "[seq]") {
  Seq a(1234);
  CHECK(a == Seq(1234));
  CHECK(a <= Seq(1234));
  CHECK(a >= Seq(1234));
  CHECK_FALSE(a < Seq(1234));
  CHECK_FALSE(a > Seq(1234));
  CHECK(Seq().raw() == 0u);
}

TEST_CASE("seq_max and seq_min use wrap-around order", "[seq]") {
  Seq hi(0x5), lo(0xFFFFFFFBu);
  CHECK(seq_max(hi, lo) == hi);
  CHECK(seq_max(lo, hi) == hi);
  CHECK(seq_min(hi, lo) == lo);
  CHECK(seq_min(lo, hi) == lo);
}

TEST_CASE("seq_in_window is lo <= s < lo + len, across the wrap", "[seq]") {
  Seq lo(0xFFFFFFF0u);
  CHECK(seq_in_window(lo, lo, 0x20));
  CHECK(seq_in_window(Seq(0xFFFFFFFFu), lo, 0x20));
  CHECK(seq_in_window(Seq(0), lo, 0x20));
  CHECK(seq_in_window(Seq(0x0F), lo, 0x20));
  CHECK_FALSE(seq_in_window(Seq(0x10), lo, 0x20));  // lo + len is outside
  CHECK_FALSE(seq_in_window(lo - 1, lo, 0x20));
  CHECK_FALSE(seq_in_window(lo, lo, 0));  // empty window holds nothing
  CHECK(seq_in_window(lo - 1, lo, 0xFFFFFFFFu) == false);
  CHECK(seq_in_window(lo - 2, lo, 0xFFFFFFFFu));
}

TEST_CASE("Seq arithmetic is usable in constant expressions", "[seq]") {
  constexpr Seq a(10);
  static_assert((a + 5).raw() == 15);
  static_assert(Seq(0xFFFFFFFFu) < Seq(0));
  static_assert(seq_in_window(Seq(1), Seq(0xFFFFFFFFu), 3));
  SUCCEED();
}
