// The toevp driver: the firmware-side library every example program uses to
// run the NIC through HostInterface, written only against the register map
// (model/abi/toevp_regs.h) and the ABI (model/abi/abi.h, docs/abi.md).
//
// Life of a program:
//   Driver drv(host);
//   drv.init(config);                  // identify, allocate rings, enable
//   drv.connect(params);               // handshake via RAW_TX/RAW_RX, OFFLOAD_CONN
//   drv.post_send(conn, addr, len, c); // any number, then one doorbell:
//   drv.ring();
//   Completion c;
//   while (drv.wait_completion(c, timeout_ns)) { ... }  // SEND_DONE, ERROR, ...
//   drv.close(conn);
//
// Completions: the driver reaps the completion ring (phase bit, one CQ_HEAD
// write per batch), handles what is its own business (RAW_TX_DONE frees a raw
// transmit buffer, RAW_RX feeds the ARP agent and the handshake and is
// reposted, OFFLOAD_DONE and UPLOAD_DONE finish connect()/upload()) and queues
// the rest (SEND_DONE, RECV_DONE, CONN_EVENT, ERROR) for the caller to drain
// with next_completion() or wait_completion(). There are no callbacks, so a
// caller never re-enters the driver from inside the reaping loop (ARP
// answers, too, are posted after it). Every ERROR completion is also logged
// with its status name (error_log()).
//
// Waiting: wait_interrupt() with a bounded timeout when interrupts are on,
// then the ring is polled anyway (an interrupt may be moderated or lost);
// delay_ns() between polls when they are off. A blocked submission (ring
// full) keeps reaping completions, since the NIC may itself be waiting for
// completion-ring space. Every wait has a time limit: nothing here hangs.
//
// ARP (RFC 826, firmware/arp.h): the driver answers ARP requests for every
// IPv4 address it owns (DriverConfig::local_ip, and the local_ip of every
// connection from its connect() on) whenever it reaps completions, and
// connect() resolves a peer MAC given as all zeros (resolve()).
//
// Not thread-safe: one Driver per firmware thread.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "firmware/abi_strings.h"
#include "firmware/active_open.h"
#include "firmware/arp.h"
#include "firmware/entries.h"
#include "firmware/host_interface.h"
#include "firmware/pcb.h"
#include "firmware/rings.h"
#include "model/proto/bytes.h"

