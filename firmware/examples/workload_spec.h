// WorkloadSpec: what the `workload` program sends, as data: bulk messages or
// requests answered by the peer, how large each message (and response) is,
// how messages spread over the connections, and when they are posted. It is
// read from ProgramParams (testbench/workload.cpp fills those from the
// config's workload.* keys, docs/config.md) and checked as a whole; every
// error names the parameter, its value and what is allowed.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "firmware/examples/firmware_program.h"
#include "firmware/examples/message_trace.h"

namespace toevp::fw {

// A message (or response) size distribution.
struct SizeSpec {
  enum class Kind { kFixed, kUniform, kBimodal, kTrace };
  Kind kind = Kind::kFixed;
  std::uint32_t fixed = 65536;                 // kFixed
  std::uint32_t min = 64, max = 65536;         // kUniform: every size in [min, max] equally likely
  std::uint32_t small = 64, large = 65536;     // kBimodal: `large` with probability large_fraction
  double large_fraction = 0.1;

  double mean(const MessageTrace* trace, bool response) const;
  std::uint32_t largest(const MessageTrace* trace, bool response) const;
  // "fixed 65536 B", "uniform [64, 1500] B", "bimodal 64 B / 65536 B (10 % large)", "trace FILE".
  std::string describe(const MessageTrace* trace) const;
};

enum class Spread { kRoundRobin, kUniform, kZipf, kHotSet, kTrace };
enum class Arrival { kClosed, kFixed, kPoisson, kTrace };

const char* to_string(SizeSpec::Kind k);
const char* to_string(Spread s);
const char* to_string(Arrival a);

struct WorkloadSpec {
  bool request_response = false;
  std::uint32_t connections = 1;
  std::uint64_t messages = 2000;          // 0: one pass over the trace
  std::uint32_t outstanding_per_conn = 64;
  SizeSpec sizes;                          // SENDs (requests)
  SizeSpec responses{SizeSpec::Kind::kFixed, 0};  // request/response: what the peer answers
  Spread spread = Spread::kRoundRobin;
  double zipf_s = 1.0;                     // kZipf: connection i has weight 1 / (i + 1)^s
  double hot_fraction = 0.1;               // kHotSet: the first ceil(hot_fraction x connections) are hot
  double hot_traffic = 0.9;                //          and get this share of the messages
  Arrival arrival = Arrival::kClosed;
  double offered_gbps = 10;                // kFixed, kPoisson: aggregate SEND payload rate
  std::uint64_t seed = 1;
  std::shared_ptr<const MessageTrace> trace;  // when any mode above is kTrace

  // Keys (ProgramParams): kind (bulk | request_response), connections,
  // messages, outstanding_per_conn, sizes (fixed | uniform | bimodal |
  // trace), message_bytes, size_min, size_max, bimodal_small, bimodal_large,
  // bimodal_large_fraction, response_sizes, response_bytes, response_min,
  // response_max, response_bimodal_small, response_bimodal_large,
  // response_bimodal_large_fraction, spread (round_robin | uniform | zipf |
  // hot_set | trace), zipf_s, hot_fraction, hot_traffic, arrival (closed |
  // fixed | poisson | trace), offered_gbps, trace_file, seed. Loads the trace
  // file if one is named. Throws std::invalid_argument.
  static WorkloadSpec read(ParamReader& r);
  // Cross-parameter checks (also done by read()).
  void check() const;

  // The number of messages the run posts (messages, or the trace's rows when 0).
  std::uint64_t total_messages() const;
  double mean_bytes() const { return sizes.mean(trace.get(), false); }
  double mean_response_bytes() const { return request_response ? responses.mean(trace.get(), true) : 0; }
  // Open loop: the mean time between two arrivals (all connections), ns.
  double mean_interval_ns() const;
  // One line: "request_response, sizes uniform [64, 1500] B (mean 782 B), ..."
  std::string describe() const;
};

}  // namespace toevp::fw
