// EthLink: propagation delay, faults and delivery per direction. See eth_link.h.
#include "model/link/eth_link.h"

namespace toevp::link {

using sc_core::sc_time;

EthLink::EthLink(sc_core::sc_module_name name, const EthLinkParams& params)
    : sc_module(name), to_a("to_a"), to_b("to_b"), params_(params),
      faults_{LinkFaults(params.faults[kA], params.seed, kA), LinkFaults(params.faults[kB], params.seed, kB)} {
  LinkFaults::validate(params.faults[kA], "link.a_to_b");
  LinkFaults::validate(params.faults[kB], "link.b_to_a");
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
  sc_time arrival = last_bit + params_.propagation;
  LinkFaults& faults = faults_[from];
  if (!faults.params().any()) {
    enqueue(from, arrival, std::move(frame));
    return;
  }
  const FaultDecision d = faults.next(frame.data.size());
  if (d.drop) return;
  if (d.corrupt) {
    // One flipped bit: the FCS the sender appended no longer matches.
    frame.data[d.flip_bit / 8] ^= static_cast<std::uint8_t>(1u << (d.flip_bit % 8));
    frame.fcs_ok = false;
  }
  if (d.reorder) {
    // Held back outside the FIFO order: later frames overtake it.
    arrival += sc_time(double(faults.params().reorder_delay_ns), sc_core::SC_NS);
  } else {
    // Jitter delays without reordering: never before the previous in-order frame.
    arrival += sc_time(double(d.jitter_ns), sc_core::SC_NS);
    if (arrival < fifo_tail_[from]) arrival = fifo_tail_[from];
    fifo_tail_[from] = arrival;
  }
  if (d.duplicate) {
    EthFrame copy = frame;
    enqueue(from, arrival + wire_time(copy.data.size()), std::move(copy));
  }
  enqueue(from, arrival, std::move(frame));
}

// The time a frame of `frame_len` bytes occupies the wire (the copy of a
// duplicated frame arrives that long after the original).
sc_time EthLink::wire_time(std::size_t frame_len) const {
  const double bits = 8.0 * (wire_bytes(frame_len) + kIfgBytes);
  return sc_time(bits * 1e3 / double(params_.rate_mbps), sc_core::SC_NS);
}

void EthLink::enqueue(Side from, const sc_time& arrival, EthFrame frame) {
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
