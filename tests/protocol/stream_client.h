// StreamClient: the test firmware of the protocol and fault tests. On each
// connection it streams messages (fw::PayloadPattern of (connection, stream
// offset), like bulk_sender), keeps receive buffers posted for the peer's
// data and checks every received byte against the reverse-direction pattern,
// can UPLOAD the connection mid-transfer and OFFLOAD it again (posting the
// unacked bytes from the uploaded snd_una on), and closes. It records what it
// saw in a plain struct; the test asserts after the run (Catch assertions are
// not made inside the SystemC thread).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "firmware/driver.h"
#include "firmware/host_interface.h"
#include "firmware/pcb.h"

namespace toevp::tb::test {

struct StreamClientParams {
  unsigned connections = 1;
  std::uint32_t message_bytes = 16384;
  std::uint32_t messages_per_conn = 64;
  unsigned outstanding = 8;               // messages posted per connection at once
  unsigned recv_buffers = 0;              // receive buffers kept posted per connection
  std::uint32_t recv_buffer_bytes = 8192;
  std::uint64_t expect_recv_bytes = 0;    // per connection; the run waits for them
  std::uint32_t upload_after = 0;         // SEND_DONEs before one UPLOAD + re-OFFLOAD per connection (0: never)
  std::uint64_t upload_pause_ns = 0;      // between UPLOAD_DONE and the new OFFLOAD_CONN
  std::uint16_t reoffload_mss = 0;        // a wrong PCB mss for the re-OFFLOAD (0: keep the uploaded one)
  bool close = true;
  std::uint64_t linger_ns = 0;            // stays this long after the last step before returning
  bool timestamps = true;
  std::uint64_t stall_timeout_ns = 100'000'000;
  std::uint32_t tcb_entries = 64;
};

struct StreamClientResult {
  std::vector<std::string> errors;
  std::uint64_t messages_done = 0;        // SEND_DONE OK, in order
  std::uint64_t bytes_received = 0;       // checked against the pattern
  std::uint64_t recv_done = 0;
  std::uint64_t uploads = 0;
  std::uint64_t aborted = 0;              // SEND_DONE ABORTED
  std::uint64_t reposted_bytes = 0;       // unacked bytes posted again after an UPLOAD
  std::uint32_t closed = 0;               // CONN_EVENT CLOSED
  std::uint32_t fins = 0;                 // CONN_EVENT FIN_RECEIVED
  std::vector<fw::Pcb> uploaded;          // the TCBs UPLOAD_CONN wrote back
  std::vector<std::uint32_t> initial_snd_nxt;  // per connection, as offloaded
  bool finished = false;                  // the program ran to its end
  std::string first_error() const { return errors.empty() ? "" : errors.front(); }
};

// Runs the client; returns 0 when nothing went wrong.
int run_stream_client(fw::HostInterface& host, const StreamClientParams& params, StreamClientResult& result);

}  // namespace toevp::tb::test
