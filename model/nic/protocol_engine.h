// ProtocolEngine: the TCP work of the offload engine (claims 4, 5, 6).
//
// Transmit: a round-robin scheduler over connections that have something to
// send picks one segment per pe.tx_cycles: at most one MSS, within the
// peer's window and the congestion window (RFC 5681), taken from the
// connection's message contexts in sequence order. It hands the segment to
// the cut-through DMA with the header fields and the host-memory pieces of
// its payload: the message stays in host memory (claim 1) and a
// retransmission re-reads it from there.
//
// Receive/ACK: each segment from the peer (after MacRx) costs pe.rx_cycles;
// a new ACK advances snd_una, frees every message context whose last byte is
// acked and posts SEND_DONE for each completed message, in order (claim 6,
// 7). Retransmission on RTO (RFC 6298) restarts from snd_una (go-back-N).
//
// The live TCB of each connection is held here (ConnState); the TcbCache
// charges the on-chip/off-chip movement of it.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <queue>
#include <unordered_map>
#include <vector>

#include <systemc>

#include "model/common/clock_domain.h"
#include "model/nic/completion_engine.h"
#include "model/nic/cut_through_dma.h"
#include "model/nic/message_context_table.h"
#include "model/nic/tcb_cache.h"
#include "model/proto/congestion_control.h"
#include "model/proto/rto_estimator.h"
#include "model/proto/tcb.h"

namespace toevp::model {

struct ProtocolEngineParams {
  std::uint64_t tx_cycles = 4;
  std::uint64_t rx_cycles = 4;
  std::uint32_t initial_cwnd_segments = 10;
  std::int64_t rto_initial_ns = 1'000'000;
  std::int64_t rto_min_ns = 200'000;
  std::int64_t rto_max_ns = 60'000'000'000;
  std::uint32_t max_retries = 15;
};

// A segment from the peer, as the receive parser hands it over.
struct RxSegment {
  proto::Seq seq{0};
  proto::Seq ack{0};
  std::uint8_t flags = 0;
  std::uint16_t window = 0;
  std::uint32_t payload_len = 0;
  bool has_ts = false;
  std::uint32_t tsval = 0;
  std::uint32_t tsecr = 0;
};

struct ProtocolEngineStats {
  std::uint64_t segments_sent = 0;
  std::uint64_t retransmitted_segments = 0;
  std::uint64_t payload_bytes_sent = 0;
  std::uint64_t rx_segments = 0;
  std::uint64_t acks_new = 0;
  std::uint64_t acks_duplicate = 0;
  std::uint64_t acks_invalid = 0;     // ACK of something never sent
  std::uint64_t rx_data_ignored = 0;  // payload bytes received (receive path not offloaded yet)
  std::uint64_t timeouts = 0;
  std::uint64_t send_done = 0;
  std::uint64_t rtt_samples = 0;
};

class ProtocolEngine : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(ProtocolEngine);
  ProtocolEngine(sc_core::sc_module_name name, const ProtocolEngineParams& params, const ClockDomain& core,
                 TcbCache& tcb_cache, MessageContextTable& contexts, CutThroughDma& dma,
                 CompletionEngine& completions);

  // --- command processor side -------------------------------------------
  bool offloaded(std::uint16_t conn) const;
  bool closing(std::uint16_t conn) const;
  // Starts serving a connection from its PCB (decoded from the bytes the NIC
  // read from host memory). Returns false if the PCB is not usable.
  bool offload(std::uint16_t conn, const proto::Tcb& pcb, std::string& why);
  // Sequence number the next posted byte of `conn` will get.
  proto::Seq next_post_seq(std::uint16_t conn) const;
  // Links a context (already holding host address, length, start_seq,
  // cookie) to the tail of the connection's list and wakes the scheduler.
  void append_context(std::uint16_t conn, std::uint32_t ctx);
  // CLOSE: FIN after all posted data; CONN_EVENT closed when it is acked.
  void close(std::uint16_t conn, std::uint16_t sq_index);
  // The live TCB as the 128-byte PCB layout (cache write-back, UPLOAD).
  void encode_tcb(std::uint16_t conn, std::uint8_t* out128) const;