namespace toevp::fw {

using Completion = Cqe;

// ARP resolution (Driver::resolve). Linux sends 3 requests 1 s apart
// (net.ipv4.neigh.*.mcast_solicit, retrans_time_ms); a simulated host waits
// 1 ms, like the driver's first SYN timeout: that is about 200 round trips of
// the reference design point, and behind the TAP bridge Linux's reply is back
// within a quantum or two (20 us each), so a missing peer costs 3 ms of
// simulated time, not 3 s.
struct ArpConfig {
  unsigned tries = 3;                  // requests sent before giving up (at least 1)
  std::uint64_t retry_ns = 1'000'000;  // wait for the reply after each request
  std::uint32_t cache_entries = 64;    // neighbour cache size (at least 1)
};

struct DriverConfig {
  std::uint32_t sq_entries = 256;    // power of two, 2..65536
  std::uint32_t cq_entries = 1024;   // power of two, 2..65536
  std::uint32_t tcb_entries = 64;    // connections (TCB table slots), at most 65535
  std::uint32_t raw_rx_buffers = 16; // posted for RAW_RX frames
  std::uint32_t raw_tx_buffers = 8;  // RAW_TX frames in flight
  std::uint32_t raw_buffer_bytes = 0;     // 0: CAP_MTU + 14 rounded up to 64
  bool interrupts = true;                 // CTRL.INT_ENABLE and wait_interrupt()
  std::uint32_t int_moderation_cycles = 0;
  std::uint64_t interrupt_wait_ns = 100'000;  // longest wait before polling anyway
  std::uint64_t poll_interval_ns = 1'000;     // sleep between polls without interrupts
  std::uint64_t command_timeout_ns = 10'000'000;  // ring-full and buffer waits
  std::uint64_t seed = 1;  // initial sequence numbers, timestamp bases, IPv4 IDs
  // post_send refuses a buffer that overlaps one the NIC still owns (posted,
  // no SEND_DONE yet). The NIC cannot tell: it only reads the bytes, and a
  // retransmission re-reads them, so the danger is the host rewriting a
  // buffer after the first SEND_DONE while the second SEND still needs it
  // (docs/firmware_guide.md, "Double posting").
  bool refuse_double_post = true;
  // The host's own address, answered for in ARP from init() on, before any
  // connection exists (connect() adds each connection's local address).
  // local_ip 0: none; then local_mac must be a unicast MAC.
  std::uint32_t local_ip = 0;
  MacAddr local_mac{};
  ArpConfig arp;
};

// What init() read from the identity and capability registers.
struct DeviceInfo {
  std::uint32_t id = 0;
  std::uint32_t version = 0;
  std::uint32_t ctx_entries = 0;
  std::uint32_t tcb_cache_entries = 0;
  std::uint32_t tcb_cache_ways = 0;
  std::uint32_t mtu = 0;
};

// The driver's view of a connection (TCB table slot).
enum class ConnState : std::uint8_t {
  kFree,        // never used, or given up
  kConnecting,  // handshake through the raw path
  kOffloading,  // OFFLOAD_CONN posted, waiting for OFFLOAD_DONE
  kEstablished, // served by the NIC
  kClosing,     // CLOSE posted
  kClosed,      // CONN_EVENT CLOSED, RST_RECEIVED or TIMEOUT
  kUploading,   // UPLOAD_CONN posted
  kUploaded,    // UPLOAD_DONE: the live TCB is back in the slot
};
const char* to_string(ConnState state);

struct DriverStats {
  std::uint64_t submissions = 0;
  std::uint64_t doorbells = 0;
  std::uint64_t completions = 0;
  std::uint64_t cq_head_writes = 0;
  std::uint64_t interrupts = 0;
  std::uint64_t sq_full_waits = 0;
  std::uint64_t raw_tx_frames = 0;
  std::uint64_t raw_rx_frames = 0;
  std::uint64_t raw_rx_unclaimed = 0;  // no handshake and no raw handler took them
  std::uint64_t syn_retransmits = 0;
  std::uint64_t errors = 0;            // ERROR completions
  std::uint64_t double_posts_refused = 0;
  std::uint64_t arp_requests_sent = 0;     // by resolve(), retries included
  std::uint64_t arp_replies_sent = 0;      // answers to requests for our addresses
  std::uint64_t arp_replies_received = 0;  // replies to one of our addresses (cached)
  std::uint64_t arp_ignored = 0;           // ARP frames that asked nothing of us
  std::uint64_t arp_malformed = 0;         // truncated, bad lengths or sender: dropped
  std::uint64_t arp_replies_dropped = 0;   // answers that found no room (see reap())
};

class Driver {
 public:
  explicit Driver(HostInterface& host);

  // Checks ID/VERSION, reads the capabilities, allocates and zeroes the rings,
  // the TCB table and the raw buffers, programs every ring/interrupt register,
  // sets CTRL.ENABLE (and INT_ENABLE) and posts the raw receive buffers.
  // Returns false with last_error() set if the device is not a toevp, refuses
  // the configuration (ERR_STATUS) or memory runs out.
  bool init(const DriverConfig& config);

  const DeviceInfo& device() const { return device_; }
  const DriverConfig& config() const { return config_; }
  const std::string& last_error() const { return last_error_; }
  const std::vector<std::string>& error_log() const { return error_log_; }
  const DriverStats& stats() const { return stats_; }

