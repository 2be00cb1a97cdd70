// request_response: a latency client. On each of `connections` connections
// it sends a request of `request_bytes`, waits for the response, optionally
// thinks for `think_ns`, and sends the next, until `requests` (in total) are
// answered; `in_flight` > 1 pipelines that many requests per connection.
// Per request, the time from posting the SEND to the response is the latency
// reported in ProgramResults (p50/p99 in the run report).
//
// What "the response" is:
//   response_bytes == 0  the peer's acknowledgement of the request's last
//                        byte, i.e. its SEND_DONE: the round trip of a
//                        request to a peer that only receives (the TCP peer
//                        model, or `socat -u` behind the TAP bridge).
//   response_bytes > 0   that many bytes of data from the peer, received into
//                        buffers posted with POST_RECV (RECV_DONE) and
//                        checked against the pattern of the connection's
//                        reverse stream (fw::kReverseStreamKeyBase + i, what
//                        the peer model sends with peer.response_bytes).
//                        Responses are matched to requests in order.
//
// Requests carry fw::PayloadPattern of (connection, stream offset), so the
// peer can check every byte. Config keys map as for bulk_sender:
// message_bytes -> request_bytes, messages -> requests,
// outstanding_per_conn -> in_flight.
#pragma once

#include <cstdint>
#include <vector>

#include "firmware/driver.h"
#include "firmware/examples/endpoint_params.h"
#include "firmware/examples/firmware_program.h"

namespace toevp::fw {

struct RequestResponseParams {
  std::uint32_t connections = 1;
  std::uint32_t request_bytes = 128;
  std::uint64_t requests = 1000;  // in total, over all connections
  std::uint32_t in_flight = 1;    // requests outstanding per connection
  std::uint32_t response_bytes = 0;
  std::uint64_t think_ns = 0;     // pause between a response and the next request
  std::uint64_t stall_timeout_ns = 50'000'000;
  std::uint64_t close_timeout_ns = 50'000'000;
  bool close = true;
  EndpointParams endpoint;

  // Keys: connections, message_bytes, messages, outstanding_per_conn,
  // response_bytes, think_ns, stall_timeout_ns, close_timeout_ns, close and
  // the EndpointParams keys; throws std::invalid_argument.
  static RequestResponseParams from(const ProgramParams& params);
};

class RequestResponse : public FirmwareProgram {
 public:
  explicit RequestResponse(const RequestResponseParams& params);
  const char* name() const override { return "request_response"; }
  int run(HostInterface& host) override;
  const ProgramResults& results() const override { return results_; }

 private:
  struct Conn {
    std::uint64_t request_buffers = 0;   // in_flight slots of request_bytes
    std::uint64_t response_buffers = 0;  // in_flight slots of response_bytes (if any)
    std::uint32_t total = 0;             // requests of this connection
    std::uint32_t next_post = 0;
    std::uint32_t next_done = 0;         // oldest request not yet answered
    std::uint32_t sends_done = 0;        // SEND_DONEs so far (in order)
    std::uint64_t bytes_received = 0;    // response bytes so far
    std::uint64_t next_allowed_ns = 0;   // think time
    std::vector<std::uint64_t> post_ns;  // per slot
    bool closed = false;
  };

  bool setup(Driver& drv, HostInterface& host);
  void post_due(Driver& drv, HostInterface& host);
  bool post_request(Driver& drv, HostInterface& host, std::uint16_t conn);
  void on_completion(HostInterface& host, const Completion& c);
  void on_send_done(HostInterface& host, const Completion& c);
  void on_recv_done(HostInterface& host, const Completion& c);
  void finish_answered(HostInterface& host, std::uint16_t conn);
  void loop(Driver& drv, HostInterface& host);
  std::uint64_t wait_budget(HostInterface& host) const;
  void close_all(Driver& drv);
  void error(std::string message);
  std::uint64_t done_count() const;

  RequestResponseParams params_;
  ProgramResults results_;
  std::vector<Conn> conns_;
  std::vector<std::uint8_t> scratch_;
};

}  // namespace toevp::fw
