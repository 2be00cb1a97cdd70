// bulk_sender: the example program of the zero-copy transmit method. It opens
// `connections` connections, then keeps `outstanding_per_conn` messages of
// `message_bytes` posted on each until `messages` (in total) are done, and
// closes. Each message buffer is filled with fw::PayloadPattern for
// (connection index, stream offset) just before its SEND, so the link partner
// can check every byte; a buffer is written again only after its SEND_DONE
// (DESIGN.md, method step 6: the host buffer is the retransmit buffer).
//
// Connection i uses TCB slot i, local port local_port_base + i and pattern key
// i; every connection goes to peer_ip:peer_port. Messages are dealt round
// robin: connection i sends messages / connections of them, the first
// messages % connections one more.
//
// Checked: every SEND_DONE arrives exactly once, in order per connection,
// with status OK and the message's length; anything else (and every ERROR
// completion) is an error in results(). Per message, post and completion
// times (now_ns) give the latency.
#pragma once

#include <cstdint>
#include <vector>

#include "firmware/driver.h"
#include "firmware/examples/firmware_program.h"

namespace toevp::fw {

struct BulkSenderParams {
  std::uint32_t connections = 1;
  std::uint32_t message_bytes = 65536;
  std::uint64_t messages = 64;  // in total, over all connections
  std::uint32_t outstanding_per_conn = 4;
  MacAddr local_mac{0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
  MacAddr peer_mac{0x02, 0x00, 0x00, 0x00, 0x00, 0x02};
  std::uint32_t local_ip = 0x0A000001;  // 10.0.0.1
  std::uint32_t peer_ip = 0x0A000002;   // 10.0.0.2
  std::uint16_t local_port_base = 40000;
  std::uint16_t peer_port = 5001;
  std::uint16_t mss = 0;    // 0: CAP_MTU - 40
  int wscale = 7;           // < 0: not offered
  bool timestamps = true;
  bool sack = true;
  std::uint32_t rcv_wnd = 1u << 20;
  std::uint64_t syn_timeout_ns = 1'000'000;
  unsigned syn_tries = 4;
  std::uint64_t stall_timeout_ns = 50'000'000;  // no completion for this long: give up
  std::uint64_t close_timeout_ns = 50'000'000;
  bool close = true;  // CLOSE every connection at the end
  DriverConfig driver;

  // Keys are the field names (driver settings as sq_entries, cq_entries,
  // interrupts, int_moderation_cycles, seed, ...); throws std::invalid_argument.
  static BulkSenderParams from(const ProgramParams& params);
};

class BulkSender : public FirmwareProgram {
 public:
  explicit BulkSender(const BulkSenderParams& params);
  const char* name() const override { return "bulk_sender"; }
  int run(HostInterface& host) override;
  const ProgramResults& results() const override { return results_; }
  const BulkSenderParams& params() const { return params_; }

 private:
  struct Conn {
    std::uint64_t buffers = 0;     // outstanding_per_conn slots of message_bytes
    std::uint32_t total = 0;       // messages this connection sends
    std::uint32_t next_post = 0;   // next message index to post
    std::uint32_t next_done = 0;   // next message index whose SEND_DONE is due
    std::vector<std::uint64_t> post_ns;  // per slot
    bool established = false;
    bool closed = false;
  };

  bool setup(Driver& drv, HostInterface& host);
  bool post_next(Driver& drv, HostInterface& host, std::uint16_t conn);
  void on_completion(Driver& drv, HostInterface& host, const Completion& c);
  void on_send_done(Driver& drv, HostInterface& host, const Completion& c);
  void stream(Driver& drv, HostInterface& host);
  void close_all(Driver& drv, HostInterface& host);
  void error(std::string message);
  ConnectParams connect_params(std::uint16_t conn) const;

  BulkSenderParams params_;
  ProgramResults results_;
  std::vector<Conn> conns_;
  std::vector<std::uint8_t> scratch_;
  std::uint64_t total_messages_ = 0;
};

}  // namespace toevp::fw
