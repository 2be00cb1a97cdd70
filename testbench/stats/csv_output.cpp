// CSV views of a run's figures. See csv_output.h.
#include "testbench/stats/csv_output.h"

#include <cstdio>

namespace toevp::tb {

namespace {

void flatten(const nlohmann::json& j, const std::string& path, std::vector<std::pair<std::string, nlohmann::json>>& out) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) flatten(it.value(), path.empty() ? it.key() : path + "." + it.key(), out);
  } else if (!j.is_array()) {
    out.emplace_back(path, j);
  }
}

std::string text_of(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  return v.dump();  // numbers as JSON writes them (exact round trip), true/false
}

}  // namespace

std::vector<std::pair<std::string, nlohmann::json>> scalar_figures(const nlohmann::json& report) {
  std::vector<std::pair<std::string, nlohmann::json>> out;
  flatten(report, "", out);
  return out;
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string q = "\"";
  for (char c : text) {
    if (c == '"') q += '"';
    q += c;
  }
  return q + "\"";
}

void write_figures_csv(std::ostream& out, const nlohmann::json& report) {
  const auto figures = scalar_figures(report);
  std::string header, row;
  for (std::size_t i = 0; i < figures.size(); ++i) {
    if (i) {
      header += ',';
      row += ',';
    }
    header += csv_field(figures[i].first);
    row += csv_field(text_of(figures[i].second));
  }
  out << header << "\n" << row << "\n";
}

void write_timeseries_csv(std::ostream& out, const model::Occupancy& contexts) {
  out << "t_ns,ctx_used,ctx_peak,ctx_mean,ctx_allocated,ctx_freed,freed_bytes,freed_gbps\n";
  const double interval_ns = double(contexts.interval_fs()) / 1e6;
  char line[256];
  for (const model::OccupancySample& s : contexts.samples()) {
    // Sample instants are whole nanoseconds (the interval is set in ns).
    std::snprintf(line, sizeof line, "%llu,%llu,%llu,%.4f,%llu,%llu,%llu,%.4f\n",
                  static_cast<unsigned long long>(s.t_fs / 1'000'000),
                  static_cast<unsigned long long>(s.value), static_cast<unsigned long long>(s.peak), s.mean,
                  static_cast<unsigned long long>(s.rises), static_cast<unsigned long long>(s.falls),
                  static_cast<unsigned long long>(s.amount),
                  interval_ns > 0 ? double(s.amount) * 8 / interval_ns : 0.0);
    out << line;
  }
}

}  // namespace toevp::tb