  // --- receive side --------------------------------------------------------
  // Offloaded connection for this 4-tuple (seen from the NIC), if any.
  std::optional<std::uint16_t> lookup(std::uint32_t remote_ip, std::uint16_t remote_port,
                                      std::uint16_t local_port) const;
  void receive(std::uint16_t conn, const RxSegment& seg, const sc_core::sc_time& ready);

  const ProtocolEngineStats& stats() const { return stats_; }
  std::uint32_t connections_offloaded() const { return offloaded_count_; }
  // Contexts still linked to connections (0 at the end of a clean run).
  std::uint64_t contexts_linked() const;

 private:
  struct ConnState {
    bool offloaded = false;
    proto::Tcb tcb;
    std::unique_ptr<proto::CongestionControl> cc;
    std::unique_ptr<proto::RtoEstimator> rto;
    proto::Seq snd_end{0};       // sequence number after the last posted byte
    std::uint32_t ctx_head = kNoContext, ctx_tail = kNoContext;
    std::uint32_t tx_ctx = kNoContext;  // context holding snd_nxt (a cursor)
    std::uint64_t contexts = 0;
    bool in_ready_list = false;
    // Retransmission timer (RFC 6298 section 5).
    sc_core::sc_time rto_deadline;
    std::uint64_t timer_gen = 0;
    bool timer_armed = false;
    std::uint32_t retries = 0;
    // RTT timing without timestamps (Karn's algorithm, RFC 6298 section 3).
    bool rtt_timing = false;
    proto::Seq rtt_seq{0};
    sc_core::sc_time rtt_start;
    // Window update bookkeeping (RFC 9293 section 3.10.7.4: SND.WL1, SND.WL2).
    proto::Seq snd_wl1{0}, snd_wl2{0};
    // Teardown.
    bool close_requested = false;
    std::uint16_t close_sq_index = 0;
    bool fin_sent = false;
    bool fin_acked = false;
    bool ack_pending = false;   // a pure ACK is owed to the peer
    bool peer_fin = false;
  };

  void tx_thread();
  void rx_thread();
  void timer_method();
  void make_ready(std::uint16_t conn);
  bool build_segment(std::uint16_t conn, ConnState& c, TxDescriptor& d);
  void gather(ConnState& c, proto::Seq seq, std::uint32_t len, std::vector<GatherPiece>& out);
  void process(std::uint16_t conn, ConnState& c, const RxSegment& seg);
  void on_new_ack(std::uint16_t conn, ConnState& c, proto::Seq ack, const RxSegment& seg);
  void free_acked_contexts(std::uint16_t conn, ConnState& c);
  void arm_timer(std::uint16_t conn, ConnState& c);
  void stop_timer(ConnState& c) { ++c.timer_gen; c.timer_armed = false; }
  void on_timeout(std::uint16_t conn, ConnState& c);
  void give_up(std::uint16_t conn, ConnState& c, abi::Status status, abi::ConnEvent ev);
  std::uint32_t now_ts(const ConnState& c) const;
  std::uint16_t rcv_window_field(const ConnState& c) const;

  ProtocolEngineParams params_;
  const ClockDomain& core_;
  TcbCache& tcb_cache_;
  MessageContextTable& contexts_;
  CutThroughDma& dma_;
  CompletionEngine& completions_;
  std::unordered_map<std::uint16_t, ConnState> conns_;
  std::unordered_map<std::uint64_t, std::uint16_t> by_tuple_;
  std::deque<std::uint16_t> ready_;
  sc_core::sc_event ready_event_;
  struct RxItem {
    std::uint16_t conn;
    RxSegment seg;
    sc_core::sc_time ready;
  };
  std::deque<RxItem> rx_queue_;
  sc_core::sc_event rx_event_;
  struct TimerEntry {
    sc_core::sc_time deadline;
    std::uint16_t conn;
    std::uint64_t gen;
    bool operator>(const TimerEntry& o) const { return deadline > o.deadline; }
  };
  std::priority_queue<TimerEntry, std::vector<TimerEntry>, std::greater<TimerEntry>> timers_;
  sc_core::sc_event timer_event_;
  std::uint32_t offloaded_count_ = 0;
  ProtocolEngineStats stats_;
};

}  // namespace toevp::model
