// Config loading and validation. The schema itself is in config_schema.cpp.
#include "model/common/config.h"

#include <algorithm>
#include <boost/program_options.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace po = boost::program_options;

namespace toevp::model {
namespace {

std::string describe_allowed(const KeySpec& s) {
  std::ostringstream os;
  switch (s.kind) {
    case KeySpec::Kind::kInt:  // exact bounds: 16777216, not 1.67772e+07
      os << "an integer in [" << static_cast<long long>(s.min) << ", " << static_cast<long long>(s.max) << "]";
      if (!s.unit.empty()) os << " " << s.unit;
      break;
    case KeySpec::Kind::kDouble:
      os << "a number in [" << s.min << ", " << s.max << "]";
      if (!s.unit.empty()) os << " " << s.unit;
      break;
    case KeySpec::Kind::kBool: os << "true or false"; break;
    case KeySpec::Kind::kChoice: {
      os << "one of";
      for (auto& c : s.choices) os << " " << c;
      break;
    }
    case KeySpec::Kind::kString: os << "a string"; break;
  }
  return os.str();
}

// Returns the canonical spelling of `value` for `spec`, or throws.
std::string validate(const KeySpec& spec, const std::string& value) {
  auto bad = [&]() {
    return ConfigError("config key '" + spec.key + "': value '" + value + "' is not allowed; expected " +
                       describe_allowed(spec));
  };
  switch (spec.kind) {
    case KeySpec::Kind::kInt: {
      std::size_t used = 0;
      long long v = 0;
      try {
        v = std::stoll(value, &used, 0);
      } catch (...) {
        throw bad();
      }
      if (used != value.size() || v < spec.min || v > spec.max) throw bad();
      return std::to_string(v);
    }
    case KeySpec::Kind::kDouble: {
      std::size_t used = 0;
      double v = 0;
      try {
        v = std::stod(value, &used);
      } catch (...) {
        throw bad();
      }
      if (used != value.size() || !std::isfinite(v) || v < spec.min || v > spec.max) throw bad();
      return value;
    }
    case KeySpec::Kind::kBool:
      if (value == "true" || value == "1" || value == "yes" || value == "on") return "true";
      if (value == "false" || value == "0" || value == "no" || value == "off") return "false";
      throw bad();
    case KeySpec::Kind::kChoice:
      for (auto& c : spec.choices)
        if (c == value) return value;
      throw bad();
    case KeySpec::Kind::kString: return value;
  }
  throw bad();
}

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t");
  auto e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

}  // namespace

const KeySpec* Config::find_spec(const std::string& key) {
  for (auto& s : schema())
    if (s.key == key) return &s;
  return nullptr;
}

Config::Config() {
  for (auto& s : schema()) values_[s.key] = s.default_value;
}

void Config::set(const std::string& key, const std::string& value) {
  const KeySpec* spec = find_spec(key);
  if (!spec) throw ConfigError("unknown config key '" + key + "' (toevp config --list shows every key)");
  std::string v = validate(*spec, trim(value));
  // Files are kept as absolute paths, so a design point means the same file
  // wherever its config is written out and read back.
  if (spec->unit == "path" && !v.empty()) v = std::filesystem::absolute(v).lexically_normal().string();
  values_[key] = v;
}

void Config::set_assignment(const std::string& kv) {
  auto eq = kv.find('=');
  if (eq == std::string::npos || eq == 0)
    throw ConfigError("--set expects key=value, got '" + kv + "'");
  set(trim(kv.substr(0, eq)), kv.substr(eq + 1));
}

void Config::load_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError("cannot open config file '" + path + "'");
  po::options_description desc;
  for (auto& s : schema()) desc.add_options()(s.key.c_str(), po::value<std::string>());
  po::variables_map vm;
  try {
    // allow_unregistered = false: an unknown key is an error, not ignored.
    po::store(po::parse_config_file(in, desc, false), vm);
  } catch (const po::unknown_option& e) {
    throw ConfigError(path + ": unknown config key '" + e.get_option_name() +
                      "' (toevp config --list shows every key)");
  } catch (const po::error& e) {
    throw ConfigError(path + ": " + e.what());
  }
  for (auto& [key, v] : vm) {
    try {
      std::string value = v.as<std::string>();
      // A file named in a config file is found beside it, wherever toevp runs.
      const KeySpec* spec = find_spec(key);
      if (spec->unit == "path" && !trim(value).empty() && std::filesystem::path(trim(value)).is_relative())
        value = (std::filesystem::path(path).parent_path() / trim(value)).string();
      set(key, value);
    } catch (const ConfigError& e) {
      throw ConfigError(path + ": " + e.what());
    }
  }
}

