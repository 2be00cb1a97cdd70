// ProtocolEngine: the TCP work of the offload engine (claims 4, 5, 6).
//
// Transmit: a round-robin scheduler over connections that have something to
// send picks one segment per pe.tx_cycles: at most one MSS, within the
// peer's window and the congestion window (RFC 5681), taken from the
// connection's message contexts in sequence order. It hands the segment to
// the cut-through DMA with the header fields and the host-memory pieces of
// its payload: the message stays in host memory (claim 1) and a
// retransmission re-reads it from there. A connection goes back to the tail
// of the ready list after each segment, so every connection with something
// to send gets one segment per round (docs/protocol.md, "Scheduler").
//
// ACK processing: a new ACK advances snd_una, frees every message context
// whose last byte is acked and posts SEND_DONE for each completed message,
// in order (claims 6, 7). Loss recovery: fast retransmit on the third
// duplicate ACK and NewReno fast recovery (proto::LossRecovery, RFC 5681
// 3.2, RFC 6582), retransmission timeout with back-off and go-back-N resend
// (RFC 6298), zero-window probing with the persist timer (RFC 9293 3.8.6.1).
//
// Receive: in-order data of an offloaded connection is DMA-written into the
// connection's POST_RECV buffers and reported with RECV_DONE; out-of-order
// data is dropped and answered with a duplicate ACK (the NIC keeps no
// reassembly memory; docs/protocol.md says why). ACKs follow RFC 1122
// 4.2.3.2 / RFC 5681 4.2: every second segment, else after pe.ack_delay_us.
//
// Teardown: CLOSE (FIN after the posted data), FIN/RST from the peer
// (CONN_EVENT), retransmission give-up (CONN_EVENT timeout, every held
// message completed with an error), UPLOAD_CONN (the live TCB written back
// to its slot, held messages completed ABORTED, the connection no longer
// served).
//
// The live TCB of each connection is held here (ConnState); the TcbCache
// charges the on-chip/off-chip movement of it.
//
// Fast mode (ProtocolEngineParams::fast, sim.mode = fast) runs the same
// decisions with temporal decoupling: protocol_engine_fast.cpp.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <queue>
#include <string>
#include <unordered_map>
#include <vector>

#include <systemc>
#include <tlm_utils/tlm_quantumkeeper.h>

#include "model/common/clock_domain.h"
#include "model/nic/completion_engine.h"
#include "model/nic/cut_through_dma.h"
#include "model/nic/message_context_table.h"
#include "model/nic/tcb_cache.h"
#include "model/proto/congestion_control.h"
#include "model/proto/loss_recovery.h"
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
  std::int64_t ack_delay_ns = 40'000;  // pe.ack_delay_us
  std::uint32_t mtu = 1500;            // mac.mtu: bounds the effective send MSS
  // sim.mode = fast: the transmit loop runs ahead of the kernel by up to the
  // TLM-2.0 global quantum, received segments are processed when delivered
  // (protocol_engine_fast.cpp).
  bool fast = false;
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
  std::vector<std::uint8_t> payload;  // the payload bytes (receive path)
};

