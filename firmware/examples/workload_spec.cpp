// WorkloadSpec: reading, checking and describing a workload; see workload_spec.h.
#include "firmware/examples/workload_spec.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <stdexcept>

namespace toevp::fw {

namespace {

[[noreturn]] void bad(const std::string& key, const std::string& value, const std::string& why) {
  throw std::invalid_argument("parameter " + key + "=" + value + ": " + why);
}

template <typename E, std::size_t N>
E choice(ParamReader& r, const std::string& key, E fallback, const std::pair<const char*, E> (&names)[N]) {
  const char* def = nullptr;
  for (const auto& [n, e] : names)
    if (e == fallback) def = n;
  const std::string v = r.text(key, def);
  for (const auto& [n, e] : names)
    if (v == n) return e;
  std::string allowed;
  for (const auto& [n, e] : names) allowed += std::string(allowed.empty() ? "" : ", ") + n;
  bad(key, v, "expected one of " + allowed);
}

constexpr std::pair<const char*, SizeSpec::Kind> kSizeKinds[] = {
    {"fixed", SizeSpec::Kind::kFixed}, {"uniform", SizeSpec::Kind::kUniform},
    {"bimodal", SizeSpec::Kind::kBimodal}, {"trace", SizeSpec::Kind::kTrace}};
constexpr std::pair<const char*, Spread> kSpreads[] = {{"round_robin", Spread::kRoundRobin},
                                                       {"uniform", Spread::kUniform},
                                                       {"zipf", Spread::kZipf},
                                                       {"hot_set", Spread::kHotSet},
                                                       {"trace", Spread::kTrace}};
constexpr std::pair<const char*, Arrival> kArrivals[] = {
    {"closed", Arrival::kClosed}, {"fixed", Arrival::kFixed}, {"poisson", Arrival::kPoisson}, {"trace", Arrival::kTrace}};

template <typename E, std::size_t N>
const char* name_of(E e, const std::pair<const char*, E> (&names)[N]) {
  for (const auto& [n, x] : names)
    if (x == e) return n;
  return "?";
}

std::string number_text(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

std::uint32_t size_param(ParamReader& r, const std::string& key, std::uint32_t fallback, std::uint32_t lo) {
  const std::uint64_t v = r.u64(key, fallback);
  if (v < lo || v > MessageTrace::kMaxBytes)
    bad(key, std::to_string(v), "expected " + std::to_string(lo) + " .. " + std::to_string(MessageTrace::kMaxBytes) + " bytes");
  return static_cast<std::uint32_t>(v);
}

double fraction_param(ParamReader& r, const std::string& key, double fallback) {
  const double v = r.real(key, fallback);
  if (v < 0 || v > 1) bad(key, number_text(v), "expected a fraction in [0, 1]");
  return v;
}

// Reads one size distribution; `prefix` is "" (requests) or "response_".
SizeSpec read_sizes(ParamReader& r, const std::string& prefix, const SizeSpec& def, std::uint32_t lo) {
  SizeSpec s;
  s.kind = choice(r, prefix + "sizes", def.kind, kSizeKinds);
  s.fixed = size_param(r, prefix.empty() ? "message_bytes" : "response_bytes", def.fixed, lo);
  s.min = size_param(r, prefix.empty() ? "size_min" : "response_min", def.min, lo);
  s.max = size_param(r, prefix.empty() ? "size_max" : "response_max", def.max, lo);
  s.small = size_param(r, prefix + "bimodal_small", def.small, lo);
  s.large = size_param(r, prefix + "bimodal_large", def.large, lo);
  s.large_fraction = fraction_param(r, prefix + "bimodal_large_fraction", def.large_fraction);
  if (s.kind == SizeSpec::Kind::kUniform && s.min > s.max)
    bad(prefix.empty() ? "size_min" : "response_min", std::to_string(s.min),
        "larger than " + std::string(prefix.empty() ? "size_max" : "response_max") + "=" + std::to_string(s.max));
  return s;
}

std::string bytes_text(double b) {
  char buf[32];
  std::snprintf(buf, sizeof buf, b == std::floor(b) ? "%.0f B" : "%.1f B", b);
  return buf;
}

}  // namespace

const char* to_string(SizeSpec::Kind k) { return name_of(k, kSizeKinds); }
const char* to_string(Spread s) { return name_of(s, kSpreads); }
const char* to_string(Arrival a) { return name_of(a, kArrivals); }

double SizeSpec::mean(const MessageTrace* trace, bool response) const {
  switch (kind) {
    case Kind::kFixed: return fixed;
    case Kind::kUniform: return (double(min) + double(max)) / 2;
    case Kind::kBimodal: return (1 - large_fraction) * small + large_fraction * large;
    case Kind::kTrace:
      if (trace == nullptr) return 0;
      return response ? trace->mean_response_bytes() : trace->mean_bytes();
  }
  return 0;
}

std::uint32_t SizeSpec::largest(const MessageTrace* trace, bool response) const {
  switch (kind) {
    case Kind::kFixed: return fixed;
    case Kind::kUniform: return max;
    case Kind::kBimodal:
      return large_fraction <= 0 ? small : large_fraction >= 1 ? large : std::max(small, large);
    case Kind::kTrace:
      if (trace == nullptr) return 0;
      return response ? trace->max_response_bytes() : trace->max_bytes();
  }
  return 0;
}

std::string SizeSpec::describe(const MessageTrace* trace) const {
  char buf[160];
  switch (kind) {
    case Kind::kFixed: return "fixed " + bytes_text(fixed);
    case Kind::kUniform:
      std::snprintf(buf, sizeof buf, "uniform [%u, %u] B", min, max);
      return buf;
    case Kind::kBimodal:
      std::snprintf(buf, sizeof buf, "bimodal %u B / %u B (%.3g %% large)", small, large, 100 * large_fraction);
      return buf;
    case Kind::kTrace:  // the name; the config in the report has the whole path
      return "trace " + (trace ? std::filesystem::path(trace->path()).filename().string() : std::string("?"));
  }
  return "?";
}

WorkloadSpec WorkloadSpec::read(ParamReader& r) {
  WorkloadSpec w;
  const std::string kind = r.text("kind", "bulk");
  if (kind != "bulk" && kind != "request_response") bad("kind", kind, "expected one of bulk, request_response");
  w.request_response = kind == "request_response";
  w.connections = r.u32("connections", w.connections);
  w.messages = r.u64("messages", w.messages);
  w.outstanding_per_conn = r.u32("outstanding_per_conn", w.outstanding_per_conn);
  w.sizes = read_sizes(r, "", w.sizes, 1);
  w.responses = read_sizes(r, "response_", w.responses, 0);
  w.spread = choice(r, "spread", w.spread, kSpreads);
  w.zipf_s = r.real("zipf_s", w.zipf_s);
  w.hot_fraction = fraction_param(r, "hot_fraction", w.hot_fraction);
  w.hot_traffic = fraction_param(r, "hot_traffic", w.hot_traffic);
  w.arrival = choice(r, "arrival", w.arrival, kArrivals);
  w.offered_gbps = r.real("offered_gbps", w.offered_gbps);
  w.seed = r.u64("seed", w.seed);
  const std::string trace_file = r.text("trace_file", "");
  if (w.connections == 0 || w.connections > 65535) bad("connections", std::to_string(w.connections), "expected 1 .. 65535");
  if (w.outstanding_per_conn == 0) bad("outstanding_per_conn", "0", "expected at least 1");
  if (w.zipf_s < 0 || w.zipf_s > 10) bad("zipf_s", number_text(w.zipf_s), "expected an exponent in [0, 10]");
  if (!(w.offered_gbps > 0) || w.offered_gbps > 1e4)
    bad("offered_gbps", number_text(w.offered_gbps), "expected a rate in (0, 10000] Gb/s");
  const bool uses_trace = w.sizes.kind == SizeSpec::Kind::kTrace || w.spread == Spread::kTrace ||
                          w.arrival == Arrival::kTrace ||
                          (w.request_response && w.responses.kind == SizeSpec::Kind::kTrace);
  if (uses_trace && trace_file.empty())
    bad("trace_file", "", "a trace file is needed: sizes, response_sizes, spread or arrival is 'trace'");
  if (!trace_file.empty()) {
    if (!uses_trace) bad("trace_file", trace_file, "no parameter uses the trace (none of sizes, response_sizes, spread, arrival is 'trace')");
    w.trace = std::make_shared<const MessageTrace>(MessageTrace::load(trace_file));
  }
  w.check();
  return w;
}

void WorkloadSpec::check() const {
  const MessageTrace* t = trace.get();
  auto need = [&](bool used, bool has, const char* column, const char* key) {
    if (used && !has)
      throw std::invalid_argument(t->path() + ":" + std::to_string(t->header_line()) +
                                  ": the header row has no '" + column + "' column, which " + key + " = trace needs");
  };
  if (t != nullptr) {
    need(spread == Spread::kTrace, t->has_conn(), "conn", "spread");
    need(arrival == Arrival::kTrace, t->has_time(), "time_ns", "arrival");
    need(request_response && responses.kind == SizeSpec::Kind::kTrace, t->has_response(), "response_bytes",
         "response_sizes");
    if (spread == Spread::kTrace) t->check_connections(connections);
  }
  if (messages == 0 && t == nullptr) bad("messages", "0", "0 (one pass over the trace) needs a trace file");
}

std::uint64_t WorkloadSpec::total_messages() const {
  return messages == 0 && trace ? trace->rows().size() : messages;
}

double WorkloadSpec::mean_interval_ns() const { return mean_bytes() * 8.0 / offered_gbps; }

std::string WorkloadSpec::describe() const {
  std::string s = request_response ? "request_response" : "bulk";
  auto count = [](std::uint64_t n, const char* what) { return std::to_string(n) + " " + what + (n == 1 ? "" : "s"); };
  s += ", " + count(total_messages(), "message") + " over " + count(connections, "connection") + " (" + to_string(spread) + ")";
  s += ", sizes " + sizes.describe(trace.get()) + " (mean " + bytes_text(mean_bytes()) + ")";
  if (request_response) s += ", responses " + responses.describe(trace.get()) + " (mean " + bytes_text(mean_response_bytes()) + ")";
  char buf[96];
  if (arrival == Arrival::kClosed)
    std::snprintf(buf, sizeof buf, ", closed loop, %u outstanding per connection", outstanding_per_conn);
  else if (arrival == Arrival::kTrace)
    std::snprintf(buf, sizeof buf, ", open loop, arrival times from the trace");
  else
    std::snprintf(buf, sizeof buf, ", open loop %s at %.6g Gb/s", to_string(arrival), offered_gbps);
  return s + buf;
}

}  // namespace toevp::fw
