// MessageTrace: CSV parsing and checks; see message_trace.h.
#include "firmware/examples/message_trace.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <boost/tokenizer.hpp>

namespace toevp::fw {

namespace {

enum Column { kBytes, kConn, kTime, kResponse, kColumns };
constexpr std::array<const char*, kColumns> kNames = {"bytes", "conn", "time_ns", "response_bytes"};

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

[[noreturn]] void fail(const std::string& path, std::uint32_t line, const std::string& why) {
  throw std::invalid_argument(path + ":" + std::to_string(line) + ": " + why);
}

// The fields of one CSV line (quotes and backslash escapes as RFC 4180-ish
// Boost.Tokenizer understands them), trimmed.
std::vector<std::string> split(const std::string& line, const std::string& path, std::uint32_t n) {
  std::vector<std::string> out;
  // Boost's separator accepts an unterminated quote (it reads to the end of
  // the line); a CSV writer never produces one.
  std::size_t quotes = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\\') ++i;
    else if (line[i] == '"') ++quotes;
  }
  if (quotes % 2 != 0) fail(path, n, "malformed CSV: a quote is not closed");
  try {
    boost::tokenizer<boost::escaped_list_separator<char>> tok(line);
    for (const auto& f : tok) out.push_back(trim(f));
  } catch (const boost::escaped_list_error& e) {
    fail(path, n, std::string("malformed CSV: ") + e.what());
  }
  return out;
}

std::uint64_t number(const std::string& field, const char* column, std::uint64_t lo, std::uint64_t hi,
                     const std::string& path, std::uint32_t n) {
  std::uint64_t v = 0;
  const char* end = field.data() + field.size();
  const auto [p, ec] = std::from_chars(field.data(), end, v);
  if (field.empty() || ec != std::errc() || p != end || v < lo || v > hi)
    fail(path, n, std::string("column '") + column + "': value '" + field + "' is not an integer in [" +
                      std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return v;
}

}  // namespace

MessageTrace MessageTrace::load(const std::string& path) {
  // Not a device or a FIFO (/dev/zero would never end), nor a file too large
  // to hold: a trace is read whole before the run.
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) throw std::invalid_argument(path + ": cannot open the workload trace file");
  if (!std::filesystem::is_regular_file(status)) throw std::invalid_argument(path + ": the workload trace is not a regular file");
  if (std::filesystem::file_size(path, ec) > kMaxFileBytes)
    throw std::invalid_argument(path + ": the workload trace is larger than " + std::to_string(kMaxFileBytes >> 20) + " MiB");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::invalid_argument(path + ": cannot open the workload trace file");
  std::ostringstream text;
  text << in.rdbuf();
  return parse(text.str(), path);
}

MessageTrace MessageTrace::parse(const std::string& text, const std::string& path) {
  MessageTrace t;
  t.path_ = path;
  std::array<int, kColumns> index;
  index.fill(-1);
  std::size_t fields = 0;
  bool header = false;
  std::istringstream in(text);
  std::uint32_t n = 0;
  for (std::string line; std::getline(in, line);) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const std::string bare = trim(line);
    if (bare.empty() || bare[0] == '#') continue;
    const std::vector<std::string> f = split(line, path, n);
    if (!header) {
      header = true;
      t.header_line_ = n;
      fields = f.size();
      for (std::size_t i = 0; i < f.size(); ++i) {
        const auto it = std::find(kNames.begin(), kNames.end(), f[i]);
        if (it == kNames.end())
          fail(path, n, "unknown column '" + f[i] + "' in the header row (expected bytes, conn, time_ns, response_bytes)");
        const auto col = static_cast<std::size_t>(it - kNames.begin());
        if (index[col] >= 0) fail(path, n, "column '" + f[i] + "' appears twice in the header row");
        index[col] = static_cast<int>(i);
      }
      if (index[kBytes] < 0) fail(path, n, "the header row has no 'bytes' column (the first line that is not a comment is the header)");
      t.has_conn_ = index[kConn] >= 0;
      t.has_time_ = index[kTime] >= 0;
      t.has_response_ = index[kResponse] >= 0;
      continue;
    }
    if (f.size() != fields)
      fail(path, n, std::to_string(f.size()) + " fields, the header row has " + std::to_string(fields));
    Row r;
    r.line = n;
    r.bytes = static_cast<std::uint32_t>(number(f[index[kBytes]], "bytes", 1, kMaxBytes, path, n));
    if (t.has_conn_) r.conn = static_cast<std::uint32_t>(number(f[index[kConn]], "conn", 0, 65534, path, n));
    if (t.has_time_) {
      r.time_ns = number(f[index[kTime]], "time_ns", 0, 1ull << 62, path, n);
      if (!t.rows_.empty() && r.time_ns < t.rows_.back().time_ns)
        fail(path, n, "time_ns " + std::to_string(r.time_ns) + " is before the previous row's " +
                          std::to_string(t.rows_.back().time_ns) + " (rows are in arrival order)");
    }
    if (t.has_response_)
      r.response_bytes = static_cast<std::uint32_t>(number(f[index[kResponse]], "response_bytes", 0, kMaxBytes, path, n));
    t.rows_.push_back(r);
  }
  if (!header) fail(path, n, "no header row (expected a line like: bytes,conn,time_ns,response_bytes)");
  if (t.rows_.empty()) fail(path, n, "no message rows after the header row");
  return t;
}

void MessageTrace::check_connections(std::uint32_t connections) const {
  for (const Row& r : rows_)
    if (r.conn >= connections)
      fail(path_, r.line, "column 'conn': value '" + std::to_string(r.conn) + "' is not below workload.connections (" +
                              std::to_string(connections) + ")");
}

double MessageTrace::mean_bytes() const {
  double sum = 0;
  for (const Row& r : rows_) sum += r.bytes;
  return sum / static_cast<double>(rows_.size());
}

double MessageTrace::mean_response_bytes() const {
  double sum = 0;
  for (const Row& r : rows_) sum += r.response_bytes;
  return sum / static_cast<double>(rows_.size());
}

std::uint32_t MessageTrace::max_bytes() const {
  std::uint32_t m = 0;
  for (const Row& r : rows_) m = std::max(m, r.bytes);
  return m;
}

std::uint32_t MessageTrace::max_response_bytes() const {
  std::uint32_t m = 0;
  for (const Row& r : rows_) m = std::max(m, r.response_bytes);
  return m;
}

std::uint64_t MessageTrace::period_ns() const {
  const std::uint64_t span = rows_.back().time_ns - rows_.front().time_ns;
  const std::uint64_t gap = rows_.size() > 1 ? span / (rows_.size() - 1) : 0;
  return span + gap;
}

}  // namespace toevp::fw
