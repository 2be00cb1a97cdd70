// EthLink: propagation delay and in-order delivery per direction. See eth_link.h.
#include "model/link/eth_link.h"

namespace toevp::link {

using sc_core::sc_time;

EthLink::EthLink(sc_core::sc_module_name name, const EthLinkParams& params)
    : sc_module(name), to_a("to_a"), to_b("to_b"), params_(params) {
  SC_METHOD(deliver_to_a);
  sensitive << to_a_event_;
  dont_initialize();
  SC_METHOD(deliver_to_b);
  sensitive << to_b_event_;
  dont_initialize();
}

void EthLink::send(Side from, EthFrame frame, const sc_time& first_bit, const sc_time& last_bit) {
  for (auto* o : observers_) o->on_frame(frame, from == kA, first_bit);
  ++carried_[from];
  const sc_time arrival = last_bit + params_.propagation;
  Queue& q = from == kA ? to_b_queue_ : to_a_queue_;
  sc_core::sc_event& ev = from == kA ? to_b_event_ : to_a_event_;
  const bool was_empty = q.empty();
  const bool earlier = !was_empty && arrival < q.top().arrival;
  q.push(InFlight{arrival, order_++, std::move(frame)});
  if (was_empty || earlier) ev.notify(arrival - sc_core::sc_time_stamp());
}

void EthLink::deliver(Side to, Queue& q, sc_core::sc_event& ev) {
  const sc_time now = sc_core::sc_time_stamp();
  while (!q.empty() && q.top().arrival <= now) {
    // Move the frame out before calling the receiver: it may send() again.
    EthFrame frame = std::move(const_cast<InFlight&>(q.top()).frame);
    q.pop();
    (to == kA ? to_a : to_b)->receive_frame(frame);
  }
  if (!q.empty()) ev.notify(q.top().arrival - now);
}

void EthLink::deliver_to_a() { deliver(kA, to_a_queue_, to_a_event_); }
void EthLink::deliver_to_b() { deliver(kB, to_b_queue_, to_b_event_); }

}  // namespace toevp::link
