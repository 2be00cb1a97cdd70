// The schema of every configuration key: type, default, range, unit and what
// it means. This table is the reference for design-point files; `toevp config
// --defaults` prints it as a commented config file (testbench/configs/default.cfg
// is that output) and docs/config.md explains how the keys fit together.
// Latencies are integer cycles of the named clock domain (docs/timing.md).
#include "model/common/config.h"

namespace toevp::model {
namespace {

using K = KeySpec::Kind;

KeySpec i(std::string key, long long def, double lo, double hi, std::string unit, std::string doc) {
  return {std::move(key), K::kInt, std::to_string(def), lo, hi, {}, std::move(unit), std::move(doc)};
}
KeySpec d(std::string key, std::string def, double lo, double hi, std::string unit, std::string doc) {
  return {std::move(key), K::kDouble, std::move(def), lo, hi, {}, std::move(unit), std::move(doc)};
}
KeySpec b(std::string key, bool def, std::string doc) {
  return {std::move(key), K::kBool, def ? "true" : "false", 0, 0, {}, "", std::move(doc)};
}
KeySpec c(std::string key, std::string def, std::vector<std::string> choices, std::string doc) {
  return {std::move(key), K::kChoice, std::move(def), 0, 0, std::move(choices), "", std::move(doc)};
}

}  // namespace

const std::vector<KeySpec>& Config::schema() {
  static const std::vector<KeySpec> keys = {
      // --- NIC core -------------------------------------------------------
      d("nic.core_clock_mhz", "250", 10, 2000, "MHz", "NIC core clock: command processor, TCB cache, context table, protocol engine, header generator, DMA and completion engines."),
      i("nic.datapath_bytes", 64, 8, 512, "bytes/cycle", "Width of the NIC's frame datapath (frame buffer to MAC) per core cycle."),
      c("nic.header_gen", "model", {"model", "rtl"}, "Header generator implementation: the C++ model or the Verilated RTL (rtl/toe_header_gen.sv)."),
      i("nic.tx_buffer_bytes", 0, 0, 1 << 24, "bytes", "MAC transmit buffer, the only NIC storage payload passes through: a frame's space is reserved when its payload reads are issued and freed when it has left the MAC, so it must cover PCIe read latency x line rate (about 10 KB at 100 Gb/s and 800 ns) plus the frames on their way to reach line rate. 0 (auto): max(16 KiB, (ceil(rate x pcie.completer_latency / frame) + 2) whole frames of mtu + 14 bytes): 16384 at MTU 1500, 36056 at MTU 9000 (docs/timing.md). Another value must hold one largest frame (mtu + 14)."),
      i("nic.mmio_cycles", 2, 0, 1000, "core cycles", "Register block latency for an MMIO access once the TLP has arrived."),
      i("nic.doorbell_cycles", 2, 0, 1000, "core cycles", "From an SQ_TAIL write taking effect to the command processor issuing the SQ fetch."),
      // --- command processor ---------------------------------------------
      i("cmd.fetch_batch", 8, 1, 64, "entries", "Most submission entries fetched by one DMA read."),
      i("cmd.decode_cycles", 2, 1, 1000, "core cycles", "Decode and validation of one submission entry."),
      // --- TCB cache -------------------------------------------------------
      i("tcb.cache_entries", 256, 1, 1 << 20, "entries", "TCB cache entries (128 B each) on the NIC."),
      i("tcb.cache_ways", 4, 1, 64, "ways", "TCB cache associativity (LRU replacement). Must divide cache_entries."),
      i("tcb.hit_cycles", 2, 1, 1000, "core cycles", "TCB cache lookup on a hit."),
      // --- message-context table -------------------------------------------
      i("ctx.entries", 1024, 1, 1 << 20, "entries", "Message-context table entries (one per posted message, ~32 B each)."),
      i("ctx.alloc_cycles", 1, 1, 1000, "core cycles", "Allocating a context from the free list and linking it to its connection."),
      i("ctx.max_bytes", 1 << 20, 1, 0x7fffffff, "bytes", "Largest message one context describes; longer messages take several contexts."),
      // --- protocol engine -------------------------------------------------
      i("pe.tx_cycles", 4, 1, 1000, "core cycles", "Transmit scheduler: picking a connection and deciding one segment (initiation interval per segment)."),
      i("pe.rx_cycles", 4, 1, 1000, "core cycles", "Receive path: processing one received segment (ACK, window, data) after parsing."),
      i("pe.initial_cwnd_segments", 10, 0, 100000, "segments", "Initial congestion window in MSS-sized segments (0: RFC 6928 rule)."),
      i("pe.rto_initial_us", 1000, 1, 60000000, "us", "Initial retransmission timeout before an RTT sample (RFC 6298 section 2.1 says 1 s; a datacenter TOE uses less)."),
      i("pe.rto_min_us", 200, 1, 60000000, "us", "Lower bound of the RTO (RFC 6298 section 2.4)."),
      i("pe.rto_max_us", 60000000, 1, 600000000, "us", "Upper bound of the RTO after backoff (RFC 6298 section 2.5)."),
      i("pe.max_retries", 15, 1, 100, "timeouts", "Consecutive retransmission timeouts before the connection is dropped with CONN_EVENT timeout."),
      i("pe.ack_delay_us", 40, 0, 500000, "us", "Delayed-ACK timer for data the NIC receives (RFC 1122 4.2.3.2)."),
      // --- PCIe ------------------------------------------------------------
      i("pcie.gen", 4, 1, 5, "", "PCIe generation: 1 (2.5 GT/s, 8b/10b), 2 (5 GT/s, 8b/10b), 3 (8 GT/s), 4 (16 GT/s), 5 (32 GT/s) (128b/130b from Gen3)."),
      c("pcie.lanes", "16", {"1", "2", "4", "8", "16", "32"}, "Link width in lanes."),
      c("pcie.mps", "256", {"128", "256", "512", "1024", "2048", "4096"}, "Max payload size of a TLP, bytes."),
      c("pcie.mrrs", "512", {"128", "256", "512", "1024", "2048", "4096"}, "Max read request size, bytes."),
      i("pcie.tlp_overhead_bytes", 24, 0, 256, "bytes", "Link bytes per TLP besides payload: framing, sequence number, header, LCRC."),
      i("pcie.completer_latency_cycles", 200, 0, 100000, "core cycles", "Host root complex + memory: from a read request's last byte arriving to its first completion being ready to send."),
      i("pcie.mmio_latency_cycles", 50, 0, 100000, "core cycles", "Host CPU to root complex: from the CPU's MMIO store to the TLP being ready on the link."),
      i("pcie.read_tags", 64, 1, 1024, "tags", "Outstanding read requests the NIC may have (non-posted credits / tags)."),
      // --- MAC and link ------------------------------------------------------
      c("mac.rate_gbps", "100", {"1", "10", "25", "40", "50", "100", "200", "400", "800"}, "Ethernet line rate, Gb/s."),
      c("mac.lane_bytes", "8", {"1", "2", "4", "8", "16", "32", "64"}, "Bytes the MAC moves per MAC clock cycle; the MAC clock is rate / (8 * lane_bytes)."),
      i("mac.mtu", 1500, 576, 9216, "bytes", "IP MTU (1500 or 9000 typical); MSS = mtu - 40 (- 12 with timestamps)."),
      i("mac.tx_cycles", 2, 0, 1000, "core cycles", "From the header's last beat to the frame being ready at the MAC (clock-domain crossing)."),
      i("mac.rx_cycles", 4, 0, 1000, "core cycles", "From a frame's last byte arriving to the parsed frame reaching the protocol engine (FCS + checksum check, parse)."),
      c("link.partner", "peer", {"peer", "tap"}, "Link partner at the far end of the link: the TCP peer model, or a Linux TCP/IP stack through a TAP device (tap.*, scripts/tap_demo.sh; needs root)."),
      i("link.propagation_ns", 2000, 0, 100000000, "ns", "One-way propagation delay of the cable and switches to the link partner."),
      d("link.a_to_b.loss", "0", 0, 1, "probability", "Link faults, NIC to peer: each frame is lost with this probability (seeded by sim.seed)."),
      d("link.a_to_b.burst_p", "0", 0, 1, "probability", "Link faults, NIC to peer: Gilbert-Elliott burst loss, per-frame probability of going from the good to the bad state (0: no burst loss)."),
      d("link.a_to_b.burst_r", "0.25", 0, 1, "probability", "Link faults, NIC to peer: Gilbert-Elliott per-frame probability of leaving the bad state (mean burst 1/r frames)."),
      d("link.a_to_b.burst_loss", "1", 0, 1, "probability", "Link faults, NIC to peer: loss probability of a frame in the Gilbert-Elliott bad state."),
      d("link.a_to_b.corrupt", "0", 0, 1, "probability", "Link faults, NIC to peer: a frame gets one flipped bit and a bad FCS; the receiving MAC drops it."),
      d("link.a_to_b.duplicate", "0", 0, 1, "probability", "Link faults, NIC to peer: a frame is delivered twice."),
      d("link.a_to_b.reorder", "0", 0, 1, "probability", "Link faults, NIC to peer: a frame is held back reorder_delay_ns so later frames overtake it."),
      i("link.a_to_b.reorder_delay_ns", 5000, 0, 100000000, "ns", "Link faults, NIC to peer: extra delay of a reordered frame."),
      i("link.a_to_b.jitter_ns", 0, 0, 100000000, "ns", "Link faults, NIC to peer: uniform extra delay in [0, jitter_ns] per frame; frame order is kept."),
      d("link.b_to_a.loss", "0", 0, 1, "probability", "Link faults, peer to NIC: each frame is lost with this probability (seeded by sim.seed)."),
      d("link.b_to_a.burst_p", "0", 0, 1, "probability", "Link faults, peer to NIC: Gilbert-Elliott burst loss, per-frame probability of going from the good to the bad state (0: no burst loss)."),
      d("link.b_to_a.burst_r", "0.25", 0, 1, "probability", "Link faults, peer to NIC: Gilbert-Elliott per-frame probability of leaving the bad state (mean burst 1/r frames)."),
      d("link.b_to_a.burst_loss", "1", 0, 1, "probability", "Link faults, peer to NIC: loss probability of a frame in the Gilbert-Elliott bad state."),
      d("link.b_to_a.corrupt", "0", 0, 1, "probability", "Link faults, peer to NIC: a frame gets one flipped bit and a bad FCS; the receiving MAC drops it."),
      d("link.b_to_a.duplicate", "0", 0, 1, "probability", "Link faults, peer to NIC: a frame is delivered twice."),
      d("link.b_to_a.reorder", "0", 0, 1, "probability", "Link faults, peer to NIC: a frame is held back reorder_delay_ns so later frames overtake it."),
      i("link.b_to_a.reorder_delay_ns", 5000, 0, 100000000, "ns", "Link faults, peer to NIC: extra delay of a reordered frame."),
      i("link.b_to_a.jitter_ns", 0, 0, 100000000, "ns", "Link faults, peer to NIC: uniform extra delay in [0, jitter_ns] per frame; frame order is kept."),
      // --- host --------------------------------------------------------------
      i("host.memory_mb", 256, 1, 65536, "MiB", "Host memory size. DMA outside it gets an address error."),
      i("host.memory_base", 0x10000000LL, 0, 0x7fffffffffffLL, "bus address", "Bus address of the first byte of host memory."),
      i("host.msi_address", 0xFEE00000LL, 0, 0x7fffffffffffLL, "bus address", "Bus address that the host's interrupt controller decodes as MSI-X."),
      i("host.interrupt_latency_ns", 1000, 0, 10000000, "ns", "From an MSI-X message landing to the firmware's wait for an interrupt returning."),
      // --- firmware / driver ----------------------------------------------
      c("fw.program", "workload", {"workload", "bulk_sender", "request_response", "many_connections"}, "Example firmware program the host CPU runs (firmware/examples/): workload runs the traffic the workload.* keys describe; bulk_sender, request_response and many_connections are the fixed-shape programs of docs/firmware_guide.md (they read workload.connections, message_bytes, messages and outstanding_per_conn only)."),
      i("fw.sq_entries", 1024, 2, 65536, "entries", "Submission queue size the driver programs (power of two)."),
      i("fw.cq_entries", 4096, 2, 65536, "entries", "Completion queue size the driver programs (power of two)."),
      i("fw.int_moderation_cycles", 0, 0, 1000000, "core cycles", "INT_MODERATION: minimum core cycles between MSI-X messages."),
      // --- link partner (TCP peer) ----------------------------------------
      i("peer.ack_every", 2, 1, 64, "segments", "The peer ACKs at least every this many full-sized segments."),
      i("peer.delayed_ack_us", 40, 0, 500000, "us", "The peer's delayed-ACK timer."),
      i("peer.rcv_buffer_bytes", 4 << 20, 1024, 1 << 30, "bytes", "The peer's receive buffer (its advertised window when the reader keeps up)."),
      i("peer.app_read_mbps", 0, 0, 1000000, "Mb/s", "Rate the peer's application drains the receive buffer (0: instantly)."),
      i("peer.wscale", 7, 0, 14, "shift", "Window scale shift the peer offers (RFC 7323)."),
      i("peer.turnaround_ns", 0, 0, 1000000, "ns", "Peer processing time from a frame arriving to its reply being ready."),
      i("peer.response_bytes", 0, 0, 1LL << 40, "bytes", "The peer's own fixed framing (fw.program = request_response, protocol tests): bytes of data it sends back for every peer.request_bytes it receives (0: no data). Exercises the NIC's receive path. With workload.kind = request_response the workload frames the requests instead (workload.response_*); leave this 0."),
      i("peer.request_bytes", 0, 0, 1LL << 40, "bytes", "The peer's own fixed framing: NIC bytes that make one request (0: one response right after the handshake). Leave 0 with workload.kind = request_response."),
      i("peer.send_window_bytes", 1 << 20, 1, 1 << 30, "bytes", "The peer's fixed send window for its responses (within the NIC's advertised window)."),
      i("peer.rst_after_bytes", 0, 0, 1LL << 40, "bytes", "Fault: the peer aborts each connection with RST once it has received this many bytes (0: never)."),
      b("peer.reassembly", true, "The peer keeps out-of-order segments and delivers them when the hole is filled (false: drops them; the NIC must resend everything after a loss)."),
      // --- TAP bridge (link.partner = tap) ---------------------------------
      KeySpec{"tap.device", K::kString, "toevp0", 0, 0, {}, "", "TAP device the bridge attaches to (created if missing, which needs CAP_NET_ADMIN)."},
      i("tap.quantum_us", 20, 1, 100000, "us", "Pacing quantum: simulated time advances in steps of this size and never runs ahead of wall-clock time."),
      KeySpec{"tap.local_ip", K::kString, "10.99.0.1", 0, 0, {}, "", "The NIC's IPv4 address on the TAP network (firmware parameter local_ip)."},
      KeySpec{"tap.peer_ip", K::kString, "10.99.0.2", 0, 0, {}, "", "The Linux side's IPv4 address (firmware parameter peer_ip)."},
      KeySpec{"tap.local_mac", K::kString, "02:00:00:00:00:01", 0, 0, {}, "", "The NIC's MAC address (firmware parameter local_mac); the firmware answers Linux's ARP requests for tap.local_ip with it."},
      KeySpec{"tap.peer_mac", K::kString, "02:00:00:00:00:02", 0, 0, {}, "", "The TAP interface's MAC address on the Linux side (firmware parameter peer_mac, a static neighbour); 00:00:00:00:00:00: the firmware resolves it by ARP when it connects (scripts/tap_demo.sh does)."},
      i("tap.peer_port", 5001, 1, 65535, "", "TCP port the Linux side listens on."),
      // --- workload ----------------------------------------------------------
      c("workload.kind", "bulk", {"bulk", "request_response"}, "bulk: one-way messages, each done at its SEND_DONE. request_response: the peer answers every request (a message) with a response of workload.response_sizes; a request is done when its response has arrived (POST_RECV/RECV_DONE)."),
      i("workload.connections", 1, 1, 16384, "connections", "TCP connections the firmware opens and offloads before the traffic starts."),
      i("workload.messages", 2000, 0, 1LL << 40, "messages", "Messages (requests) in the whole run; 0: one pass over workload.trace_file."),
      c("workload.spread", "round_robin", {"round_robin", "uniform", "zipf", "hot_set", "trace"}, "Which connection each message goes to: in turn; uniformly at random; Zipf (connection i with weight 1/(i+1)^zipf_s); a hot set (the first hot_fraction of the connections get hot_traffic of the messages); the trace's conn column."),
      d("workload.zipf_s", "1", 0, 10, "exponent", "spread = zipf: the exponent s (0: uniform; 1: connection 0 gets about 1/ln(connections) of the messages)."),
      d("workload.hot_fraction", "0.1", 0, 1, "fraction", "spread = hot_set: fraction of the connections that are hot (rounded up, at least one)."),
      d("workload.hot_traffic", "0.9", 0, 1, "fraction", "spread = hot_set: fraction of the messages that go to the hot connections (uniformly among them)."),
      c("workload.sizes", "fixed", {"fixed", "uniform", "bimodal", "trace"}, "Message (request) size distribution: message_bytes; uniform in [size_min, size_max]; bimodal_small or bimodal_large; the trace's bytes column."),
      i("workload.message_bytes", 65536, 1, 1 << 30, "bytes", "sizes = fixed: the size of every message (request)."),
      i("workload.size_min", 64, 1, 1 << 30, "bytes", "sizes = uniform: smallest message."),
      i("workload.size_max", 65536, 1, 1 << 30, "bytes", "sizes = uniform: largest message (every size in [size_min, size_max] equally likely)."),
      i("workload.bimodal_small", 64, 1, 1 << 30, "bytes", "sizes = bimodal: the small size."),
      i("workload.bimodal_large", 65536, 1, 1 << 30, "bytes", "sizes = bimodal: the large size."),
      d("workload.bimodal_large_fraction", "0.1", 0, 1, "probability", "sizes = bimodal: probability that a message has the large size."),
      c("workload.response_sizes", "fixed", {"fixed", "uniform", "bimodal", "trace"}, "kind = request_response: response size distribution, as workload.sizes, with the response_* keys (trace: the response_bytes column)."),
      i("workload.response_bytes", 1024, 0, 1 << 30, "bytes", "response_sizes = fixed: bytes the peer answers every request with (0: no data; the request's SEND_DONE is its answer)."),
      i("workload.response_min", 64, 0, 1 << 30, "bytes", "response_sizes = uniform: smallest response (0: some requests get no data)."),
      i("workload.response_max", 65536, 0, 1 << 30, "bytes", "response_sizes = uniform: largest response."),
      i("workload.response_bimodal_small", 64, 0, 1 << 30, "bytes", "response_sizes = bimodal: the small response."),
      i("workload.response_bimodal_large", 65536, 0, 1 << 30, "bytes", "response_sizes = bimodal: the large response."),
      d("workload.response_bimodal_large_fraction", "0.1", 0, 1, "probability", "response_sizes = bimodal: probability of the large response."),
      c("workload.arrival", "closed", {"closed", "fixed", "poisson", "trace"}, "closed: closed loop, each connection keeps up to outstanding_per_conn messages posted and the next message waits for its connection. fixed / poisson: open loop, messages arrive at offered_gbps (constant interval / exponential intervals) whatever completes. trace: open loop at the trace's time_ns."),
      d("workload.offered_gbps", "10", 0.000001, 10000, "Gb/s", "arrival = fixed or poisson: offered load, message (request) payload bits per second over all connections; the message rate is offered_gbps / (8 x mean size)."),
      i("workload.outstanding_per_conn", 64, 1, 65536, "messages", "Messages (requests) each connection may have posted and not done: the closed-loop window, and in open loop the host buffers per connection (an arrival finding them all in use waits in a backlog, which the report shows)."),
      KeySpec{"workload.trace_file", K::kString, "", 0, 0, {}, "path", "CSV trace to replay when sizes, response_sizes, spread or arrival is trace (a relative path is relative to the config file that sets it, or with --set to the directory toevp runs in). Header row of column names (bytes, conn, time_ns, response_bytes), then one row per message; docs/workbench.md, testbench/configs/sample_trace.csv."},
      b("workload.timestamps", true, "Offer TCP timestamps (RFC 7323) in the handshake."),
      i("workload.wscale", 7, 0, 14, "shift", "Window scale shift the NIC's side offers."),
      // --- simulation --------------------------------------------------------
      i("sim.seed", 1, 0, 0x7fffffff, "", "Seed of every random choice (ISNs, faults). Printed with the results."),
      i("sim.time_limit_ms", 10000, 1, 100000000, "ms of simulated time", "Watchdog: the run stops with an error if it has not finished by then."),
      c("sim.mode", "cycle", {"cycle", "fast"}, "Timing mode: cycle (every latency in exact clock cycles, docs/timing.md) or fast (loosely timed, TLM-2.0 temporal decoupling: the same payload bytes and completions, approximate timing; docs/timing.md, \"Fast mode\"). The report says which mode made its figures."),
      i("sim.quantum_ns", 1000, 1, 1000000, "ns", "Fast mode: how far the NIC's transmit path may run ahead of simulated time before it synchronizes (the TLM-2.0 global quantum). Larger runs faster and coarser. Ignored in cycle mode."),
      // --- statistics ------------------------------------------------------
      i("stats.sample_interval_ns", 0, 0, 1LL << 40, "ns of simulated time", "Interval of the context-table occupancy time series (toevp run --timeseries FILE, docs/results.md); 0: no series. Sampling adds no simulation event, so the run is the same with any value; at most 2,000,000 samples are kept."),
  };
  return keys;
}

}  // namespace toevp::model