const std::string& Config::raw(const std::string& key) const {
  auto it = values_.find(key);
  if (it == values_.end()) throw ConfigError("internal: config key '" + key + "' is not in the schema");
  return it->second;
}

std::int64_t Config::get_int(const std::string& key) const { return std::stoll(raw(key), nullptr, 0); }
std::uint64_t Config::get_u64(const std::string& key) const {
  return static_cast<std::uint64_t>(get_int(key));
}
double Config::get_double(const std::string& key) const { return std::stod(raw(key)); }
bool Config::get_bool(const std::string& key) const { return raw(key) == "true"; }
const std::string& Config::get_string(const std::string& key) const { return raw(key); }

std::string Config::documented_defaults() {
  std::ostringstream os;
  os << "# toevp design point: every key with its default value.\n"
        "# Generated by `toevp config --defaults`; edit a copy, or override single\n"
        "# keys with --set section.key=value. Units and ranges are in the comments.\n";
  std::string section;
  for (auto& s : schema()) {
    auto dot = s.key.find('.');
    std::string sec = s.key.substr(0, dot);
    if (sec != section) {
      os << "\n[" << sec << "]\n";
      section = sec;
    }
    os << "# " << s.doc << "\n#   " << describe_allowed(s) << "\n";
    os << s.key.substr(dot + 1) << " = " << s.default_value << "\n";
  }
  return os.str();
}

std::string Config::markdown_reference() {
  auto cell = [](const std::string& s) {  // a '|' would end the table cell
    std::string out;
    for (char ch : s) {
      if (ch == '|') out += '\\';
      out += ch;
    }
    return out;
  };
  std::ostringstream os;
  std::string section;
  for (auto& s : schema()) {
    const auto dot = s.key.find('.');
    const std::string sec = s.key.substr(0, dot);
    if (sec != section) {
      os << (section.empty() ? "" : "\n") << "### [" << sec << "]\n\n| key | default | allowed | meaning |\n|---|---|---|---|\n";
      section = sec;
    }
    os << "| `" << s.key << "` | ";
    if (s.default_value.empty()) os << "(empty)";
    else os << '`' << cell(s.default_value) << '`';
    os << " | " << cell(describe_allowed(s)) << " | " << cell(s.doc) << " |\n";
  }
  return os.str();
}

void Config::check_consistency() const {
  auto fail = [](const std::string& why) { throw ConfigError(why); };
  const auto entries = get_int("tcb.cache_entries"), ways = get_int("tcb.cache_ways");
  if (entries % ways != 0)
    fail("config keys 'tcb.cache_entries' (" + std::to_string(entries) + ") and 'tcb.cache_ways' (" +
         std::to_string(ways) + "): the number of entries must be a multiple of the ways");
  const auto frame = get_int("mac.mtu") + 14;
  if (get_int("nic.tx_buffer_bytes") != 0 && get_int("nic.tx_buffer_bytes") < frame)  // 0: auto, sized by the NIC
    fail("config key 'nic.tx_buffer_bytes' (" + std::to_string(get_int("nic.tx_buffer_bytes")) +
         ") must hold one largest frame, mac.mtu + 14 = " + std::to_string(frame) + " bytes");
  for (const char* k : {"fw.sq_entries", "fw.cq_entries"}) {
    const auto v = get_int(k);
    if (v & (v - 1)) fail(std::string("config key '") + k + "' (" + std::to_string(v) + ") must be a power of two");
  }
  if (get_string("sim.mode") == "fast" && get_string("nic.header_gen") == "rtl")
    fail("config keys 'sim.mode' (fast) and 'nic.header_gen' (rtl): the Verilated header generator runs in cycle "
         "mode only (fast mode formats headers with the C++ model)");
  check_workload();
}

// The workload.* keys that only fw.program = workload reads: with another
// program, setting one is a mistake the user should hear about.
namespace {
const char* const kWorkloadProgramKeys[] = {
    "workload.kind", "workload.spread", "workload.zipf_s", "workload.hot_fraction", "workload.hot_traffic",
    "workload.sizes", "workload.size_min", "workload.size_max", "workload.bimodal_small", "workload.bimodal_large",
    "workload.bimodal_large_fraction", "workload.response_sizes", "workload.response_bytes", "workload.response_min",
    "workload.response_max", "workload.response_bimodal_small", "workload.response_bimodal_large",
    "workload.response_bimodal_large_fraction", "workload.arrival", "workload.offered_gbps", "workload.trace_file"};
}  // namespace

