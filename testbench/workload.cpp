// Workload: config -> firmware program parameters, and the report's
// description of the workload. See workload.h.
#include "testbench/workload.h"

#include <cstdio>
#include <stdexcept>
#include <string>

#include "firmware/examples/workload_program.h"
#include "testbench/platform.h"

namespace toevp::tb {

namespace {

// The workload.* keys fw.program = workload reads besides the four every
// program reads; the parameter is the key without "workload.".
constexpr const char* kWorkloadKeys[] = {
    "kind", "spread", "zipf_s", "hot_fraction", "hot_traffic", "sizes", "size_min", "size_max", "bimodal_small",
    "bimodal_large", "bimodal_large_fraction", "response_sizes", "response_bytes", "response_min", "response_max",
    "response_bimodal_small", "response_bimodal_large", "response_bimodal_large_fraction", "arrival", "offered_gbps",
    "trace_file"};

bool framed_by_workload(const model::Config& c) {
  return c.get_string("fw.program") == "workload" && c.get_string("workload.kind") == "request_response";
}

// Checks what the config could not know before reading the trace: that
// every connection's buffers fit in host memory.
void check_memory(const model::Config& c, const fw::FirmwareProgram& program) {
  const auto* w = dynamic_cast<const fw::WorkloadProgram*>(&program);
  if (w == nullptr || !w->params().workload.trace) return;
  const fw::WorkloadSpec& s = w->params().workload;
  const double per_slot = double(s.sizes.largest(s.trace.get(), false)) +
                          (s.request_response ? double(s.responses.largest(s.trace.get(), true)) : 0.0);
  const double need = double(s.connections) * s.outstanding_per_conn * per_slot + 16.0 * 1048576.0;
  if (need > double(c.get_int("host.memory_mb")) * 1048576.0)
    throw std::invalid_argument("config key 'host.memory_mb' (" + std::to_string(c.get_int("host.memory_mb")) +
                                ") is too small for the trace " + s.trace->path() + ": workload.connections x " +
                                "workload.outstanding_per_conn x its largest message (and response) need " +
                                std::to_string(static_cast<long long>(need / 1048576.0)) + " MiB with the rings");
}

}  // namespace

fw::ProgramParams program_params(const model::Config& c) {
  auto s = [&](const char* key) { return std::to_string(c.get_int(key)); };
  fw::ProgramParams p;
  p["connections"] = s("workload.connections");
  p["message_bytes"] = s("workload.message_bytes");
  p["messages"] = s("workload.messages");
  p["outstanding_per_conn"] = s("workload.outstanding_per_conn");
  p["timestamps"] = c.get_bool("workload.timestamps") ? "true" : "false";
  p["wscale"] = s("workload.wscale");
  p["local_port_base"] = std::to_string(kLocalPortBase);
  p["sq_entries"] = s("fw.sq_entries");
  p["cq_entries"] = s("fw.cq_entries");
  p["int_moderation_cycles"] = s("fw.int_moderation_cycles");
  p["seed"] = s("sim.seed");
  if (c.get_string("fw.program") == "workload")
    for (const char* k : kWorkloadKeys) p[k] = c.get_string(std::string("workload.") + k);
  // request_response expects the responses the peer model is configured to send.
  if (c.get_string("fw.program") == "request_response" && c.get_string("link.partner") == "peer")
    p["response_bytes"] = s("peer.response_bytes");
  if (c.get_string("link.partner") == "tap") {  // a real stack: its addresses, not the peer model's
    for (const char* k : {"local_ip", "peer_ip", "local_mac", "peer_mac"}) p[k] = c.get_string(std::string("tap.") + k);
    p["peer_port"] = s("tap.peer_port");
  }
  return p;
}

std::unique_ptr<fw::FirmwareProgram> make_workload_program(const model::Config& c) {
  if (framed_by_workload(c) && c.get_string("link.partner") == "peer")
    throw std::invalid_argument(
        "workload.kind = request_response: the peer model must be told each request's response size; build the "
        "program with make_workload_program(config, platform)");
  auto program = fw::make_program(c.get_string("fw.program"), program_params(c));
  check_memory(c, *program);
  return program;
}

std::unique_ptr<fw::FirmwareProgram> make_workload_program(const model::Config& c, Platform& platform) {
  auto program = fw::make_program(c.get_string("fw.program"), program_params(c));
  check_memory(c, *program);
  if (framed_by_workload(c) && c.get_string("link.partner") == "peer") {
    auto& w = dynamic_cast<fw::WorkloadProgram&>(*program);
    TcpPeer& peer = platform.peer;
    w.set_request_observer([&peer](std::uint16_t conn, std::uint32_t request, std::uint32_t response) {
      peer.expect_request(conn, request, response);
    });
  }
  return program;
}

nlohmann::json workload_report(const model::Config& c, const fw::ProgramResults& r) {
  const std::string program = c.get_string("fw.program");
  const fw::OfferedLoad& o = r.offered;
  nlohmann::json j;
  j["program"] = program;
  const auto n = c.get_int("workload.messages"), conns = c.get_int("workload.connections"),
             size = c.get_int("workload.message_bytes"), window = c.get_int("workload.outstanding_per_conn");
  auto plural = [](long long x, const char* what) { return std::to_string(x) + " " + what + (x == 1 ? "" : "s"); };
  if (program == "workload") {
    j["description"] = o.description;
    j["kind"] = c.get_string("workload.kind");
    j["sizes"] = c.get_string("workload.sizes");
    j["spread"] = c.get_string("workload.spread");
    j["arrival"] = c.get_string("workload.arrival");
    j["mean_bytes"] = o.mean_bytes;
    if (c.get_string("workload.kind") == "request_response") {
      j["response_sizes"] = c.get_string("workload.response_sizes");
      j["mean_response_bytes"] = o.mean_response_bytes;
      j["response_bytes_expected"] = o.response_bytes_expected;
      j["response_bytes_received"] = o.response_bytes_received;
    }
  } else {
    std::string d = program + ": " + plural(n, program == "request_response" ? "request" : "message") + " of ";
    d += program == "many_connections" ? "uniform [1, " + std::to_string(size) + "] B" : std::to_string(size) + " B";
    d += " over " + plural(conns, "connection") + ", closed loop, " + std::to_string(window) + " outstanding per connection";
    j["description"] = d;
    j["kind"] = program == "request_response" ? "request_response" : "bulk";
    j["sizes"] = program == "many_connections" ? "uniform" : "fixed";
    j["spread"] = program == "many_connections" ? "uniform" : "round_robin";
    j["arrival"] = "closed";
    j["mean_bytes"] = program == "many_connections" ? (1.0 + double(size)) / 2 : double(size);
  }
  const double posted = double(r.messages_posted);
  j["mean_bytes_posted"] = posted > 0 ? double(o.bytes_posted) / posted : 0.0;
  j["peak_outstanding_per_conn"] = o.peak_outstanding_per_conn;
  // Posting rate over the posting span: n posts are n - 1 intervals.
  const double span = double(o.last_post_ns - o.first_post_ns);
  const double msgs_per_s = r.messages_posted > 1 && span > 0 ? (posted - 1) * 1e9 / span : 0.0;
  j["posted_msgs_per_s"] = msgs_per_s;
  j["posted_gbps"] = msgs_per_s * double(j["mean_bytes_posted"].get<double>()) * 8 / 1e9;
  if (o.mean_interval_ns > 0) {
    j["offered_gbps"] = c.get_double("workload.offered_gbps");
    j["offered_msgs_per_s"] = 1e9 / o.mean_interval_ns;
  }
  j["backlogged"] = o.backlogged;
  j["backlog_peak"] = o.backlog_peak;
  j["post_delay_ns"] = {{"mean", posted > 0 ? double(o.post_delay_sum_ns) / posted : 0.0},
                        {"max", o.post_delay_max_ns}};
  return j;
}

std::string workload_summary(const nlohmann::json& report) {
  if (!report.contains("workload")) return "";
  const nlohmann::json& w = report["workload"];
  std::string out = "  workload           " + w["description"].get<std::string>() + "\n";
  if (w["arrival"] != "closed") {
    char line[320];
    std::string offered;
    if (w.contains("offered_gbps")) {
      char buf[96];
      std::snprintf(buf, sizeof buf, "%.4g Gb/s (%.0f msg/s) offered, ", w["offered_gbps"].get<double>(),
                    w["offered_msgs_per_s"].get<double>());
      offered = buf;
    }
    std::snprintf(line, sizeof line,
                  "  open loop          %s%.4g Gb/s (%.0f msg/s) posted; %llu messages waited for a free buffer "
                  "(backlog peak %llu), post delay mean %.0f ns, max %llu ns\n",
                  offered.c_str(), w["posted_gbps"].get<double>(), w["posted_msgs_per_s"].get<double>(),
                  w["backlogged"].get<unsigned long long>(), w["backlog_peak"].get<unsigned long long>(),
                  w["post_delay_ns"]["mean"].get<double>(), w["post_delay_ns"]["max"].get<unsigned long long>());
    out += line;
  }
  return out;
}

}  // namespace toevp::tb
