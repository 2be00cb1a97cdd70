// make_header_generator(): see the header.
#include "testbench/rtl/header_generator_factory.h"

#include <stdexcept>

#include "model/hdrgen/header_generator_model.h"
#if TOEVP_HAVE_RTL_HDRGEN
#include "testbench/rtl/rtl_header_generator.h"
#endif

namespace toevp::tb {

bool rtl_header_generator_available() { return TOEVP_HAVE_RTL_HDRGEN; }

std::unique_ptr<hdrgen::HeaderGenerator> make_header_generator(
    const std::string& kind, const HeaderGeneratorOptions& options) {
  if (kind == "model") return std::make_unique<hdrgen::HeaderGeneratorModel>();
  if (kind != "rtl")
    throw std::invalid_argument("nic.header_gen: unknown header generator \"" + kind +
                                "\" (expected \"model\" or \"rtl\")");
#if TOEVP_HAVE_RTL_HDRGEN
  RtlDriverOptions rtl;
  rtl.fst_path = options.fst_path;
  rtl.period_ps = options.period_ps;
  return std::make_unique<RtlHeaderGenerator>(rtl);
#else
  throw std::runtime_error(
      "nic.header_gen: \"rtl\" is unavailable, this build has no Verilated RTL "
      "(configure with -DTOEVP_WITH_RTL=ON and Verilator installed)");
#endif
}

}  // namespace toevp::tb
