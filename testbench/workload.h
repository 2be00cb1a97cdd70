// Workload: turns the config's workload.* and fw.* keys into the parameters
// of the example firmware program the host CPU runs, so one config file
// describes the whole design point, firmware included.
#pragma once

#include <memory>

#include "firmware/examples/firmware_program.h"
#include "model/common/config.h"

namespace toevp::tb {

// The TCP port of the NIC side of connection 0; connection i uses base + i.
// The peer's payload check keys the pattern by (port - base), the same
// connection index the firmware fills its buffers with.
inline constexpr std::uint16_t kLocalPortBase = 40000;

fw::ProgramParams program_params(const model::Config& config);
std::unique_ptr<fw::FirmwareProgram> make_workload_program(const model::Config& config);

}  // namespace toevp::tb
