// Program registry, results helpers and parameter parsing; see
// firmware_program.h.
#include "firmware/examples/firmware_program.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "firmware/examples/bulk_sender.h"
#include "firmware/examples/many_connections.h"
#include "firmware/examples/request_response.h"
#include "firmware/examples/workload_program.h"

namespace toevp::fw {

std::uint64_t ProgramResults::latency_quantile_ns(double q) const {
  if (messages.empty()) return 0;
  std::vector<std::uint64_t> v;
  v.reserve(messages.size());
  for (const auto& m : messages) v.push_back(m.latency_ns());
  std::sort(v.begin(), v.end());
  const double rank = std::ceil(std::clamp(q, 0.0, 1.0) * static_cast<double>(v.size()));
  const std::size_t i = rank < 1 ? 0 : static_cast<std::size_t>(rank) - 1;
  return v[std::min(i, v.size() - 1)];
}

double ProgramResults::goodput_gbps() const {
  if (end_ns <= start_ns) return 0;
  return static_cast<double>(bytes_completed) * 8.0 / static_cast<double>(end_ns - start_ns);
}

std::unique_ptr<FirmwareProgram> make_program(const std::string& name, const ProgramParams& params) {
  if (name == "bulk_sender") return std::make_unique<BulkSender>(BulkSenderParams::from(params));
  if (name == "request_response") return std::make_unique<RequestResponse>(RequestResponseParams::from(params));
  if (name == "many_connections") return std::make_unique<ManyConnections>(ManyConnectionsParams::from(params));
  if (name == "workload") return std::make_unique<WorkloadProgram>(WorkloadProgramParams::from(params));
  throw std::invalid_argument("unknown firmware program '" + name + "'");
}

std::vector<std::string> program_names() {
  return {"bulk_sender", "request_response", "many_connections", "workload"};
}

// ---------------------------------------------------------------------------

namespace {

[[noreturn]] void bad(const std::string& key, const std::string& value, const char* what) {
  throw std::invalid_argument("parameter " + key + "=" + value + ": " + what);
}

}  // namespace

const std::string* ParamReader::find(const std::string& key) {
  used_.push_back(key);
  const auto it = params_.find(key);
  return it == params_.end() ? nullptr : &it->second;
}

std::uint64_t ParamReader::u64(const std::string& key, std::uint64_t fallback) {
  const std::string* v = find(key);
  if (v == nullptr) return fallback;
  try {
    std::size_t end = 0;
    const unsigned long long x = std::stoull(*v, &end, 0);
    if (end != v->size() || (!v->empty() && (*v)[0] == '-')) bad(key, *v, "not an unsigned number");
    return x;
  } catch (const std::logic_error&) {
    bad(key, *v, "not an unsigned number");
  }
}

std::uint32_t ParamReader::u32(const std::string& key, std::uint32_t fallback) {
  const std::uint64_t x = u64(key, fallback);
  if (x > 0xFFFFFFFFull) bad(key, std::to_string(x), "does not fit in 32 bits");
  return static_cast<std::uint32_t>(x);
}

int ParamReader::i32(const std::string& key, int fallback) {
  const std::string* v = find(key);
  if (v == nullptr) return fallback;
  try {
    std::size_t end = 0;
    const int x = std::stoi(*v, &end, 0);
    if (end != v->size()) bad(key, *v, "not a number");
    return x;
  } catch (const std::logic_error&) {
    bad(key, *v, "not a number");
  }
}

bool ParamReader::boolean(const std::string& key, bool fallback) {
  const std::string* v = find(key);
  if (v == nullptr) return fallback;
  if (*v == "true" || *v == "1" || *v == "on") return true;
  if (*v == "false" || *v == "0" || *v == "off") return false;
  bad(key, *v, "not a boolean (true/false)");
}

double ParamReader::real(const std::string& key, double fallback) {
  const std::string* v = find(key);
  if (v == nullptr) return fallback;
  try {
    std::size_t end = 0;
    const double x = std::stod(*v, &end);
    if (end != v->size() || !std::isfinite(x)) bad(key, *v, "not a finite number");
    return x;
  } catch (const std::logic_error&) {
    bad(key, *v, "not a finite number");
  }
}

std::string ParamReader::text(const std::string& key, const std::string& fallback) {
  const std::string* v = find(key);
  return v == nullptr ? fallback : *v;
}

MacAddr ParamReader::mac(const std::string& key, const MacAddr& fallback) {
  const std::string* v = find(key);
  if (v == nullptr) return fallback;
  unsigned b[6];
  char tail = 0;
  if (std::sscanf(v->c_str(), "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &tail) != 6)
    bad(key, *v, "not a MAC address like 02:00:00:00:00:01");
  MacAddr m{};
  for (int i = 0; i < 6; ++i) m[i] = static_cast<std::uint8_t>(b[i]);
  return m;
}

std::uint32_t ParamReader::ipv4(const std::string& key, std::uint32_t fallback) {
  const std::string* v = find(key);
  if (v == nullptr) return fallback;
  unsigned b[4];
  char tail = 0;
  if (std::sscanf(v->c_str(), "%3u.%3u.%3u.%3u%c", &b[0], &b[1], &b[2], &b[3], &tail) != 4 ||
      std::any_of(b, b + 4, [](unsigned x) { return x > 255; }))
    bad(key, *v, "not an IPv4 address like 10.0.0.1");
  return (b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3];
}

void ParamReader::finish(const std::string& program) const {
  for (const auto& [key, value] : params_) {
    if (std::find(used_.begin(), used_.end(), key) == used_.end())
      throw std::invalid_argument("unknown parameter '" + key + "' for " + program);
  }
}

}  // namespace toevp::fw
