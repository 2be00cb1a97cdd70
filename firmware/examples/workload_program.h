// workload: the configurable example program, the one `toevp run` runs by
// default (fw.program = workload). Its traffic is a WorkloadSpec
// (workload_spec.h, the config's workload.* keys): bulk messages or
// requests the peer answers, message and response sizes from a
// distribution or a trace, a spread over `connections` connections, and
// closed-loop or open-loop posting. It opens every connection first, then:
//
//   closed loop  messages are posted in sequence order; message i goes to
//                its connection as soon as that connection has fewer than
//                outstanding_per_conn messages posted, and the program waits
//                (head of line) until it has. So a hot connection's window,
//                not the others', paces a skewed spread, as it would a
//                single-threaded client.
//   open loop    message i arrives at its arrival time (fixed interval or
//                Poisson at offered_gbps, or the trace's times) whether or not
//                anything has completed. It is posted at once unless its
//                connection already has outstanding_per_conn posted (its
//                buffers are all with the NIC); then it waits in a
//                per-connection backlog (a full submission ring makes the
//                post itself wait). results().offered says how many waited,
//                how long from arrival to post, and the largest backlog: the
//                signs that the NIC did not keep up with the offered load.
//
// Bulk: a message is done at its SEND_DONE. Request/response: a request is
// done when its SEND_DONE has come and its response (response_bytes of
// data from the peer, received into a buffer posted with POST_RECV just
// before the request's SEND and checked byte for byte against the peer's
// reverse-stream pattern) has arrived; a request whose response size is 0 is
// done at its SEND_DONE. The latency of each message or request is from the
// post of its SEND to that moment. The peer learns each request's size and
// response size through set_request_observer (the application protocol's
// framing, which it cannot read from the pattern bytes).
//
// Checked, as in bulk_sender: every SEND_DONE exactly once, in order per
// connection, status OK, the message's length; every RECV_DONE in order
// with the peer's bytes; any ERROR completion is an error. With one
// connection, fixed sizes and the closed loop it posts exactly what
// bulk_sender posts, at the same times.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <vector>

#include "firmware/driver.h"
#include "firmware/examples/endpoint_params.h"
#include "firmware/examples/firmware_program.h"
#include "firmware/examples/message_source.h"
#include "firmware/examples/workload_spec.h"

namespace toevp::fw {

struct WorkloadProgramParams {
  WorkloadSpec workload;
  std::uint64_t stall_timeout_ns = 50'000'000;  // messages outstanding and no completion for this long: give up
  std::uint64_t close_timeout_ns = 50'000'000;
  bool close = true;
  EndpointParams endpoint;

  // The WorkloadSpec keys, stall_timeout_ns, close_timeout_ns, close and the
  // EndpointParams keys; throws std::invalid_argument.
  static WorkloadProgramParams from(const ProgramParams& params);
};

class WorkloadProgram : public FirmwareProgram {
 public:
  // Called as each request is posted (before its SEND): the connection, the
  // request's bytes and the bytes the peer must answer with.
  using RequestObserver = std::function<void(std::uint16_t conn, std::uint32_t request_bytes, std::uint32_t response_bytes)>;

  explicit WorkloadProgram(const WorkloadProgramParams& params);
  const char* name() const override { return "workload"; }
  int run(HostInterface& host) override;
  const ProgramResults& results() const override { return results_; }
  const WorkloadProgramParams& params() const { return params_; }
  void set_request_observer(RequestObserver observer) { observer_ = std::move(observer); }

 private:
  struct Slot {
    std::uint32_t bytes = 0;
    std::uint32_t response_bytes = 0;
    std::uint64_t post_ns = 0;
    std::uint64_t response_end = 0;  // the response stream offset at which this request is answered
  };
  struct Conn {
    std::uint64_t send_buffers = 0;  // outstanding_per_conn slots of the largest message
    std::uint64_t recv_buffers = 0;  // outstanding_per_conn slots of the largest response
    std::uint32_t next_post = 0;     // per-connection index of the next message posted
    std::uint32_t next_done = 0;     // oldest message not done
    std::uint32_t sends_done = 0;    // SEND_DONEs so far (they come in order)
    std::uint64_t stream_offset = 0;     // request bytes posted
    std::uint64_t response_posted = 0;   // response bytes the posted requests ask for
    std::uint64_t response_received = 0; // response bytes received and checked
    std::vector<Slot> slots;             // index % outstanding_per_conn
    std::deque<PlannedMessage> backlog;  // open loop: arrived, not yet posted
    bool established = false;
    bool closed = false;                 // no more traffic (closed, or an error)
  };

  bool setup(Driver& drv, HostInterface& host);
  void traffic(Driver& drv, HostInterface& host);
  void offer(Driver& drv, HostInterface& host);
  void admit(Driver& drv, HostInterface& host, const PlannedMessage& m);
  bool has_room(const Conn& c) const;
  bool post(Driver& drv, HostInterface& host, const PlannedMessage& m);
  void on_completion(Driver& drv, HostInterface& host, const Completion& c);
  void on_send_done(Driver& drv, HostInterface& host, const Completion& c);
  void on_recv_done(Driver& drv, HostInterface& host, const Completion& c);
  void finish_done(Driver& drv, HostInterface& host, std::uint16_t conn);
  void stop(std::uint16_t conn);
  std::uint64_t accounted() const;
  void close_all(Driver& drv);
  void error(std::string message);

  WorkloadProgramParams params_;
  ProgramResults results_;
  RequestObserver observer_;
  std::optional<MessageSource> source_;
  std::optional<PlannedMessage> head_;  // closed loop: next message, waiting for its connection
  std::optional<PlannedMessage> next_arrival_;  // open loop: next message not yet arrived
  std::vector<Conn> conns_;
  std::vector<std::uint8_t> scratch_;
  std::uint32_t max_bytes_ = 0;
  std::uint32_t max_response_ = 0;
  std::uint64_t traffic_start_ns_ = 0;
  std::uint64_t dropped_ = 0;   // never posted: their connection had stopped
  std::uint64_t backlog_ = 0;   // open loop: messages in all backlogs
  bool open_loop_ = false;
};

}  // namespace toevp::fw
