// Workload: config -> firmware program parameters. See workload.h.
#include "testbench/workload.h"

#include <string>

namespace toevp::tb {

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
  return fw::make_program(c.get_string("fw.program"), program_params(c));
}

}  // namespace toevp::tb
