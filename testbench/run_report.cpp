// RunReport: figures of a run as JSON and a readable summary.
#include "testbench/run_report.h"

#include <cstdio>
#include <sstream>

#include "model/link/eth_frame.h"

namespace toevp::tb {

namespace {
double ns(const sc_core::sc_time& t) { return t.to_seconds() * 1e9; }

std::uint32_t payload_mss(const model::Config& c) {
  return static_cast<std::uint32_t>(c.get_int("mac.mtu") - 40 - (c.get_bool("workload.timestamps") ? 12 : 0));
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
  // bulk_sender's messages all have workload.message_bytes; other programs
  // (request_response, many_connections) count the bytes of what completed.
  const std::uint64_t expected_bytes = c.get_string("fw.program") == "bulk_sender"
                                           ? r.messages_posted * c.get_u64("workload.message_bytes")
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
  j["completion_latency_ns"] = {{"p50", r.latency_quantile_ns(0.5)},
                                {"p99", r.latency_quantile_ns(0.99)},
                                {"max", r.latency_quantile_ns(1.0)}};
  const auto& ct = nic.contexts.stats();
  const auto now = sc_core::sc_time_stamp();
  j["context_table"] = {{"entries", ct.entries},
                        {"peak_used", ct.peak_used},
                        {"mean_used", nic.contexts.mean_used(now)},
                        {"in_use_at_end", ct.used},
                        {"full_stall_cycles", nic.cmd.stats().ctx_full_stall_cycles},
                        {"full_stalls", nic.cmd.stats().ctx_full_stalls},
                        {"hold_time_mean_ns", ct.frees ? ct.hold_time_sum_ns / double(ct.frees) : 0.0}};
  const auto& tc = nic.tcb_cache.stats();
  j["tcb_cache"] = {{"entries", nic.tcb_cache.params().entries},
                    {"ways", nic.tcb_cache.params().ways},
                    {"hits", tc.hits},
                    {"misses", tc.misses},
                    {"writebacks", tc.writebacks}};
  const auto& pc = nic.pcie.stats();
  j["pcie"] = {{"read_bytes", pc.read_bytes},
               {"write_bytes", pc.write_bytes},
               {"read_requests", pc.read_requests},
               {"tag_wait_ns", double(pc.tag_wait_fs) / 1e6},
               {"upstream_link_bytes", nic.pcie.upstream().bytes_sent()},
               {"downstream_link_bytes", nic.pcie.downstream().bytes_sent()},
               {"dma_errors", pc.dma_errors}};
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
                   {"connections_failed", ps.connections_failed}};
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
  j["seed"] = c.get_int("sim.seed");
  j["timed_out"] = p.timed_out();
  j["sim_time_ns"] = ns(now);
  j["wall_s"] = p.wall_seconds();
  const double frames = double(p.wire.frames_from_nic());
  j["sim_frames_per_wall_s"] = p.wall_seconds() > 0 ? frames / p.wall_seconds() : 0.0;
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
  put("toevp run (seed %lld, header generator %s)", j["seed"].get<long long>(),
      j["header_generator"].get<std::string>().c_str());
  put("  goodput            %8.3f Gb/s  (theoretical %.3f Gb/s at this MTU, line %.0f Gb/s)",
      j["goodput_gbps"].get<double>(), j["theoretical_goodput_gbps"].get<double>(), j["line_rate_gbps"].get<double>());
  put("  messages           %llu posted, %llu completed", j["messages_posted"].get<unsigned long long>(),
      j["messages_completed"].get<unsigned long long>());
  put("  peer               %llu bytes received, data %s", j["peer_bytes_received"].get<unsigned long long>(),
      j["peer_data_ok"].get<bool>() ? "OK" : "NOT OK");
  put("  completion latency p50 %.0f ns, p99 %.0f ns, max %.0f ns",
      j["completion_latency_ns"]["p50"].get<double>(), j["completion_latency_ns"]["p99"].get<double>(),
      j["completion_latency_ns"]["max"].get<double>());
  put("  context table      %u entries, peak %u, mean %.1f, held %.0f ns per context, %llu stall cycles",
      j["context_table"]["entries"].get<unsigned>(), j["context_table"]["peak_used"].get<unsigned>(),
      j["context_table"]["mean_used"].get<double>(), j["context_table"]["hold_time_mean_ns"].get<double>(),
      j["context_table"]["full_stall_cycles"].get<unsigned long long>());
  put("  TCB cache          %llu hits, %llu misses", j["tcb_cache"]["hits"].get<unsigned long long>(),
      j["tcb_cache"]["misses"].get<unsigned long long>());
  put("  PCIe               %.1f MB read, %.1f MB written", j["pcie"]["read_bytes"].get<double>() / 1e6,
      j["pcie"]["write_bytes"].get<double>() / 1e6);
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
