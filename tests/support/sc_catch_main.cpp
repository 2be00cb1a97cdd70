// Catch2 entry point for tests that use SystemC: libsystemc owns main() and
// calls sc_main(), so the Catch session runs from here. ctest runs each test
// case in its own process (catch_discover_tests), which matters because a
// SystemC design can be elaborated only once per process.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <systemc>

int sc_main(int argc, char* argv[]) {
  // Femtosecond resolution: PCIe block times such as Gen5's 4.0625 ns are
  // exact integers there (docs/timing.md, "Time base").
  sc_core::sc_set_time_resolution(1, sc_core::SC_FS);
  return Catch::Session().run(argc, argv);
}
