// Workload: turns the config's workload.* and fw.* keys into the parameters
// of the example firmware program the host CPU runs, so one config file
// describes the whole design point, firmware included; connects the
// `workload` program's request/response framing to the peer model; and
// describes in the run report the workload that ran.
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "firmware/examples/firmware_program.h"
#include "model/common/config.h"

namespace toevp::tb {

class Platform;

// The TCP port of the NIC side of connection 0; connection i uses base + i.
// The peer's payload check keys the pattern by (port - base), the same
// connection index the firmware fills its buffers with.
inline constexpr std::uint16_t kLocalPortBase = 40000;

fw::ProgramParams program_params(const model::Config& config);

// The program fw.program names, built from the config. Throws
// std::invalid_argument (a bad trace file names the file and line).
// Without a platform, a request/response workload has no peer to tell its
// requests to: use the second form for those (toevp does, for every run).
std::unique_ptr<fw::FirmwareProgram> make_workload_program(const model::Config& config);
std::unique_ptr<fw::FirmwareProgram> make_workload_program(const model::Config& config, Platform& platform);

// The report's "workload" object (docs/results.md): what was configured and
// what the program measured about the load it offered.
nlohmann::json workload_report(const model::Config& config, const fw::ProgramResults& results);
// Its lines of the summary a person reads.
std::string workload_summary(const nlohmann::json& report);

}  // namespace toevp::tb
