// Chooses the header generator implementation the platform runs with
// (config key nic.header_gen): "model", the C++ model, or "rtl", the
// Verilated RTL through its transactor. Builds without Verilator too; "rtl"
// is then reported unavailable.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "model/hdrgen/header_generator.h"

namespace toevp::tb {

struct HeaderGeneratorOptions {
  // "rtl" only: FST waveform path (empty: TOEVP_RTL_FST if set, else none).
  std::string fst_path;
  // "rtl" only: core clock period in the waveform, in picoseconds.
  std::uint64_t period_ps = 4000;
};

// True when this build contains the Verilated RTL (TOEVP_WITH_RTL).
bool rtl_header_generator_available();

// kind: "model" or "rtl". Throws std::invalid_argument for another kind and
// std::runtime_error for "rtl" in a build without the RTL.
std::unique_ptr<hdrgen::HeaderGenerator> make_header_generator(
    const std::string& kind, const HeaderGeneratorOptions& options = {});

}  // namespace toevp::tb
