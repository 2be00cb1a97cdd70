// RunReport: figures of a run as JSON and a readable summary.
#include "testbench/run_report.h"

#include <cstdio>
#include <sstream>

#include "model/common/latency_histogram.h"
#include "model/link/eth_frame.h"
#include "model/nic/sram_budget.h"
#include "testbench/workload.h"

namespace toevp::tb {

namespace {
double ns(const sc_core::sc_time& t) { return t.to_seconds() * 1e9; }

std::uint32_t payload_mss(const model::Config& c) {
  return static_cast<std::uint32_t>(c.get_int("mac.mtu") - 40 - (c.get_bool("workload.timestamps") ? 12 : 0));
}
nlohmann::json histogram_json(const model::LatencyHistogram& h) {
  nlohmann::json bins = nlohmann::json::array();
  for (const auto& b : h.nonempty_bins()) bins.push_back({b.lo_ns, b.hi_ns, b.count});
  return {{"bins_per_decade", h.bins_per_decade()}, {"bins", bins}};
}
}  // namespace

double theoretical_goodput_gbps(const model::Config& c) {
  const double mss = payload_mss(c);
  const double header = 14 + 20 + 20 + (c.get_bool("workload.timestamps") ? 12 : 0);
  const double wire = link::kPreambleBytes + header + mss + link::kFcsBytes + link::kIfgBytes;
  return double(c.get_int("mac.rate_gbps")) * mss / wire;
}

nlohmann::json make_report(Platform& p, const fw::ProgramResults& r) {
  using nlohmann::json;
  const model::Config& c = p.config();
  auto& nic = p.nic;
  json j;
  const double data_ns = ns(p.wire.last_data_end()) - ns(p.wire.first_data_start());
  std::uint64_t peer_bytes = 0;
  bool peer_ok = p.peer.logic().all_data_ok();
  for (std::size_t i = 0; i < p.peer.logic().connection_count(); ++i)
    peer_bytes += p.peer.logic().connection(i).stats.bytes_delivered;
  // bulk_sender's messages all have workload.message_bytes; the workload
  // program counts what it posted; the others (request_response,
  // many_connections) count the bytes of what completed.
  const std::string& program = c.get_string("fw.program");
  const std::uint64_t expected_bytes = program == "bulk_sender" ? r.messages_posted * c.get_u64("workload.message_bytes")
                                       : program == "workload"  ? r.offered.bytes_posted
                                                                : r.bytes_completed;
  j["goodput_gbps"] = data_ns > 0 ? double(peer_bytes) * 8.0 / data_ns : 0.0;
  j["line_rate_gbps"] = double(c.get_int("mac.rate_gbps"));
  j["theoretical_goodput_gbps"] = theoretical_goodput_gbps(c);
  j["messages_posted"] = r.messages_posted;
  j["messages_completed"] = r.messages_completed;
  j["bytes_completed"] = r.bytes_completed;
  j["peer_bytes_received"] = peer_bytes;
  j["peer_data_ok"] = peer_ok && peer_bytes == expected_bytes && !p.timed_out();
  j["firmware_ok"] = r.ok;
  j["firmware_errors"] = r.errors;
  // Percentiles are exact (nearest rank over every message); the histogram
  // shows the shape.
  model::LatencyHistogram latency;
  for (const auto& m : r.messages) latency.add(double(m.latency_ns()));
  j["completion_latency_ns"] = {{"p50", r.latency_quantile_ns(0.5)},   {"p90", r.latency_quantile_ns(0.9)},
                                {"p99", r.latency_quantile_ns(0.99)},  {"p999", r.latency_quantile_ns(0.999)},
                                {"max", r.latency_quantile_ns(1.0)},   {"min", r.latency_quantile_ns(0.0)},
                                {"mean", latency.mean()},              {"count", latency.count()}};
  j["completion_latency_histogram"] = histogram_json(latency);
  const auto now = sc_core::sc_time_stamp();
  const double run_ns = ns(now);
  const model::SramBudget sram =
      model::sram_budget(nic.contexts.stats().entries, nic.tcb_cache.params().entries, nic.tcb_cache.params().ways,
                         nic.dma.params().tx_buffer_bytes);
  const auto& ct = nic.contexts.stats();
  nic.contexts.finish_series(now);
  const model::Occupancy& occ = nic.contexts.occupancy();
  j["context_table"] = {{"entries", ct.entries},
                        {"peak_used", ct.peak_used},
                        {"mean_used", nic.contexts.mean_used(now)},
                        {"in_use_at_end", ct.used},
                        {"full_stall_cycles", nic.cmd.stats().ctx_full_stall_cycles},
                        {"full_stalls", nic.cmd.stats().ctx_full_stalls},
                        {"hold_time_mean_ns", ct.frees ? ct.hold_time_sum_ns / double(ct.frees) : 0.0},
                        {"hold_time_max_ns", ct.hold_time_max_ns},
                        {"allocations", ct.allocations},
                        {"frees", ct.frees},
                        {"sample_interval_ns", double(occ.interval_fs()) / 1e6},
                        {"samples", occ.samples().size()},
                        {"samples_dropped", occ.samples_dropped()},
                        {"bits_per_entry", sram.context_bits},
                        {"sram_bits", sram.context_table_bits}};
  const auto& tc = nic.tcb_cache.stats();
  const model::LatencyHistogram& fill = nic.tcb_cache.miss_latency();
  j["tcb_cache"] = {{"entries", nic.tcb_cache.params().entries},
                    {"ways", nic.tcb_cache.params().ways},
                    {"hits", tc.hits},
                    {"misses", tc.misses},
                    {"writebacks", tc.writebacks},
                    {"hit_rate", tc.hits + tc.misses ? double(tc.hits) / double(tc.hits + tc.misses) : 0.0},
                    {"miss_latency_ns",
                     {{"mean", fill.mean()}, {"p50", fill.quantile(0.5)}, {"p99", fill.quantile(0.99)}, {"max", fill.max()}}},
                    {"line_bits", sram.tcb_line_bits},
                    {"sram_bits", sram.tcb_cache_bits}};
  const auto& pc = nic.pcie.stats();
  const auto& up = nic.pcie.upstream();
  const auto& down = nic.pcie.downstream();
  auto per_run = [&](double x) { return run_ns > 0 ? x / run_ns : 0.0; };
  j["pcie"] = {{"read_bytes", pc.read_bytes},
               {"write_bytes", pc.write_bytes},
               {"read_requests", pc.read_requests},
               {"tag_wait_ns", double(pc.tag_wait_fs) / 1e6},
               {"upstream_link_bytes", nic.pcie.upstream_link_bytes()},
               {"downstream_link_bytes", nic.pcie.downstream_link_bytes()},
               {"dma_errors", pc.dma_errors},
               {"read_gbps", per_run(double(pc.read_bytes) * 8)},
               {"write_gbps", per_run(double(pc.write_bytes) * 8)},
               {"upstream_utilization",
                per_run(double(nic.pcie.upstream_link_bytes()) / (up.geometry().bytes_per_second() / 1e9))},
               {"downstream_utilization",
                per_run(double(nic.pcie.downstream_link_bytes()) / (down.geometry().bytes_per_second() / 1e9))},
               {"read_tags", nic.pcie.params().read_tags},
               {"tags_peak", pc.tags_peak},
               {"tags_mean", per_run(double(pc.tag_held_fs) / 1e6)},
               {"tag_waits", pc.tag_waits},
               {"tag_wait_max_ns", double(pc.tag_wait_max_fs) / 1e6}};
  const double line_bytes_per_ns = double(c.get_int("mac.rate_gbps")) / 8;
  for (bool from_nic : {true, false}) {
    const double window_bytes = double(p.wire.window_wire_bytes(from_nic));
    j["link"][from_nic ? "nic_to_peer" : "peer_to_nic"] = {
        {"frames", from_nic ? p.wire.frames_from_nic() : p.wire.frames_from_peer()},
        {"wire_bytes", p.wire.wire_bytes(from_nic)},
        {"utilization", data_ns > 0 ? window_bytes / (line_bytes_per_ns * data_ns) : 0.0}};
  }
  nlohmann::json ctx_fields = json::object(), tcb_fields = json::object();
  for (const auto& f : sram.context_fields) ctx_fields[f.name] = f.bits;
  for (const auto& f : sram.tcb_line_fields) tcb_fields[f.name] = f.bits;
  j["sram"] = {{"context_table_bits", sram.context_table_bits},
               {"tcb_cache_bits", sram.tcb_cache_bits},
               {"tx_buffer_bits", sram.tx_buffer_bits},
               {"total_bits", sram.total_bits},
               {"total_kib", double(sram.total_bits) / 8 / 1024},
               {"context_fields", ctx_fields},
               {"tcb_line_fields", tcb_fields}};
  j["retransmitted_segments"] = nic.pe.stats().retransmitted_segments;
  j["timeouts"] = nic.pe.stats().timeouts;
  const auto& ps = nic.pe.stats();
  j["protocol"] = {{"duplicate_acks", ps.acks_duplicate},
                   {"fast_retransmits", ps.fast_retransmits},
                   {"partial_ack_retransmits", ps.partial_ack_retransmits},
                   {"timeouts", ps.timeouts},
                   {"rtt_mean_ns", ps.rtt_samples ? ps.rtt_sum_ns / double(ps.rtt_samples) : 0.0},
                   {"persist_probes", ps.persist_probes},
                   {"pure_acks_sent", ps.pure_acks_sent},
                   {"rx_data_bytes", ps.rx_data_bytes},
                   {"rx_ooo_dropped", ps.rx_ooo_dropped},
                   {"recv_done", ps.recv_done},
                   {"uploads", ps.uploads},
                   {"connections_failed", ps.connections_failed},
                   {"rst_challenged", ps.rst_challenged},
                   {"rst_out_of_window", ps.rst_out_of_window},
                   {"rst_ignored_time_wait", ps.rst_ignored_time_wait},
                   {"syn_challenged", ps.syn_challenged},
                   {"rx_no_ack_dropped", ps.rx_no_ack_dropped}};
  for (auto [side, name] : {std::pair{link::EthLink::kA, "a_to_b"}, std::pair{link::EthLink::kB, "b_to_a"}}) {
    const link::LinkFaultStats& f = p.link.fault_stats(side);
    j["link_faults"][name] = {{"frames", f.frames},         {"lost_random", f.lost_random},
                              {"lost_burst", f.lost_burst}, {"bursts", f.bursts},
                              {"corrupted", f.corrupted},   {"duplicated", f.duplicated},
                              {"reordered", f.reordered},   {"jittered", f.jittered}};
  }
  j["nic_payload_peak_bytes"] = nic.dma.stats().peak_payload_held;
  j["tx_buffer"] = {{"bytes", nic.dma.params().tx_buffer_bytes},
                    {"peak_reserved", nic.dma.stats().peak_reserved},
                    {"wait_ns", nic.dma.stats().buffer_wait_ns}};
  j["frames"] = {{"nic_to_peer", p.wire.frames_from_nic()},
                 {"peer_to_nic", p.wire.frames_from_peer()},
                 {"data_segments", p.wire.data_segments()}};
  j["scoreboard"] = {{"send_done_checked", p.scoreboard.send_done_checked()},
                     {"violations", p.scoreboard.violations()},
                     {"messages", p.scoreboard.messages()}};
  j["header_generator"] = nic.dma.header_generator().name();
  char hex[32];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(p.wire.digest()));
  j["wire_digest"] = hex;
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(p.completion_digest()));
  j["completion_digest"] = hex;
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(p.streams.digest()));
  j["stream_digest"] = hex;
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(p.completion_stream_digest()));
  j["completion_stream_digest"] = hex;
  // Which timing made these figures (sim.mode): fast mode's times, rates
  // and latencies are approximate (docs/timing.md, "Fast mode").
  j["mode"] = p.timing().name();
  j["timing"] = p.timing().fast() ? "approximate" : "cycle-accurate";
  if (p.timing().fast()) j["quantum_ns"] = c.get_int("sim.quantum_ns");
  j["seed"] = c.get_int("sim.seed");
  j["timed_out"] = p.timed_out();
  j["sim_time_ns"] = ns(now);
  j["wall_s"] = p.wall_seconds();
  const double frames = double(p.wire.frames_from_nic());
  j["sim_frames_per_wall_s"] = p.wall_seconds() > 0 ? frames / p.wall_seconds() : 0.0;
  j["workload"] = workload_report(c, r);
  // Delta cycles the SystemC kernel ran: its scheduling work, which fast
  // mode cuts; unlike wall time it is the same in every run of a point.
  j["kernel_delta_cycles"] = sc_core::sc_delta_count();
  j["config"] = c.to_json();
  return j;
}

