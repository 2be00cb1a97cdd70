// libsystemc.so defines main() and needs an sc_main() to link against. A
// libFuzzer build has libFuzzer's own main() in the executable, which wins
// over the library's, so this sc_main is never called; the fuzz targets
// start SystemC themselves (sc_start) from LLVMFuzzerInitialize and
// LLVMFuzzerTestOneInput.
#include <systemc>

int sc_main(int, char*[]) { return 1; }
