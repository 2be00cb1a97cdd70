// Configuration of the TCP peer model (TcpPeerLogic and its SystemC wrapper
// TcpPeer): who the peer is on the wire, what it negotiates, and how its
// receiving application behaves. The defaults are the reference design point
// of DESIGN.md: ACK every second segment, a 40 us delayed-ACK timer, a 4 MiB
// receive buffer read instantly.
#pragma once

#include <cstdint>

namespace toevp::tb {

struct TcpPeerParams {
  std::uint64_t mac = 0x02'00'00'00'00'02;  // 48 bits, first wire byte most significant
  std::uint32_t ip = 0x0A'00'00'02;         // 10.0.0.2

  // Passive open on every local port in [listen_port_lo, listen_port_hi]; a
  // SYN to another port is refused with RST (RFC 9293 section 3.10.7.1).
  std::uint16_t listen_port_lo = 1;
  std::uint16_t listen_port_hi = 65535;

  std::uint16_t mss = 1460;  // advertised in the SYN-ACK
  std::uint8_t wscale = 7;   // our receive shift, sent only if the SYN offered one (RFC 7323 2.2)
  bool timestamps = true;    // accept timestamps when the SYN offers them (RFC 7323 3.2)

  // The receiving application: a buffer of rcv_buffer_bytes drained at
  // app_read_mbps (0: every byte is read the moment it is delivered).
  std::uint32_t rcv_buffer_bytes = 4u << 20;
  std::uint64_t app_read_mbps = 0;

  // Request/response: the peer sends response_bytes of data (the pattern of
  // key fw::kReverseStreamKeyBase + connection key, at its own stream
  // offset) for every request_bytes it has received; request_bytes 0: one
  // response as soon as the connection is established. 0: never sends data.
  // The last segment of each response carries PSH. The sender is simple:
  // a fixed window (send_window_bytes, within the NIC's window), go-back-N
  // from snd_una on a timeout or the third duplicate ACK (the NIC drops
  // out-of-order data anyway), and a persist timer for a closed window.
  std::uint64_t response_bytes = 0;
  std::uint64_t request_bytes = 0;
  // Framed requests (the `workload` program's request/response): the
  // requests and their response sizes are the ones announced, in order per
  // connection, through TcpPeerLogic::expect_request, since a request's size
  // cannot be read off its pattern bytes; request_bytes and response_bytes
  // are then unused. A response of 0 bytes sends nothing.
  bool framed_requests = false;
  std::uint32_t send_window_bytes = 1u << 20;

  // Out-of-order segments within the window are kept and delivered once the
  // hole is filled, as Linux does (false: dropped, the NIC must resend them).
  bool reassembly = true;

  // ACK policy (RFC 1122 section 4.2.3.2, RFC 5681 section 4.2): an ACK at
  // least every ack_every data segments, else after delayed_ack_ns.
  unsigned ack_every = 2;
  std::int64_t delayed_ack_ns = 40'000;

  // Time from a frame's last bit arriving to the peer acting on it, in whole
  // nanoseconds (the SystemC wrapper applies it; 0: acts at arrival).
  std::int64_t turnaround_ns = 0;

  // Every in-order byte is checked against fw::PayloadPattern with the key
  // (NIC-side TCP port - pattern_port_base) at its stream offset.
  bool check_pattern = true;
  std::uint16_t pattern_port_base = 0;

  // Seeds the initial sequence numbers and timestamp clock offsets, so runs
  // repeat exactly (printed by tests on failure).
  std::uint64_t iss_seed = 1;

  // Fault hook: once a connection has received this many bytes the peer
  // aborts it with RST (0: never).
  std::uint64_t rst_after_bytes = 0;

  // Retransmission of our SYN-ACK and FIN when the link loses them: fixed
  // initial timeout doubled per attempt (RFC 6298 section 5.5), then give up.
  std::int64_t rto_ns = 1'000'000;
  unsigned max_retries = 6;
};

}  // namespace toevp::tb