std::string summary_text(const nlohmann::json& j) {
  std::ostringstream os;
  char line[256];
  auto put = [&](const char* fmt, auto... args) {
    std::snprintf(line, sizeof line, fmt, args...);
    os << line << "\n";
  };
  const bool fast = j.value("mode", "cycle") == "fast";
  put("toevp run (seed %lld, header generator %s, %s)", j["seed"].get<long long>(),
      j["header_generator"].get<std::string>().c_str(),
      fast ? "FAST mode: times, rates and latencies are approximate" : "cycle mode");
  put("  goodput            %8.3f Gb/s  (theoretical %.3f Gb/s at this MTU, line %.0f Gb/s)",
      j["goodput_gbps"].get<double>(), j["theoretical_goodput_gbps"].get<double>(), j["line_rate_gbps"].get<double>());
  put("  messages           %llu posted, %llu completed", j["messages_posted"].get<unsigned long long>(),
      j["messages_completed"].get<unsigned long long>());
  os << workload_summary(j);
  put("  peer               %llu bytes received, data %s", j["peer_bytes_received"].get<unsigned long long>(),
      j["peer_data_ok"].get<bool>() ? "OK" : "NOT OK");
  const auto& lat = j["completion_latency_ns"];
  put("  completion latency p50 %.0f ns, p90 %.0f ns, p99 %.0f ns, p99.9 %.0f ns, max %.0f ns", lat["p50"].get<double>(),
      lat["p90"].get<double>(), lat["p99"].get<double>(), lat["p999"].get<double>(), lat["max"].get<double>());
  put("  link use           %.1f %% NIC to peer, %.1f %% peer to NIC (goodput window)",
      100 * j["link"]["nic_to_peer"]["utilization"].get<double>(),
      100 * j["link"]["peer_to_nic"]["utilization"].get<double>());
  put("  context table      %u entries, peak %u, mean %.1f, held %.0f ns per context, %llu stall cycles",
      j["context_table"]["entries"].get<unsigned>(), j["context_table"]["peak_used"].get<unsigned>(),
      j["context_table"]["mean_used"].get<double>(), j["context_table"]["hold_time_mean_ns"].get<double>(),
      j["context_table"]["full_stall_cycles"].get<unsigned long long>());
  const auto& tcb = j["tcb_cache"];
  if (tcb["misses"].get<unsigned long long>() > 0)
    put("  TCB cache          %llu hits, %llu misses (hit rate %.2f %%), miss fill mean %.0f ns, max %.0f ns",
        tcb["hits"].get<unsigned long long>(), tcb["misses"].get<unsigned long long>(),
        100 * tcb["hit_rate"].get<double>(), tcb["miss_latency_ns"]["mean"].get<double>(),
        tcb["miss_latency_ns"]["max"].get<double>());
  else
    put("  TCB cache          %llu hits, 0 misses", tcb["hits"].get<unsigned long long>());
  const auto& pcie = j["pcie"];
  put("  PCIe               %.1f MB read (%.1f Gb/s), %.1f MB written (%.1f Gb/s), read tags peak %u of %u, mean %.1f",
      pcie["read_bytes"].get<double>() / 1e6, pcie["read_gbps"].get<double>(), pcie["write_bytes"].get<double>() / 1e6,
      pcie["write_gbps"].get<double>(), pcie["tags_peak"].get<unsigned>(), pcie["read_tags"].get<unsigned>(),
      pcie["tags_mean"].get<double>());
  const auto& sram = j["sram"];
  put("  SRAM               %.1f KiB: contexts %.1f KiB (%u bits each), TCB cache %.1f KiB, transmit buffer %.1f KiB",
      sram["total_kib"].get<double>(), sram["context_table_bits"].get<double>() / 8192,
      j["context_table"]["bits_per_entry"].get<unsigned>(), sram["tcb_cache_bits"].get<double>() / 8192,
      sram["tx_buffer_bits"].get<double>() / 8192);
  put("  retransmissions    %llu segments (%llu fast retransmits, %llu partial-ACK resends, %llu timeouts)",
      j["retransmitted_segments"].get<unsigned long long>(), j["protocol"]["fast_retransmits"].get<unsigned long long>(),
      j["protocol"]["partial_ack_retransmits"].get<unsigned long long>(),
      j["protocol"]["timeouts"].get<unsigned long long>());
  for (const char* dir : {"a_to_b", "b_to_a"}) {
    const auto& f = j["link_faults"][dir];
    auto n = [&](const char* k) { return f[k].get<unsigned long long>(); };
    if (n("lost_random") + n("lost_burst") + n("corrupted") + n("duplicated") + n("reordered") + n("jittered") == 0)
      continue;
    put("  link faults %s %llu frames: %llu lost, %llu lost in %llu bursts, %llu corrupted, %llu duplicated, "
        "%llu reordered, %llu jittered",
        dir, n("frames"), n("lost_random"), n("lost_burst"), n("bursts"), n("corrupted"), n("duplicated"),
        n("reordered"), n("jittered"));
  }
  put("  NIC payload peak   %u bytes (transmit buffer %u bytes)", j["nic_payload_peak_bytes"].get<unsigned>(),
      j["tx_buffer"]["bytes"].get<unsigned>());
  put("  scoreboard         %llu SEND_DONE checked, %llu violations",
      j["scoreboard"]["send_done_checked"].get<unsigned long long>(),
      j["scoreboard"]["violations"].get<unsigned long long>());
  put("  simulated          %.3f ms in %.3f s wall (%.0f frames per wall second)", j["sim_time_ns"].get<double>() / 1e6,
      j["wall_s"].get<double>(), j["sim_frames_per_wall_s"].get<double>());
  if (j["timed_out"].get<bool>()) put("  TIMED OUT: the firmware did not finish within sim.time_limit_ms");
  for (auto& e : j["firmware_errors"]) os << "  firmware error: " << e.get<std::string>() << "\n";
  return os.str();
}

}  // namespace toevp::tb
