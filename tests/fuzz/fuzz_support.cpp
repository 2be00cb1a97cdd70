// Reader and invariant check of the fuzz targets; see fuzz_support.h.
#include "tests/fuzz/fuzz_support.h"

#include <cstdio>
#include <cstdlib>

namespace toevp::fuzz {

Bytes Reader::bytes(std::size_t n) {
  if (n > left()) n = left();
  Bytes b(p_, p_ + n);
  p_ += n;
  return b;
}

void invariant_failed(const std::string& what) {
  std::fprintf(stderr, "toevp fuzz: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

}  // namespace toevp::fuzz
