// MessageSource: turns a WorkloadSpec into the sequence of messages the
// `workload` program posts, one message at a time (a run of 10^9 messages
// needs no table), from random streams seeded by the spec's seed alone: the
// same spec and seed give the same messages on every machine (Boost.Random's
// engines and distributions, whose output the C++ standard library does not
// fix).
#pragma once

#include <cstdint>

#include <boost/random/discrete_distribution.hpp>
#include <boost/random/mersenne_twister.hpp>

#include "firmware/examples/workload_spec.h"

namespace toevp::fw {

// One message of the sequence.
struct PlannedMessage {
  std::uint64_t seq = 0;            // 0, 1, 2, ... over the whole run
  std::uint16_t conn = 0;
  std::uint32_t bytes = 0;
  std::uint32_t response_bytes = 0;  // request/response only
  std::uint64_t arrival_ns = 0;      // open loop: from the start of the traffic
};

class MessageSource {
 public:
  explicit MessageSource(const WorkloadSpec& spec);
  bool more() const { return next_seq_ < total_; }
  PlannedMessage next();  // only while more()
  std::uint64_t total() const { return total_; }

 private:
  using Engine = boost::random::mt19937_64;
  std::uint32_t draw_size(const SizeSpec& s, Engine& e, bool response, const MessageTrace::Row* row);
  std::uint16_t draw_conn(const MessageTrace::Row* row);

  WorkloadSpec spec_;
  std::uint64_t total_ = 0;
  std::uint64_t next_seq_ = 0;
  // One stream per aspect, so changing how sizes are drawn leaves the
  // connection and arrival sequences as they were (and vice versa).
  Engine size_rng_, response_rng_, conn_rng_, arrival_rng_;
  boost::random::discrete_distribution<std::uint32_t> zipf_;
  double clock_ns_ = 0;  // arrival time of the next message
};

}  // namespace toevp::fw
