// many_connections: a stress program for the NIC's per-connection state. It
// opens `connections` connections in waves of `connect_wave` while the ones
// already open carry traffic, and sends `messages` messages (in total) of
// seeded random sizes in [1, max_message_bytes] on randomly chosen
// connections, each keeping at most `outstanding_per_conn` posted. With more
// connections than TCB cache entries every ACK can miss the cache; with many
// small messages the context table fills. At the end it closes every
// connection and waits for CONN_EVENT CLOSED.
//
// Checked: every message completes exactly once with SEND_DONE OK and its
// length, in order per connection; any ERROR completion is an error. Every
// message carries fw::PayloadPattern of (connection, stream offset), which
// the TCP peer model checks byte for byte. The random sequence depends only
// on `seed`, which failures print.
//
// Config keys map as for bulk_sender: message_bytes -> max_message_bytes,
// messages, connections, outstanding_per_conn.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "firmware/driver.h"
#include "firmware/examples/endpoint_params.h"
#include "firmware/examples/firmware_program.h"

namespace toevp::fw {

struct ManyConnectionsParams {
  std::uint32_t connections = 512;
  std::uint32_t max_message_bytes = 16384;
  std::uint64_t messages = 4096;  // in total
  std::uint32_t outstanding_per_conn = 2;
  std::uint32_t connect_wave = 64;  // connections opened between bursts of traffic
  std::uint64_t stall_timeout_ns = 50'000'000;
  std::uint64_t close_timeout_ns = 100'000'000;
  bool close = true;
  EndpointParams endpoint;

  // Keys: connections, message_bytes, messages, outstanding_per_conn,
  // connect_wave, stall_timeout_ns, close_timeout_ns, close and the
  // EndpointParams keys (seed seeds the random choices too).
  static ManyConnectionsParams from(const ProgramParams& params);
};

class ManyConnections : public FirmwareProgram {
 public:
  explicit ManyConnections(const ManyConnectionsParams& params);
  const char* name() const override { return "many_connections"; }
  int run(HostInterface& host) override;
  const ProgramResults& results() const override { return results_; }

 private:
  struct Conn {
    std::uint64_t buffers = 0;            // outstanding_per_conn slots of max_message_bytes
    std::uint32_t total = 0;              // messages of this connection
    std::uint32_t next_post = 0;
    std::uint32_t next_done = 0;
    std::uint64_t stream_offset = 0;      // bytes posted so far
    std::vector<std::uint32_t> length;    // per slot
    std::vector<std::uint64_t> post_ns;   // per slot
    bool open = false;
    bool eligible = false;                // in eligible_
    bool closed = false;
  };

  bool setup(Driver& drv, HostInterface& host);
  bool connect_wave(Driver& drv, std::uint32_t first, std::uint32_t count);
  void make_eligible(std::uint16_t conn);
  bool can_post(const Conn& c) const;
  void pump(Driver& drv, HostInterface& host);
  bool post_one(Driver& drv, HostInterface& host, std::uint16_t conn);
  void drain(Driver& drv, HostInterface& host);
  void on_completion(const Completion& c, HostInterface& host);
  void on_send_done(const Completion& c, HostInterface& host);
  void finish(Driver& drv, HostInterface& host);
  void close_all(Driver& drv);
  void error(std::string message);

  ManyConnectionsParams params_;
  ProgramResults results_;
  std::vector<Conn> conns_;
  std::vector<std::uint16_t> eligible_;  // connections that may post now
  std::uint64_t done_ = 0;
  std::mt19937_64 rng_;
  std::vector<std::uint8_t> scratch_;
};

}  // namespace toevp::fw