struct ProtocolEngineStats {
  std::uint64_t segments_sent = 0;
  std::uint64_t retransmitted_segments = 0;
  std::uint64_t payload_bytes_sent = 0;
  std::uint64_t pure_acks_sent = 0;
  std::uint64_t rx_segments = 0;
  std::uint64_t acks_new = 0;
  std::uint64_t acks_duplicate = 0;   // RFC 5681 section 2 duplicate ACKs
  std::uint64_t acks_invalid = 0;     // ACK of something never sent
  std::uint64_t mss_clamped = 0;      // OFFLOADs whose PCB MSS exceeded what the MTU carries
  std::uint64_t fast_retransmits = 0; // recoveries entered on the third duplicate ACK
  std::uint64_t partial_ack_retransmits = 0;
  std::uint64_t timeouts = 0;
  std::uint64_t persist_probes = 0;   // zero-window probes sent
  std::uint64_t send_done = 0;
  std::uint64_t rtt_samples = 0;
  double rtt_sum_ns = 0;                   // of the samples (mean RTT = rtt_sum_ns / rtt_samples)
  // Receive path.
  std::uint64_t rx_data_segments = 0;
  std::uint64_t rx_data_bytes = 0;         // in-order bytes written to host buffers
  std::uint64_t rx_ooo_dropped = 0;        // segments beyond rcv_nxt, dropped
  std::uint64_t rx_duplicate_segments = 0; // entirely below rcv_nxt
  std::uint64_t rx_no_buffer_bytes = 0;    // in order but no posted buffer space: dropped
  std::uint64_t recv_done = 0;
  std::uint64_t delayed_acks = 0;          // ACKs sent by the delayed-ACK timer
  std::uint64_t uploads = 0;
  std::uint64_t connections_failed = 0;    // RST or retransmission give-up
  // RSTs that did not end a connection (RFC 5961 section 3, RFC 1337).
  std::uint64_t rst_challenged = 0;        // in the window but not at rcv_nxt: challenge ACK sent
  std::uint64_t rst_out_of_window = 0;     // outside the window: dropped
  std::uint64_t rst_ignored_time_wait = 0; // both FINs done: ignored
  std::uint64_t syn_challenged = 0;        // SYN on an offloaded connection: challenge ACK, dropped
  std::uint64_t rx_no_ack_dropped = 0;     // a segment without ACK (nor RST, SYN): dropped
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
  // POST_RECV for an offloaded connection: a host buffer for in-order data.
  void post_recv(std::uint16_t conn, std::uint64_t addr, std::uint32_t len, std::uint64_t cookie,
                 std::uint16_t sq_index);
  // UPLOAD_CONN (blocking, from an SC_THREAD): stops serving the connection,
  // waits until no segment of it is left unread in the DMA engine, writes the
  // live TCB back to its slot (state UPLOADED), completes held messages
  // ABORTED and posted receive buffers, then UPLOAD_DONE.
  void upload(std::uint16_t conn, std::uint16_t sq_index);
  // The live TCB as the 128-byte PCB layout (cache write-back, UPLOAD).
  void encode_tcb(std::uint16_t conn, std::uint8_t* out128) const;

  // --- receive side --------------------------------------------------------
  // Offloaded connection for this 4-tuple (seen from the NIC), if any.
  std::optional<std::uint16_t> lookup(std::uint32_t remote_ip, std::uint16_t remote_port,
                                      std::uint16_t local_port) const;
  void receive(std::uint16_t conn, RxSegment seg, const sc_core::sc_time& ready);
  // How received data reaches host memory: writes [data, data + len) at
  // `addr` no earlier than `ready`; returns when it has landed (MacRx
  // installs its DMA socket here). `ok` false on a DMA error.
  using RxDmaWriter = std::function<sc_core::sc_time(std::uint64_t addr, const std::uint8_t* data,
                                                     std::uint32_t len, const sc_core::sc_time& ready, bool& ok)>;
  void set_rx_dma_writer(RxDmaWriter w) { rx_dma_ = std::move(w); }

  const ProtocolEngineStats& stats() const { return stats_; }
  std::uint32_t connections_offloaded() const { return offloaded_count_; }
  // Contexts still linked to connections (0 at the end of a clean run).
  std::uint64_t contexts_linked() const;
  // Receive buffers posted and not yet completed, over all connections.
  std::uint64_t recv_buffers_held() const;
  // The connection's protocol state in one line (diagnostics of a test that stalls).
  std::string describe(std::uint16_t conn) const;