  // --- connections --------------------------------------------------------
  // Active open of params.conn_id (blocking). With params.peer_mac all zeros
  // the peer's MAC is resolve()d first (ARP failure: false, last_error()
  // "ARP: no reply from 10.0.0.2 after 3 tries"); params.local_ip becomes an
  // address the driver answers ARP for. Then SYN via RAW_TX, retransmitted
  // after syn_timeout_ns (doubling) up to syn_tries times; on the SYN-ACK the
  // final ACK via RAW_TX, the PCB into the TCB slot, OFFLOAD_CONN, and a wait
  // for OFFLOAD_DONE. False with last_error() on refusal, timeout or an ERROR.
  bool connect(const ConnectParams& params);
  ConnState conn_state(std::uint16_t conn) const;
  // The peer MAC of `ip` (RFC 826): from the neighbour cache, else by
  // broadcasting "who has ip? tell local_ip" from local_mac up to
  // config.arp.tries times, waiting config.arp.retry_ns after each, and
  // caching the answer. local_ip becomes one of our addresses (the peer may
  // ask for it in turn). False with last_error() naming the address and the
  // tries when no reply came.
  bool resolve(std::uint32_t ip, std::uint32_t local_ip, const MacAddr& local_mac, MacAddr& out);
  const NeighbourCache& neighbours() const { return arp_.cache(); }
  // The PCB connect() offloaded for `conn` (what firmware wrote).
  const Pcb& offloaded_pcb(std::uint16_t conn) const { return pcbs_.at(conn); }

  // Posts SEND; the buffer belongs to the NIC until its SEND_DONE. post_send
  // does not ring the doorbell (batch, then ring()); send() does. A buffer
  // that overlaps one the NIC still owns is refused (false, last_error() and
  // error_log() say which SEND owns it) unless config.refuse_double_post is off.
  bool post_send(std::uint16_t conn, std::uint64_t bus_addr, std::uint32_t length,
                 std::uint64_t cookie);
  bool send(std::uint16_t conn, std::uint64_t bus_addr, std::uint32_t length,
            std::uint64_t cookie);
  // Posts a receive buffer for `conn` (RECV_DONE when data lands) and rings.
  bool post_recv(std::uint16_t conn, std::uint64_t bus_addr, std::uint32_t length,
                 std::uint64_t cookie);
  // Posts CLOSE and rings; CONN_EVENT CLOSED follows once the FIN is acked.
  bool close(std::uint16_t conn);
  // Closes the connections `conns` lists: posts CLOSE for each (one doorbell)
  // and reaps until each has ended, waiting at most timeout_ns for every next
  // completion. Every completion reaped meanwhile (late SEND_DONEs, aborted
  // RECV_DONEs, the CONN_EVENTs themselves) goes to `seen`, in ring order.
  // False, with every failure in error_log() and the first in last_error(),
  // if a CLOSE was refused, a connection ended by RST_RECEIVED or TIMEOUT
  // instead of CLOSED, or the wait timed out.
  bool close_all(const std::vector<std::uint16_t>& conns, std::uint64_t timeout_ns,
                 const std::function<void(const Completion&)>& seen);
  // Posts UPLOAD_CONN, waits for UPLOAD_DONE and reads the live TCB back.
  bool upload(std::uint16_t conn, Pcb* out);
  // Offloads slot `conn` from `pcb` (e.g. an uploaded TCB with snd_nxt set
  // back to snd_una): writes the slot, posts OFFLOAD_CONN, waits for
  // OFFLOAD_DONE. The connection must not be served by the NIC.
  bool offload_pcb(std::uint16_t conn, const Pcb& pcb);

  // Any entry, unchecked (tests of the NIC's error handling). Blocks while the
  // submission ring is full; false after command_timeout_ns.
  bool post(const Sqe& sqe);
  // Writes SQ_TAIL if entries were posted since the last doorbell.
  void ring();

