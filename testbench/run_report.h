// RunReport: the figures of one run, as JSON (the keys documented in
// docs/results.md) and as the short summary a person reads. Built from the
// platform's modules after the simulation and the firmware program's own
// results; nothing here changes the simulation.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "firmware/examples/firmware_program.h"
#include "testbench/platform.h"

namespace toevp::tb {

// The highest TCP payload goodput a link of this config can carry with
// full-sized segments (Gb/s): MSS / (MSS + headers + FCS + preamble + IFG).
double theoretical_goodput_gbps(const model::Config& config);

nlohmann::json make_report(Platform& platform, const fw::ProgramResults& results);
std::string summary_text(const nlohmann::json& report);

}  // namespace toevp::tb
