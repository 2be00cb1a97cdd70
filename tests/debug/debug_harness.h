// What the firmware-mistake tests share: a platform built from key=value
// overrides, a capture of the model's log lines (SC_REPORT warnings) so a
// test can check that a mistake is named, the ERR_STATUS bit names, and the
// firmware steps the test programs are made of. Test firmware records what
// it sees in plain structs; Catch assertions run after the simulation, never
// inside the SystemC thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "firmware/active_open.h"
#include "firmware/driver.h"
#include "firmware/host_interface.h"
#include "model/common/config.h"

namespace toevp::tb::debug_test {

// Defaults, then each "key=value"; the cross-key checks run too.
model::Config make_config(const std::vector<std::string>& assignments);

// Every SC_REPORT warning (and worse) of the process from now on, as
// "<message type>: <text>", still printed as usual.
class LogCapture {
 public:
  LogCapture();
  static const std::vector<std::string>& lines();
  // Lines logged since `mark` (an index into lines()) that contain `text`.
  static std::size_t count_since(std::size_t mark, const std::string& text);
};

// Connection `conn` as the platform's TCP peer expects it: NIC port
// 40000 + conn (the peer checks the bytes against PayloadPattern key conn),
// peer 10.0.0.2:5001, MACs 02:00:00:00:00:01/02.
fw::ConnectParams connect_params(std::uint16_t conn);

// Writes PayloadPattern of conn's stream bytes [offset, offset + len) at addr.
void fill_pattern(fw::HostInterface& host, std::uint64_t addr, std::uint16_t conn, std::uint64_t offset,
                  std::uint32_t len);

// Waits for the next completion the driver hands out; false after timeout_ns.
bool next(fw::Driver& drv, fw::Completion& c, std::uint64_t timeout_ns = 20'000'000);

// Waits for the next completion of type `type` (others are kept in `skipped`).
bool next_of(fw::Driver& drv, abi::CqeType type, fw::Completion& c, std::vector<fw::Completion>* skipped = nullptr,
             std::uint64_t timeout_ns = 20'000'000);

}  // namespace toevp::tb::debug_test
