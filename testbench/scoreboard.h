// Scoreboard: checks the method's promises from outside the NIC.
//   - SEND_DONE never precedes the ACK of the message's last byte: for each
//     SEND_DONE that lands in host memory, the peer must already have sent an
//     ACK covering the message's last byte, and that ACK must have reached
//     the NIC (its last bit plus the propagation delay) before the landing.
//   - SEND_DONEs of a connection arrive in posting order, exactly once (the
//     message end offsets are the running sum of SEND_DONE lengths).
// What it sees: the peer's ACKs (TcpPeer callback), the completions as they
// land (CompletionEngine observer) and the PCB slots in host memory (to map
// conn_id to the NIC's TCP port). Nothing of the NIC's internal state.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <systemc>

#include "model/nic/completion_engine.h"
#include "model/proto/seq.h"

namespace toevp::tb {

class Scoreboard {
 public:
  // ACK with `acked_bytes` of the stream of NIC port `port` reached the NIC at `at`.
  void on_ack_at_nic(std::uint16_t port, std::uint64_t acked_bytes, const sc_core::sc_time& at);
  // A SEND_DONE for the connection whose NIC port is `port` landed at `at`.
  void on_send_done(std::uint16_t port, std::uint32_t message_bytes, bool ok, const sc_core::sc_time& at);

  std::uint64_t send_done_checked() const { return checked_; }
  std::uint64_t violations() const { return violations_; }
  const std::vector<std::string>& messages() const { return messages_; }

 private:
  struct Ack {
    sc_core::sc_time at;
    std::uint64_t acked;
  };
  struct Stream {
    std::vector<Ack> acks;        // in send order; acked is non-decreasing
    std::size_t cursor = 0;       // first ACK not yet known to cover a completed message
    std::uint64_t completed = 0;  // bytes of messages completed so far
  };
  void violation(std::string what);

  std::map<std::uint16_t, Stream> streams_;
  std::uint64_t checked_ = 0;
  std::uint64_t violations_ = 0;
  std::vector<std::string> messages_;
};

}  // namespace toevp::tb