void Config::check_workload() const {
  auto fail = [](const std::string& why) { throw ConfigError(why); };
  auto key = [&](const char* k) { return std::string("config key '") + k + "' (" + raw(k) + ")"; };
  const std::string program = get_string("fw.program");
  if (program != "workload") {
    for (const char* k : kWorkloadProgramKeys) {
      const KeySpec& spec = *find_spec(k);
      const bool is_default = spec.kind == KeySpec::Kind::kDouble ? get_double(k) == std::stod(spec.default_value)
                                                                   : raw(k) == spec.default_value;
      if (!is_default)
        fail(key(k) + " is read by fw.program = workload only; fw.program is " + program);
    }
    if (get_int("workload.messages") == 0) fail(key("workload.messages") + " must be at least 1 with fw.program = " + program);
  }
  const bool rr = program == "workload" && get_string("workload.kind") == "request_response";
  const std::string sizes = get_string("workload.sizes"), responses = get_string("workload.response_sizes");
  if (sizes == "uniform" && get_int("workload.size_min") > get_int("workload.size_max"))
    fail(key("workload.size_min") + " must not exceed " + key("workload.size_max"));
  if (rr && responses == "uniform" && get_int("workload.response_min") > get_int("workload.response_max"))
    fail(key("workload.response_min") + " must not exceed " + key("workload.response_max"));
  const bool traced = sizes == "trace" || (rr && responses == "trace") || get_string("workload.spread") == "trace" ||
                      get_string("workload.arrival") == "trace";
  const std::string& trace = get_string("workload.trace_file");
  if (traced && trace.empty())
    fail("config key 'workload.trace_file' is empty, but workload.sizes, response_sizes, spread or arrival is trace");
  if (!traced && !trace.empty())
    fail(key("workload.trace_file") + " is set, but none of workload.sizes, response_sizes, spread, arrival is trace");
  if (get_int("workload.messages") == 0 && !traced)
    fail(key("workload.messages") + ": 0 (one pass over the trace) needs workload.trace_file");
  if (rr && get_string("link.partner") == "peer" && (get_int("peer.request_bytes") != 0 || get_int("peer.response_bytes") != 0))
    fail("config keys 'peer.request_bytes' and 'peer.response_bytes' give the peer a fixed framing of its own; with "
         "workload.kind = request_response the workload frames the requests (workload.response_*): leave them 0");
  if (rr && get_string("link.partner") == "tap" && !(responses == "fixed" && get_int("workload.response_bytes") == 0))
    fail("config key 'workload.kind' (request_response): a Linux peer behind link.partner = tap cannot be told the "
         "response sizes; use workload.response_sizes = fixed with workload.response_bytes = 0");

  // Host memory must hold every message buffer the workload keeps posted,
  // plus rings and tables (a generous 16 MiB). A trace's sizes are checked
  // when it is read.
  auto largest = [&](const std::string& dist, const std::string& prefix, const char* fixed, const char* max) -> double {
    if (dist == "fixed") return double(get_int(fixed));
    if (dist == "uniform") return double(get_int(max));
    if (dist == "bimodal") {
      const double p = get_double(prefix + "bimodal_large_fraction");
      const auto small = get_int(prefix + "bimodal_small"), large = get_int(prefix + "bimodal_large");
      return double(p <= 0 ? small : p >= 1 ? large : std::max(small, large));
    }
    return 0;
  };
  const bool own_sizes = program == "workload";
  const double largest_message = own_sizes ? largest(sizes, "workload.", "workload.message_bytes", "workload.size_max")
                                           : double(get_int("workload.message_bytes"));
  const double largest_response =
      rr ? largest(responses, "workload.response_", "workload.response_bytes", "workload.response_max") : 0;
  const double slots = double(get_int("workload.connections")) * double(get_int("workload.outstanding_per_conn"));
  const double buffers = slots * (largest_message + largest_response);
  const double memory = double(get_int("host.memory_mb")) * 1048576.0;
  if (buffers + 16.0 * 1048576.0 > memory)
    fail("config key 'host.memory_mb' (" + std::to_string(get_int("host.memory_mb")) +
         ") is too small for workload.connections x workload.outstanding_per_conn x (largest message" +
         std::string(rr ? " + largest response" : "") + ") = " + std::to_string(static_cast<long long>(buffers)) +
         " bytes of buffers plus 16 MiB of rings");
}

nlohmann::json Config::to_json() const {
  nlohmann::json j = nlohmann::json::object();
  for (auto& s : schema()) {
    auto dot = s.key.find('.');
    auto& slot = j[s.key.substr(0, dot)][s.key.substr(dot + 1)];
    switch (s.kind) {
      case KeySpec::Kind::kInt: slot = get_int(s.key); break;
      case KeySpec::Kind::kDouble: slot = get_double(s.key); break;
      case KeySpec::Kind::kBool: slot = get_bool(s.key); break;
      default: slot = get_string(s.key); break;
    }
  }
  return j;
}

}  // namespace toevp::model
