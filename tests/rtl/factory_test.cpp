// make_header_generator(): the platform's choice between model and RTL
// (config key nic.header_gen), in builds with and without the RTL.
#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>

#include "testbench/rtl/header_generator_factory.h"

using toevp::tb::make_header_generator;

TEST_CASE("nic.header_gen \"model\" makes the C++ model", "[rtl][factory]") {
  auto g = make_header_generator("model");
  REQUIRE(g);
  CHECK(std::string(g->name()) == "model");
  toevp::hdrgen::Header h;
  CHECK(g->generate({}, 5, h).first_beat_cycle == 7);
}

TEST_CASE("nic.header_gen \"rtl\" makes the RTL transactor, or says it is unavailable",
          "[rtl][factory]") {
  if (toevp::tb::rtl_header_generator_available()) {
    auto g = make_header_generator("rtl");
    REQUIRE(g);
    CHECK(std::string(g->name()) == "rtl");
    toevp::hdrgen::Header h;
    CHECK(g->generate({}, 5, h).first_beat_cycle == 7);
  } else {
    CHECK_THROWS_AS(make_header_generator("rtl"), std::runtime_error);
  }
}

TEST_CASE("an unknown nic.header_gen is rejected with the accepted names", "[rtl][factory]") {
  CHECK_THROWS_WITH(make_header_generator("verilog"),
                    Catch::Contains("\"model\" or \"rtl\""));
}
