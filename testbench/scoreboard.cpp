// Scoreboard: completion-after-ACK and in-order completion checks.
#include "testbench/scoreboard.h"

namespace toevp::tb {

void Scoreboard::violation(std::string what) {
  ++violations_;
  if (messages_.size() < 20) messages_.push_back(std::move(what));
}

void Scoreboard::on_ack_at_nic(std::uint16_t port, std::uint64_t acked_bytes, const sc_core::sc_time& at) {
  Stream& s = streams_[port];
  if (!s.acks.empty() && acked_bytes <= s.acks.back().acked) return;  // not new
  s.acks.push_back(Ack{at, acked_bytes});
}

void Scoreboard::on_send_done(std::uint16_t port, std::uint32_t message_bytes, bool ok, const sc_core::sc_time& at) {
  Stream& s = streams_[port];
  s.completed += message_bytes;
  ++checked_;
  if (!ok) return;  // an error completion (timeout, reset) makes no claim of delivery
  while (s.cursor < s.acks.size() && s.acks[s.cursor].acked < s.completed) ++s.cursor;
  if (s.cursor == s.acks.size()) {
    violation("port " + std::to_string(port) + ": SEND_DONE for stream bytes up to " + std::to_string(s.completed) +
              " landed at " + at.to_string() + " but the peer never acked them");
    return;
  }
  if (s.acks[s.cursor].at > at) {
    violation("port " + std::to_string(port) + ": SEND_DONE for stream bytes up to " + std::to_string(s.completed) +
              " landed at " + at.to_string() + " before the covering ACK reached the NIC at " +
              s.acks[s.cursor].at.to_string());
  }
}

}  // namespace toevp::tb
