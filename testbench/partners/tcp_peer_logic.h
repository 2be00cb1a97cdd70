// TcpPeerLogic: the behavioural TCP endpoint at the far end of the link, as
// plain C++ with time passed in (the smoltcp style), so every RFC behaviour is
// a short test without a SystemC kernel. TcpPeer wraps it for the platform.
//
// It answers ARP requests for its IP (RFC 826), so firmware can resolve its
// MAC instead of being told it. It listens on its IP for SYNs from the NIC, answers with a SYN-ACK carrying
// the negotiated options, receives the stream and checks every byte against
// fw::PayloadPattern, ACKs like a Linux-style receiver (every ack_every
// segments, a delayed-ACK timer, immediately on anything unusual), advertises
// a window that follows a possibly slow reading application, and closes
// passively after the NIC's FIN. With params.response_bytes it also sends
// data (request/response, tcp_peer_send.cpp) for the NIC's receive path.
//
// Out-of-order segments within the window are kept (ranges only: their bytes
// are checked on arrival) and answered with an immediate duplicate ACK; the
// segment that fills a hole is ACKed at once (RFC 5681 section 4.2). With
// params.reassembly off they are dropped instead.
//
// Documented simplifications: SACK is not offered; an RST anywhere in the window closes the
// connection (RFC 5961's challenge ACK protects against blind attackers, of
// which a simulated cable has none); PAWS (RFC 7323 section 5) is not applied.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <queue>
#include <unordered_map>
#include <vector>

#include "model/proto/bytes.h"
#include "model/proto/seq.h"
#include "model/proto/tcp_frame.h"
#include "testbench/partners/peer_connection.h"
#include "testbench/partners/tcp_peer_params.h"

namespace toevp::tb {

inline constexpr std::size_t kFrameErrorCount = static_cast<std::size_t>(proto::FrameError::kBadOptions) + 1;

struct PeerStats {
  std::uint64_t frames_received = 0;  // every frame handed in, good or bad
  std::uint64_t frames_bad = 0;       // parse or checksum errors, dropped
  std::array<std::uint64_t, kFrameErrorCount> frames_bad_by_error{};  // index: FrameError
  std::uint64_t fcs_errors = 0;       // frames the MAC dropped for a bad FCS
  std::uint64_t frames_not_for_us = 0;  // other destination IP or MAC
  std::uint64_t frames_no_connection = 0;  // non-SYN segments for no open connection
  std::uint64_t syn_refused = 0;      // SYNs to a port we do not listen on
  std::uint64_t frames_sent = 0;
  std::uint64_t rst_sent = 0;
  std::uint64_t rst_received = 0;     // that closed a connection
  std::uint64_t arp_replies_sent = 0;  // answers to requests for params.ip
  std::uint64_t arp_ignored = 0;      // ARP packets asking for nothing of ours
  std::uint64_t arp_bad = 0;          // ARP frames that do not parse (also in frames_bad)
};

class TcpPeerLogic {
 public:
  static constexpr std::uint32_t kNoConnection = ~0u;
  struct Output {
    std::vector<std::uint8_t> frame;  // destination MAC .. end of TCP segment (no padding, no FCS)
    std::uint32_t conn = kNoConnection;  // index of the connection it belongs to
    bool has_ack = false;                // ACK flag set; ack is the acknowledgment number
    proto::Seq ack;
  };
  // Called for every segment the peer emits with ACK set: the logic's time,
  // the connection's index and the acknowledgment number.
  using AckCallback = std::function<void(std::int64_t now_ns, std::uint32_t conn, proto::Seq ack)>;

  explicit TcpPeerLogic(const TcpPeerParams& params);

  // A frame arrived (FCS already checked) at now_ns; returns what to send.
  std::vector<Output> on_frame(proto::ConstBytes frame, std::int64_t now_ns);
  // Timers due at or before now_ns.
  std::vector<Output> on_timer(std::int64_t now_ns);
  // Same, appending to `out` so the caller can reuse its capacity.
  void on_frame(proto::ConstBytes frame, std::int64_t now_ns, std::vector<Output>& out);
  void on_timer(std::int64_t now_ns, std::vector<Output>& out);
  // A frame the MAC dropped because its FCS did not match.
  void on_fcs_error() { ++stats_.fcs_errors; ++stats_.frames_received; }

  // Earliest pending deadline (delayed ACK, window update, retransmission).
  std::optional<std::int64_t> next_timer_ns();

  void set_on_ack_sent(AckCallback cb) { on_ack_sent_ = std::move(cb); }