  // --- raw L2 path --------------------------------------------------------
  // Copies `frame` (no FCS) into a raw transmit buffer and posts RAW_TX; the
  // buffer returns on RAW_TX_DONE. Waits for a free buffer.
  bool raw_tx(proto::ConstBytes frame);
  // Receives RAW_RX frames that neither the ARP agent (every ARP frame is
  // its business) nor a handshake in progress claimed.
  void set_raw_rx_handler(std::function<void(proto::ConstBytes)> handler);

  // --- completions --------------------------------------------------------
  // Reaps the completion ring; if nothing was there, waits up to timeout_ns
  // (0: just look once). Returns the number of entries reaped.
  unsigned poll(std::uint64_t timeout_ns = 0);
  // Pops the oldest queued completion, reaping first if none is queued.
  bool next_completion(Completion& out);
  // Like next_completion, waiting up to timeout_ns for one.
  bool wait_completion(Completion& out, std::uint64_t timeout_ns);
  std::size_t queued_completions() const { return completions_.size(); }

 private:
  bool check_identity();
  bool allocate_memory();
  void program_registers();
  bool enable();
  std::uint64_t alloc_zeroed(std::size_t bytes, std::size_t align, const char* what);
  bool fail(std::string message);
  bool check_conn(std::uint16_t conn);

  unsigned reap();
  void dispatch(const Cqe& cqe);
  void on_error(const Cqe& cqe);
  void on_conn_event(const Cqe& cqe);
  void on_raw_rx(const Cqe& cqe);
  void on_raw_tx_done(std::uint64_t cookie);
  void repost_raw_rx();
  void send_arp_replies();
  Sqe raw_tx_entry(std::uint32_t index, proto::ConstBytes frame);
  bool wait_sq_space();
  bool wait_until(const std::function<bool()>& done, std::uint64_t timeout_ns);

  bool handshake(const ConnectParams& params, ActiveOpen& open);
  bool offload(std::uint16_t conn, const Pcb& pcb);
  std::uint64_t tcb_addr(std::uint16_t conn) const;

  // SEND buffers the NIC owns, for refusing double posts.
  struct OwnedBuffer {
    std::uint64_t end;
    std::uint16_t conn;
    std::uint16_t sq_index;
    std::uint64_t cookie;
  };
  bool check_not_owned(std::uint16_t conn, std::uint64_t addr, std::uint32_t length);
  void release_send(std::uint16_t conn, std::uint16_t sq_index, std::uint64_t cookie);

  HostInterface& host_;
  DriverConfig config_;
  DeviceInfo device_;
  DriverStats stats_;
  std::string last_error_;
  std::vector<std::string> error_log_;
  bool ready_ = false;

  SubmissionRing sq_;
  CompletionRing cq_;
  std::uint64_t sq_base_ = 0, cq_base_ = 0, tcb_base_ = 0;
  std::uint64_t raw_rx_base_ = 0, raw_tx_base_ = 0;
  std::uint32_t raw_buffer_bytes_ = 0;
  std::vector<std::uint32_t> raw_tx_free_;
  std::vector<std::uint32_t> raw_rx_to_post_;
  std::function<void(proto::ConstBytes)> raw_rx_handler_;
  ArpAgent arp_;
  std::deque<std::vector<std::uint8_t>> arp_replies_;  // answers waiting for a raw buffer

  std::vector<ConnState> conns_;
  std::vector<Pcb> pcbs_;
  std::vector<abi::Status> conn_error_;  // status of a failed OFFLOAD/UPLOAD
  ActiveOpen* handshake_ = nullptr;      // the connect() in progress
  ActiveOpen::Verdict verdict_ = ActiveOpen::Verdict::kIgnored;

  std::deque<Completion> completions_;
  std::map<std::uint64_t, OwnedBuffer> owned_;  // by start address; never overlapping
  std::multimap<std::tuple<std::uint16_t, std::uint16_t, std::uint64_t>, std::uint64_t> owned_by_send_;
  std::mt19937_64 rng_;
};

}  // namespace toevp::fw