 private:
  enum TimerKind : std::uint8_t { kRtoTimer, kPersistTimer, kDelackTimer, kTimerKinds };
  struct Timer {
    sc_core::sc_time deadline;
    std::uint64_t gen = 0;
    bool armed = false;
  };
  struct RecvBuffer {
    std::uint64_t addr = 0;
    std::uint32_t len = 0;
    std::uint32_t filled = 0;
    std::uint64_t cookie = 0;
    std::uint16_t sq_index = 0;
    sc_core::sc_time landed;  // when the last write into it lands in host memory
  };
  struct ConnState {
    bool offloaded = false;
    bool uploading = false;   // UPLOAD_CONN in progress: nothing more is sent
    proto::Tcb tcb;
    std::unique_ptr<proto::CongestionControl> cc;
    std::unique_ptr<proto::LossRecovery> lr;
    std::unique_ptr<proto::RtoEstimator> rto;
    proto::Seq snd_end{0};       // sequence number after the last posted byte
    // After an UPLOAD and a new OFFLOAD: the previous incarnation sent up to
    // here (the uploaded PCB's snd_max), so the peer may ACK up to it before
    // this incarnation has resent those bytes. Equal to snd_nxt at OFFLOAD
    // otherwise. Never extends what is acceptable beyond the posted data.
    proto::Seq sent_before_offload{0};
    std::uint32_t ctx_head = kNoContext, ctx_tail = kNoContext;
    std::uint32_t tx_ctx = kNoContext;  // context holding snd_nxt (a cursor)
    std::uint64_t contexts = 0;
    std::uint32_t messages = 0;  // messages posted and not yet completed
    bool in_ready_list = false;
    Timer timers[kTimerKinds];
    std::uint32_t retries = 0;         // RTOs in a row (RFC 6298 5.5 back-offs)
    bool retransmit_now = false;       // fast retransmit / partial ACK: resend at snd_una
    bool probe_now = false;            // the persist timer asks for a zero-window probe
    bool rto_on_handoff = false;       // the segment being sent starts the idle retransmission timer
    unsigned persist_backoff = 0;
    // RTT timing without timestamps (Karn's algorithm, RFC 6298 section 3).
    bool rtt_timing = false;
    proto::Seq rtt_seq{0};
    sc_core::sc_time rtt_start;
    // Window update bookkeeping (RFC 9293 section 3.10.7.4: SND.WL1, SND.WL2).
    proto::Seq snd_wl1{0}, snd_wl2{0};
    // Receive side.
    std::deque<RecvBuffer> recv_buffers;
    std::uint64_t recv_free = 0;   // unfilled bytes of the posted buffers
    std::uint64_t recv_posted = 0; // bytes of the posted buffers not yet completed (RFC 9293's RCV.BUFF)
    proto::Seq rcv_adv{0};         // right edge of the window advertised (never moves left)
    unsigned unacked_segments = 0; // data segments received since our last ACK
    // Teardown.
    bool close_requested = false;
    std::uint16_t close_sq_index = 0;
    bool fin_sent = false;      // the FIN went out at least once
    bool fin_acked = false;
    bool ack_pending = false;   // an ACK is owed to the peer now
    bool peer_fin = false;
  };

  // The engine's time: the kernel's, plus the local time a fast-mode
  // activation has run ahead (always zero in cycle mode, and zero whenever
  // another process runs: the fast paths synchronize before they yield).
  sc_core::sc_time now() const { return sc_core::sc_time_stamp() + local_; }

  // Fast mode (protocol_engine_fast.cpp).
  void tx_loop_fast();
  void sync_tx();
  void receive_now(std::uint16_t conn, const RxSegment& seg, const sc_core::sc_time& ready);

  // Transmit (protocol_engine.cpp).
  void tx_thread();
  void make_ready(std::uint16_t conn);
  bool build_segment(std::uint16_t conn, ConnState& c, TxDescriptor& d);
  bool build_retransmission(std::uint16_t conn, ConnState& c, TxDescriptor& d);
  bool build_probe(std::uint16_t conn, ConnState& c, TxDescriptor& d);
  void fill_header(std::uint16_t conn, ConnState& c, proto::Seq seq, std::uint32_t len, std::uint8_t flags,
                   TxDescriptor& d);
  void gather(ConnState& c, proto::Seq seq, std::uint32_t len, std::vector<GatherPiece>& out);
  void count_sent(ConnState& c, const TxDescriptor& d);
  bool next_segment(std::uint16_t& conn, TxDescriptor& d);
  std::uint32_t now_ts(const ConnState& c) const;
  std::uint16_t rcv_window_field(ConnState& c);
  std::uint32_t max_rcv_window(const ConnState& c) const;
  proto::Seq rcv_open_edge(const ConnState& c) const;
  bool rcv_edge_may_move(const ConnState& c, proto::Seq edge) const;
  std::uint32_t rcv_window_told(const ConnState& c) const;
  void wait_dma_drained();

