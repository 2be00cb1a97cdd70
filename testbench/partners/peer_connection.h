// One TCP connection of the peer model as TcpPeerLogic keeps it: the RFC 9293
// send/receive variables of the passive (listening) side, the receiving
// application's buffer, the timers, and the statistics tests read. Plain data:
// TcpPeerLogic runs the state machine; callers only read it.
#pragma once

#include <cstdint>
#include <deque>
#include <limits>
#include <map>
#include <optional>

#include "model/proto/seq.h"

namespace toevp::tb {

// The states a passive opener that closes passively goes through (RFC 9293
// section 3.3.2): LISTEN is the peer itself, not a connection.
enum class TcpState : std::uint8_t { kSynReceived, kEstablished, kCloseWait, kLastAck, kClosed };

const char* to_string(TcpState s);

inline constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();

// The 4-tuple as seen from the peer (its own IP is fixed).
struct ConnKey {
  std::uint32_t remote_ip = 0;
  std::uint16_t remote_port = 0;  // the NIC's port
  std::uint16_t local_port = 0;   // the peer's port

  std::uint64_t packed() const {
    return (std::uint64_t{remote_ip} << 32) | (std::uint64_t{remote_port} << 16) | local_port;
  }
  bool operator==(const ConnKey&) const = default;
};

struct ConnStats {
  std::uint64_t bytes_delivered = 0;     // in-order bytes given to the application
  std::uint64_t segments = 0;            // segments that delivered at least one new byte
  std::uint64_t duplicate_segments = 0;  // segments entirely below rcv_nxt
  std::uint64_t duplicate_bytes = 0;     // payload bytes already received (whole or partial)
  std::uint64_t ooo_dropped = 0;         // in-window segments beyond rcv_nxt, dropped (no reassembly)
  std::uint64_t ooo_queued = 0;          // in-window segments beyond rcv_nxt, kept for reassembly
  std::uint64_t holes_filled = 0;        // in-order segments after which queued data followed
  std::uint64_t out_of_window = 0;       // segments beyond the advertised window, dropped
  std::uint64_t zero_window_probes = 0;  // data offered while the window was zero
  std::uint64_t acks_sent = 0;           // every segment we sent carrying ACK
  std::uint64_t window_zero_events = 0;  // times the advertised window went to 0
  std::uint64_t retransmissions = 0;     // SYN-ACK and FIN retransmissions
  bool data_ok = true;                   // every delivered byte matched the pattern
  std::optional<std::uint64_t> first_bad_offset;  // stream offset of the first mismatch
  bool fin_received = false;
  std::uint64_t fin_offset = 0;          // stream offset of the FIN (= bytes before it)
  bool rst_received = false;
  bool rst_sent = false;
  bool gave_up = false;                  // retransmissions exhausted
  // Sending (request/response workload, tcp_peer_send.cpp).
  std::uint64_t responses_queued = 0;    // responses the application asked to send
  std::uint64_t data_bytes_sent = 0;     // first transmissions
  std::uint64_t data_segments_resent = 0;
  std::uint64_t data_timeouts = 0;
  std::uint64_t go_back_n = 0;           // resends from snd_una on the third duplicate ACK
  std::uint64_t window_probes_sent = 0;
  std::int64_t established_ns = -1;
  std::int64_t closed_ns = -1;

  // The NIC's FIN came right after exactly `expected` correct bytes.
  bool fin_after(std::uint64_t expected) const {
    return fin_received && fin_offset == expected && bytes_delivered == expected && data_ok;
  }
};

struct PeerConnection {
  std::uint32_t index = 0;     // position in TcpPeerLogic's table, stable
  ConnKey key;
  std::uint64_t remote_mac = 0;
  std::uint32_t pattern_key = 0;
  TcpState state = TcpState::kSynReceived;

  // RFC 9293 section 3.3.1 variables.
  proto::Seq iss, snd_una, snd_nxt;
  proto::Seq irs, rcv_nxt;
  proto::Seq rcv_adv;          // right edge of the window we advertised (never moves left)
  std::uint32_t snd_wnd = 0;   // the NIC's window, scaled
  bool wscale_on = false;      // the SYN offered window scaling (RFC 7323 2.2)
  std::uint8_t snd_wscale = 0; // the NIC's shift (0 when not negotiated)
  std::uint8_t rcv_wscale = 0; // our shift (0 when not negotiated)
  std::uint16_t peer_mss = 536;  // the NIC's MSS option (RFC 9293 3.7.1 default)
  std::uint16_t last_window_field = 0;

  // Timestamps (RFC 7323 section 4.3).
  bool ts_on = false;
  std::uint32_t ts_offset = 0;
  std::uint32_t ts_recent = 0;
  proto::Seq last_ack_sent;

  // Out-of-order data held for reassembly (RFC 9293 section 3.10.7.4,
  // seventh check): stream offsets [start, end) beyond bytes_delivered,
  // disjoint and not adjacent. The bytes were checked against the pattern on
  // arrival, so only the ranges are kept.
  std::map<std::uint64_t, std::uint64_t> ooo;
  std::optional<std::uint64_t> ooo_fin;  // stream offset of a FIN that came out of order

  // ACK policy.
  unsigned unacked_segments = 0;
  std::int64_t delack_at = kNever;

  // Receiving application: bytes delivered but not yet read, and its reader.
  std::uint64_t buffered = 0;
  std::int64_t app_last_ns = 0;
  std::uint64_t app_credit = 0;  // bit-nanoseconds * Mb/s not yet a whole byte
  std::int64_t app_at = kNever;  // next time the reader changes something we act on
  bool close_pending = false;    // FIN received; our FIN waits for the reader

  // Retransmission of SYN-ACK / FIN / data, or the persist timer.
  std::int64_t rto_at = kNever;
  unsigned retries = 0;
  bool persist = false;        // rto_at is the persist timer (window closed, nothing in flight)

  // Sending: bytes [0, tx_queued) of our stream are queued by the
  // application; snd_max is one past the highest sequence sent.
  std::uint64_t tx_queued = 0;
  // Framed requests: the receive stream offset where the next request
  // starts, and the send stream offsets where queued responses end (those
  // not yet acknowledged; a segment never crosses one and the last segment
  // of each carries PSH).
  std::uint64_t next_request_offset = 0;
  std::deque<std::uint64_t> response_ends;
  proto::Seq snd_max;
  unsigned dupacks = 0;
  proto::Seq data_end() const { return iss + 1 + static_cast<std::uint32_t>(tx_queued); }
  bool tx_done() const { return snd_una == data_end(); }

  std::int64_t scheduled_at = kNever;  // the timer-heap entry that is current

  ConnStats stats;

  std::int64_t next_deadline() const {
    std::int64_t t = delack_at < app_at ? delack_at : app_at;
    return rto_at < t ? rto_at : t;
  }
};

}  // namespace toevp::tb
