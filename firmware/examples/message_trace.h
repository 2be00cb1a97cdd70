// MessageTrace: a recorded (or hand-written) sequence of messages that the
// `workload` program replays, read from a CSV file:
//
//   # comment lines and blank lines are skipped anywhere
//   bytes,conn,time_ns,response_bytes        <- header row, names in any order
//   1448,0,0,64
//   65536,3,1200,0
//
// One row per message, in posting order. Columns (only `bytes` is required;
// a column is needed only by the workload mode that uses it):
//   bytes           SEND length, 1 .. 2^30                (workload.sizes = trace)
//   conn            connection index, 0 .. connections-1  (workload.spread = trace)
//   time_ns         arrival time in ns from the start of the traffic,
//                   non-decreasing                        (workload.arrival = trace)
//   response_bytes  bytes the peer answers the request with, 0 .. 2^30
//                   (0: the request's SEND_DONE is its answer)
//                                                         (workload.response_sizes = trace)
// Values are decimal integers; fields may be padded with spaces or quoted.
// Anything else - an unknown or repeated column, a missing or extra field, a
// value that is not a number or out of range, time going backwards, no rows -
// is an error naming the file and the line (std::invalid_argument). The file
// must be a regular file of at most 1 GiB.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace toevp::fw {

class MessageTrace {
 public:
  static constexpr std::uint64_t kMaxBytes = 1ull << 30;
  static constexpr std::uint64_t kMaxFileBytes = 1ull << 30;  // about 50 million rows

  struct Row {
    std::uint32_t bytes = 0;
    std::uint32_t conn = 0;
    std::uint32_t response_bytes = 0;
    std::uint64_t time_ns = 0;
    std::uint32_t line = 0;  // 1-based line in the file, for messages
  };

  // Reads and checks the file; throws std::invalid_argument "FILE:LINE: why".
  static MessageTrace load(const std::string& path);
  // The same from text already in memory (`path` only names it in errors).
  static MessageTrace parse(const std::string& text, const std::string& path);

  const std::string& path() const { return path_; }
  std::uint32_t header_line() const { return header_line_; }
  const std::vector<Row>& rows() const { return rows_; }
  bool has_conn() const { return has_conn_; }
  bool has_time() const { return has_time_; }
  bool has_response() const { return has_response_; }

  // Throws std::invalid_argument naming the first row whose conn is not
  // below `connections`.
  void check_connections(std::uint32_t connections) const;

  // Mean of `bytes` (or of `response_bytes`) over the rows.
  double mean_bytes() const;
  double mean_response_bytes() const;
  std::uint32_t max_bytes() const;
  std::uint32_t max_response_bytes() const;
  // Replaying past the last row starts again at the first: each pass is
  // shifted by this much (the time span of the rows plus their mean gap).
  std::uint64_t period_ns() const;

 private:
  std::string path_;
  std::vector<Row> rows_;
  std::uint32_t header_line_ = 0;
  bool has_conn_ = false;
  bool has_time_ = false;
  bool has_response_ = false;
};

}  // namespace toevp::fw
