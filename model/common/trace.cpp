// The transaction trace writer. See trace.h for what is recorded and the
// line format.
#include "model/common/trace.h"

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include <systemc>

#include "model/common/clock_domain.h"

namespace toevp::model::trace {

namespace {

struct Named {
  Category category;
  const char* name;
};
constexpr Named kCategories[] = {{kMmio, "mmio"},       {kDma, "dma"}, {kDoorbell, "doorbell"},
                                 {kCompletion, "completion"}, {kIrq, "irq"}, {kCtx, "ctx"}};

struct Writer {
  std::FILE* file = nullptr;
  std::uint64_t period_fs = 4'000'000;
  std::uint64_t records = 0;
};
Writer& writer() {
  static Writer w;
  return w;
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  const auto e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

}  // namespace

std::uint32_t parse_filter(const std::string& list) {
  std::uint32_t mask = 0;
  std::size_t start = 0;
  while (start <= list.size()) {
    const std::size_t comma = std::min(list.find(',', start), list.size());
    const std::string word = trim(list.substr(start, comma - start));
    start = comma + 1;
    if (word.empty()) continue;
    if (word == "all") {
      mask |= kAll;
      continue;
    }
    bool known = false;
    for (const auto& c : kCategories) {
      if (word != c.name) continue;
      mask |= c.category;
      known = true;
    }
    if (!known)
      throw std::invalid_argument("unknown trace category '" + word +
                                  "' (known: mmio, dma, doorbell, completion, irq, ctx, all)");
  }
  return mask;
}

const char* category_name(Category c) {
  for (const auto& k : kCategories)
    if (k.category == c) return k.name;
  return "?";
}

void open(const std::string& path, std::uint32_t mask, std::uint64_t core_period_fs) {
  close();
  Writer& w = writer();
  w.file = std::fopen(path.c_str(), "w");
  if (w.file == nullptr) throw std::runtime_error("cannot write the trace file '" + path + "'");
  // Large buffer: a busy trace is millions of short lines.
  std::setvbuf(w.file, nullptr, _IOFBF, 1 << 20);
  w.period_fs = core_period_fs ? core_period_fs : 1;
  w.records = 0;
  std::fprintf(w.file, "# toevp transaction trace; core clock period %.3f ns; categories:",
               double(w.period_fs) / 1e6);
  for (const auto& c : kCategories)
    if (mask & c.category) std::fprintf(w.file, " %s", c.name);
  std::fprintf(w.file, "\n#      cycle         time_ns category   component          event\n");
  static const bool registered = [] { return std::atexit(close) == 0; }();
  (void)registered;
  g_mask = mask;
}

void close() {
  g_mask = 0;
  Writer& w = writer();
  if (w.file == nullptr) return;
  std::fclose(w.file);
  w.file = nullptr;
}

bool is_open() { return writer().file != nullptr; }
std::uint64_t records() { return writer().records; }

std::uint64_t cycle_of_fs(std::uint64_t fs) { return fs / writer().period_fs; }

void emit(Category c, const char* component, const char* fmt, ...) {
  Writer& w = writer();
  if (w.file == nullptr) return;
  const std::uint64_t fs = ClockDomain::to_fs(sc_core::sc_time_stamp());
  std::fprintf(w.file, "%12llu %15.3f %-10s %-18s ", static_cast<unsigned long long>(fs / w.period_fs),
               double(fs) / 1e6, category_name(c), component);
  va_list args;
  va_start(args, fmt);
  std::vfprintf(w.file, fmt, args);
  va_end(args);
  std::fputc('\n', w.file);
  ++w.records;
}

const char* cqe_type_name(unsigned type) {
  static constexpr const char* kNames[] = {"?",           "SEND_DONE",  "RECV_DONE", "OFFLOAD_DONE", "UPLOAD_DONE",
                                           "CONN_EVENT", "RAW_RX",     "ERROR",     "RAW_TX_DONE"};
  return type < std::size(kNames) ? kNames[type] : "?";
}

const char* status_name(unsigned status) {
  static constexpr const char* kNames[] = {"OK",       "BAD_OPCODE",  "BAD_CONN", "ZERO_LENGTH",
                                           "BAD_ADDRESS", "CONN_STATE", "TIMEOUT",  "RESET",
                                           "TOO_LONG", "DMA_ERROR",   "RESERVED_NONZERO", "ABORTED"};
  return status < std::size(kNames) ? kNames[status] : "?";
}

}  // namespace toevp::model::trace
