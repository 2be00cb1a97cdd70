// The transaction trace: one text line per NIC transaction a firmware
// developer wants to follow — MMIO accesses, DMA reads and writes, doorbells,
// completion writes, interrupts, message-context allocate/free — each with
// the core-clock cycle it happened on and the component that did it.
//
// Off by default, and cheap when off: a trace point is the TOEVP_TRACE macro,
// which tests one global mask word and branches over the call, so none of its
// arguments are evaluated (the cost measured with the default design point is
// in docs/firmware_guide.md). `toevp run --trace FILE --trace-filter
// mmio,dma,...` turns categories on. One trace per process, like the SystemC
// kernel it stamps its lines from.
//
// Line format (after '#' header lines):
//   <core cycle> <time ns> <category> <component> <event text>
// The cycle and time are those of the simulated moment the model made the
// call; events that complete later say so in their text (`done@<cycle>`).
#pragma once

#include <cstdint>
#include <string>

namespace toevp::model::trace {

enum Category : std::uint32_t {
  kMmio = 1u << 0,        // BAR0 register reads and writes, as the register block sees them
  kDma = 1u << 1,         // DMA reads/writes through the PCIe endpoint (and address errors)
  kDoorbell = 1u << 2,    // SQ_TAIL and CQ_HEAD reaching their engines
  kCompletion = 1u << 3,  // completion entries written to the completion ring
  kIrq = 1u << 4,         // MSI-X messages sent
  kCtx = 1u << 5,         // message contexts allocated and freed
  kAll = (1u << 6) - 1,
};

// Categories being recorded; 0 when the trace is off. Only TOEVP_TRACE reads it.
inline std::uint32_t g_mask = 0;

// "mmio,dma,doorbell,completion,irq,ctx" (any subset, comma-separated) or
// "all"; throws std::invalid_argument naming an unknown word.
std::uint32_t parse_filter(const std::string& list);
const char* category_name(Category c);

// Opens `path` for writing and starts recording `mask`. `core_period_fs` is
// the core clock the cycle numbers count. Throws std::runtime_error if the
// file cannot be opened. close() flushes; it also runs at process exit.
void open(const std::string& path, std::uint32_t mask, std::uint64_t core_period_fs);
void close();
bool is_open();
std::uint64_t records();

// Writes one line at the current simulated time (printf-style text).
void emit(Category c, const char* component, const char* fmt, ...) __attribute__((format(printf, 3, 4)));

// The core cycle that contains the simulated time `fs` (femtoseconds), for
// event texts that announce a future completion.
std::uint64_t cycle_of_fs(std::uint64_t fs);

// ABI names for event texts (the model does not depend on firmware/).
const char* cqe_type_name(unsigned type);
const char* status_name(unsigned status);

// The module that owns the initiator socket bound to port `id` of a
// multi-passthrough target socket (for "DMA by nic.cmd").
template <class MultiTargetSocket>
const char* initiator_name(MultiTargetSocket& socket, int id) {
  // get_binders() is protected; a pointer to it taken through a derived
  // class is the standard way to reach it without changing the socket.
  struct Access : MultiTargetSocket {
    static auto getter() { return &Access::get_binders; }
  };
  auto& binders = (socket.*Access::getter())();
  if (id < 0 || static_cast<std::size_t>(id) >= binders.size() || !binders[id]->get_other_side()) return "?";
  auto* port = binders[id]->get_other_side();
  return port->get_parent_object() ? port->get_parent_object()->name() : port->name();
}

}  // namespace toevp::model::trace

// One trace point. The arguments after the category are evaluated only when
// the category is being recorded. Building with -DTOEVP_NO_TRACE removes the
// trace points altogether (used to measure what they cost when off).
#ifdef TOEVP_NO_TRACE
#define TOEVP_TRACE(category, ...) \
  do {                             \
  } while (0)
#else
#define TOEVP_TRACE(category, ...)                                                 \
  do {                                                                             \
    if (__builtin_expect((::toevp::model::trace::g_mask & (category)) != 0, 0))   \
      ::toevp::model::trace::emit((category), __VA_ARGS__);                        \
  } while (0)
#endif
