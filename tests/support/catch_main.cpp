// Catch2 entry point for tests that do not use SystemC.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