  // Receive (protocol_engine_rx.cpp).
  void rx_thread();
  void process(std::uint16_t conn, ConnState& c, const RxSegment& seg);
  void process_ack(std::uint16_t conn, ConnState& c, const RxSegment& seg);
  void process_reset(std::uint16_t conn, ConnState& c, const RxSegment& seg);
  bool is_duplicate_ack(const ConnState& c, const RxSegment& seg) const;
  void on_new_ack(std::uint16_t conn, ConnState& c, proto::Seq ack, const RxSegment& seg);
  void free_acked_contexts(std::uint16_t conn, ConnState& c);
  void accept_data(std::uint16_t conn, ConnState& c, const RxSegment& seg);
  std::uint32_t place_data(std::uint16_t conn, ConnState& c, const std::uint8_t* data, std::uint32_t len);
  void complete_recv_buffer(std::uint16_t conn, ConnState& c, abi::Status status, const sc_core::sc_time& landed);
  void on_peer_fin(std::uint16_t conn, ConnState& c);
  void schedule_ack(std::uint16_t conn, ConnState& c);

  // Timers and endings (protocol_engine_timers.cpp).
  void timer_method();
  void arm_timer(std::uint16_t conn, ConnState& c, TimerKind kind, std::int64_t after_ns);
  void stop_timer(ConnState& c, TimerKind kind);
  void stop_all_timers(ConnState& c);
  void on_rto(std::uint16_t conn, ConnState& c);
  void on_persist(std::uint16_t conn, ConnState& c);
  void on_delack(std::uint16_t conn, ConnState& c);
  void fire_timer(std::uint16_t conn, ConnState& c, TimerKind kind);
  bool timer_live(std::uint16_t conn, TimerKind kind, std::uint64_t gen) const;
  void on_expiry_event(std::uint16_t conn, TimerKind kind, std::uint64_t gen);
  void start_rto_after_handoff(std::uint16_t conn, ConnState& c);
  void start_persist(std::uint16_t conn, ConnState& c);
  void give_up(std::uint16_t conn, ConnState& c, abi::Status status, abi::ConnEvent ev);
  void release_all(std::uint16_t conn, ConnState& c, abi::Status status, const sc_core::sc_time& at);
  void stop_serving(std::uint16_t conn, ConnState& c);
  void finish_if_closed(std::uint16_t conn, ConnState& c);

  ProtocolEngineParams params_;
  const ClockDomain& core_;
  TcbCache& tcb_cache_;
  MessageContextTable& contexts_;
  CutThroughDma& dma_;
  CompletionEngine& completions_;
  RxDmaWriter rx_dma_;
  std::unordered_map<std::uint16_t, ConnState> conns_;
  std::unordered_map<std::uint64_t, std::uint16_t> by_tuple_;
  std::deque<std::uint16_t> ready_;
  sc_core::sc_event ready_event_;
  // An event of the receive pipeline: a segment from MacRx, or (cycle mode)
  // the expiry of a retransmission or persist timer, queued behind the
  // segments that arrived before it (see timer_method).
  struct RxItem {
    std::uint16_t conn;
    RxSegment seg;
    sc_core::sc_time ready;
    TimerKind expired = kTimerKinds;  // kTimerKinds: a segment
    std::uint64_t gen = 0;            // the expired timer's generation
  };
  std::deque<RxItem> rx_queue_;
  sc_core::sc_event rx_event_;
  struct TimerEntry {
    sc_core::sc_time deadline;
    std::uint16_t conn;
    TimerKind kind;
    std::uint64_t gen;
    bool operator>(const TimerEntry& o) const { return deadline > o.deadline; }
  };
  std::priority_queue<TimerEntry, std::vector<TimerEntry>, std::greater<TimerEntry>> timers_;
  sc_core::sc_event timer_event_;
  std::uint32_t offloaded_count_ = 0;
  std::uint64_t timer_gen_ = 0;        // unique per arming, so stale heap entries never match
  std::uint64_t segments_pushed_ = 0;  // segment descriptors handed to the DMA engine
  // Fast mode.
  sc_core::sc_time local_;               // see now()
  tlm_utils::tlm_quantumkeeper tx_qk_;   // the transmit loop's local time
  sc_core::sc_time rx_busy_until_;       // receive processing, one segment per pe.rx_cycles
  ProtocolEngineStats stats_;
};

}  // namespace toevp::model
