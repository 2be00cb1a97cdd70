// The common shape of the example firmware programs, so the platform can run
// any of them by name: the HostCpu model calls run(host) in a SystemC thread
// and afterwards reads results(), a plain struct (no SystemC, no JSON).
//
//   auto program = fw::make_program("bulk_sender", {{"connections", "4"}, ...});
//   cpu.set_program([&](fw::HostInterface& h) { return program->run(h); });
//   ... simulate ...
//   const fw::ProgramResults& r = program->results();
//
// Parameters are strings (numbers in decimal or 0x hex, booleans as
// true/false/1/0, MACs as 02:00:00:00:00:01, IPv4 as 10.0.0.1) so a config
// file can pass them through unchanged; an unknown key or a bad value throws
// std::invalid_argument naming it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "firmware/driver.h"
#include "firmware/host_interface.h"

namespace toevp::fw {

using ProgramParams = std::map<std::string, std::string>;

// One message, from the post of its SEND to its SEND_DONE (now_ns clock).
struct MessageTiming {
  std::uint16_t conn = 0;
  std::uint32_t index = 0;  // per-connection message number
  std::uint64_t post_ns = 0;
  std::uint64_t done_ns = 0;
  std::uint32_t bytes = 0;           // the SEND's length (0: the program does not record it)
  std::uint32_t response_bytes = 0;  // request/response: bytes of the response
  std::uint64_t latency_ns() const { return done_ns - post_ns; }
};

// What the configurable `workload` program measures about the load it
// offered (firmware/examples/workload_program.h); other programs leave it 0.
struct OfferedLoad {
  std::string description;          // WorkloadSpec::describe()
  double mean_bytes = 0;            // of the configured size distribution
  double mean_response_bytes = 0;
  double mean_interval_ns = 0;      // open loop at a rate: between two arrivals
  std::uint64_t bytes_posted = 0;           // SEND bytes posted (requests for request/response)
  std::uint64_t response_bytes_expected = 0;  // sum of the posted requests' response sizes
  std::uint64_t response_bytes_received = 0;  // RECV_DONE bytes, checked against the peer's pattern
  std::uint64_t first_post_ns = 0;
  std::uint64_t last_post_ns = 0;
  // Open loop: a message arrives at its arrival time and is posted at once
  // unless its connection already has outstanding_per_conn messages posted
  // (or the submission ring is full); then it waits in the host's backlog.
  std::uint64_t backlogged = 0;        // messages that had to wait
  std::uint64_t backlog_peak = 0;      // most messages waiting at once (all connections)
  std::uint64_t post_delay_sum_ns = 0; // post time - arrival time, summed over messages
  std::uint64_t post_delay_max_ns = 0;
  // Closed loop and open loop: most messages one connection had posted at once.
  std::uint32_t peak_outstanding_per_conn = 0;
};

struct ProgramResults {
  bool ok = false;                  // run() finished and found nothing wrong
  std::string first_error;
  std::vector<std::string> errors;  // program checks and NIC ERROR completions, by name
  std::uint32_t connections = 0;
  std::uint32_t connections_established = 0;
  std::uint32_t connections_closed = 0;
  std::uint64_t messages_posted = 0;
  std::uint64_t messages_completed = 0;  // SEND_DONE with status OK, in order
  std::uint64_t bytes_completed = 0;
  std::uint64_t start_ns = 0;  // first SEND posted
  std::uint64_t end_ns = 0;    // last SEND_DONE
  std::vector<MessageTiming> messages;  // in completion order
  DriverStats driver;
  OfferedLoad offered;

  // Latency at quantile q in [0, 1] over `messages` (nearest rank); 0 if none.
  std::uint64_t latency_quantile_ns(double q) const;
  // Payload goodput between start_ns and end_ns, in Gb/s.
  double goodput_gbps() const;
};

class FirmwareProgram {
 public:
  virtual ~FirmwareProgram() = default;
  virtual const char* name() const = 0;
  // Runs the program to its end on `host`; returns 0 when results().ok.
  virtual int run(HostInterface& host) = 0;
  virtual const ProgramResults& results() const = 0;
};

// Builds the named program; throws std::invalid_argument for an unknown name,
// key or value.
std::unique_ptr<FirmwareProgram> make_program(const std::string& name, const ProgramParams& params);
std::vector<std::string> program_names();

// Reads typed values out of ProgramParams and remembers which keys were used,
// so finish() can reject the ones nobody asked for (typos in a config).
class ParamReader {
 public:
  explicit ParamReader(const ProgramParams& params) : params_(params) {}
  std::uint64_t u64(const std::string& key, std::uint64_t fallback);
  std::uint32_t u32(const std::string& key, std::uint32_t fallback);
  int i32(const std::string& key, int fallback);
  bool boolean(const std::string& key, bool fallback);
  double real(const std::string& key, double fallback);  // finite decimal number
  std::string text(const std::string& key, const std::string& fallback);
  MacAddr mac(const std::string& key, const MacAddr& fallback);
  std::uint32_t ipv4(const std::string& key, std::uint32_t fallback);
  void finish(const std::string& program) const;

 private:
  const std::string* find(const std::string& key);
  const ProgramParams& params_;
  std::vector<std::string> used_;
};

}  // namespace toevp::fw