  // params.framed_requests: the next request on the connection whose
  // pattern key is `key` is `request_bytes` long and is answered with
  // `response_bytes`. Announced by the client before it sends the request.
  void expect_request(std::uint32_t key, std::uint64_t request_bytes, std::uint64_t response_bytes);

  const TcpPeerParams& params() const { return params_; }
  const PeerStats& stats() const { return stats_; }
  std::size_t connection_count() const { return conns_.size(); }
  const PeerConnection& connection(std::size_t i) const { return conns_[i]; }
  // The newest connection with this 4-tuple, or nullptr.
  const PeerConnection* find(const ConnKey& key) const;
  // No connection has seen a byte that differs from the pattern.
  bool all_data_ok() const;

 private:
  // Segment processing (tcp_peer_receive.cpp), RFC 9293 section 3.10.7.
  void on_listen(const proto::TcpFrameView& v, const ConnKey& key);
  void on_segment(PeerConnection& c, const proto::TcpFrameView& v);
  bool acceptable(const PeerConnection& c, const proto::TcpFrameView& v) const;
  void reject(PeerConnection& c, const proto::TcpFrameView& v);
  bool process_ack(PeerConnection& c, const proto::TcpFrameView& v);
  void process_text(PeerConnection& c, const proto::TcpFrameView& v);
  void deliver(PeerConnection& c, proto::ConstBytes data);
  void advance(PeerConnection& c, std::uint64_t bytes);
  void check_pattern(PeerConnection& c, std::uint64_t offset, proto::ConstBytes data);
  void queue_out_of_order(PeerConnection& c, const proto::TcpFrameView& v);
  bool pull_reassembled(PeerConnection& c);
  void process_fin(PeerConnection& c);
  void update_ts_recent(PeerConnection& c, const proto::TcpFrameView& v);

  // Application reader and window (tcp_peer_window.cpp).
  void drain(PeerConnection& c);
  std::uint16_t advertise(PeerConnection& c);
  std::uint32_t sws_threshold() const;
  bool window_update_due(const PeerConnection& c) const;
  void plan_app_timer(PeerConnection& c);

  // ARP (tcp_peer_logic.cpp).
  void on_arp(proto::ConstBytes frame);

  // Timers and segment emission (tcp_peer_logic.cpp).
  void run_timers(PeerConnection& c);
  void settle(PeerConnection& c);
  void schedule(PeerConnection& c);
  void close(PeerConnection& c);
  PeerConnection& open(const proto::TcpFrameView& v, const ConnKey& key);
  void send_synack(PeerConnection& c);
  void send_ack(PeerConnection& c);
  void send_fin(PeerConnection& c);
  void send_rst(PeerConnection& c);
  void send_rst_reply(const proto::TcpFrameView& v);
  void emit(PeerConnection& c, std::uint8_t flags, proto::Seq seq, proto::TcpOptions options,
            std::uint16_t window, proto::ConstBytes payload = {});

  // Sending data (tcp_peer_send.cpp).
  void queue_responses(PeerConnection& c);
  std::uint64_t response_end_after(const PeerConnection& c, std::uint64_t offset) const;
  bool ends_response(const PeerConnection& c, std::uint64_t offset) const;
  void send_data(PeerConnection& c);
  void send_segment(PeerConnection& c, proto::Seq seq, std::uint32_t len);
  void on_data_timer(PeerConnection& c);
  void on_data_ack(PeerConnection& c, proto::Seq ack, bool duplicate_candidate);
  proto::TcpOptions timestamp_option(const PeerConnection& c) const;

  TcpPeerParams params_;
  PeerStats stats_;
  std::vector<PeerConnection> conns_;
  std::unordered_map<std::uint64_t, std::uint32_t> by_key_;
  using TimerEntry = std::pair<std::int64_t, std::uint32_t>;  // deadline, connection
  std::priority_queue<TimerEntry, std::vector<TimerEntry>, std::greater<TimerEntry>> timers_;
  AckCallback on_ack_sent_;
  // Framed requests announced and not yet received, per pattern key.
  std::unordered_map<std::uint32_t, std::deque<std::pair<std::uint64_t, std::uint64_t>>> expected_requests_;
  std::uint16_t ip_id_ = 0;
  std::vector<std::uint8_t> payload_;  // scratch for data segments

  // Context of the call in progress.
  std::int64_t now_ = 0;
  std::vector<Output>* out_ = nullptr;
};

}  // namespace toevp::tb
