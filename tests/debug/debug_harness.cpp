// Shared steps of the firmware-mistake tests; see debug_harness.h.
#include "tests/debug/debug_harness.h"

#include <algorithm>
#include <vector>

#include <systemc>

#include "firmware/examples/payload_pattern.h"

namespace toevp::tb::debug_test {

namespace {

std::vector<std::string>& log_lines() {
  static std::vector<std::string> lines;
  return lines;
}

void capture(const sc_core::sc_report& r, const sc_core::sc_actions& actions) {
  if (r.get_severity() >= sc_core::SC_WARNING) log_lines().push_back(std::string(r.get_msg_type()) + ": " + r.get_msg());
  sc_core::sc_report_handler::default_handler(r, actions);
}

}  // namespace

model::Config make_config(const std::vector<std::string>& assignments) {
  model::Config c;
  for (const auto& a : assignments) c.set_assignment(a);
  c.check_consistency();
  return c;
}

LogCapture::LogCapture() { sc_core::sc_report_handler::set_handler(capture); }

const std::vector<std::string>& LogCapture::lines() { return log_lines(); }

std::size_t LogCapture::count_since(std::size_t mark, const std::string& text) {
  const auto& l = log_lines();
  return static_cast<std::size_t>(std::count_if(l.begin() + static_cast<std::ptrdiff_t>(std::min(mark, l.size())), l.end(),
                                                [&](const std::string& s) { return s.find(text) != std::string::npos; }));
}

fw::ConnectParams connect_params(std::uint16_t conn) {
  fw::ConnectParams c;
  c.conn_id = conn;
  c.local_mac = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
  c.peer_mac = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};
  c.local_ip = 0x0A000001;
  c.peer_ip = 0x0A000002;
  c.local_port = static_cast<std::uint16_t>(40000 + conn);
  c.peer_port = 5001;
  return c;
}

void fill_pattern(fw::HostInterface& host, std::uint64_t addr, std::uint16_t conn, std::uint64_t offset,
                  std::uint32_t len) {
  std::vector<std::uint8_t> bytes(len);
  fw::PayloadPattern::instance().fill(conn, offset, bytes.data(), bytes.size());
  host.mem_write(addr, bytes.data(), bytes.size());
}

bool next(fw::Driver& drv, fw::Completion& c, std::uint64_t timeout_ns) { return drv.wait_completion(c, timeout_ns); }

bool next_of(fw::Driver& drv, abi::CqeType type, fw::Completion& c, std::vector<fw::Completion>* skipped,
             std::uint64_t timeout_ns) {
  while (drv.wait_completion(c, timeout_ns)) {
    if (c.type == type) return true;
    if (skipped) skipped->push_back(c);
  }
  return false;
}

}  // namespace toevp::tb::debug_test
