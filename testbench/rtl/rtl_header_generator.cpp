// The RTL transactor: see the header for the run-ahead / rewind scheme and
// why skipping idle cycles is exact.
#include "testbench/rtl/rtl_header_generator.h"

#include <cstdlib>
#include <stdexcept>
#include <string>

namespace toevp::tb {
namespace {

using hdrgen::Header;
using hdrgen::HeaderRequest;
using hdrgen::HeaderTiming;

// More than enough for one header to drain with hdr_ready_i high (the
// pipeline holds at most two headers of 9 beats).
constexpr std::uint64_t kDrainLimit = 64;

RtlDriverOptions with_env(RtlDriverOptions options) {
  if (options.fst_path.empty())
    if (const char* p = std::getenv("TOEVP_RTL_FST")) options.fst_path = p;
  return options;
}

bool same(const Header& a, const Header& b) {
  return a.length == b.length && a.bytes == b.bytes;
}

}  // namespace

RtlHeaderGenerator::RtlHeaderGenerator(RtlDriverOptions options)
    : driver_(with_env(std::move(options))) {}

RtlHeaderGenerator::~RtlHeaderGenerator() {
  if (!driver_.tracing() || !have_snapshot_) return;
  // Replay the run-ahead of the last header, this time into the waveform.
  try {
    rewind();
    driver_.set_trace_enabled(true);
    for (std::uint64_t i = 0; !flight_.empty() && i < kDrainLimit; ++i) step(false, {});
  } catch (...) {
    // A destructor must not throw; the waveform then just ends earlier.
  }
}

void RtlHeaderGenerator::rewind() {
  driver_.restore(snapshot_);
  flight_ = snapshot_flight_;
  next_id_ = snapshot_next_id_;
  ++stats_.rewinds;
}

// Collects the beat on the output in this cycle (hdr_ready_i is high).
void RtlHeaderGenerator::take_beat(const CycleOutputs& out) {
  if (flight_.empty()) throw std::logic_error("RTL header beat without an accepted request");
  InFlight& f = flight_.front();
  const std::uint64_t c = driver_.cycle();
  if (!f.started) f.timing.first_beat_cycle = c;
  f.started = true;
  for (int b = 0; b < 8 && (out.hdr_keep >> b & 1); ++b) {
    if (f.header.length == f.header.bytes.size())
      throw std::logic_error("RTL header longer than 66 bytes");
    f.header.bytes[f.header.length++] = static_cast<std::uint8_t>(out.hdr_data >> (8 * b));
  }
  if (!out.hdr_last) return;
  f.timing.last_beat_cycle = c;
  finish(f);
  flight_.pop_front();
}

void RtlHeaderGenerator::finish(InFlight& done) {
  if (done.id == wanted_id_) {
    result_ = done;
    have_result_ = true;
    return;
  }
  // A header already returned, replayed after a rewind: it must not differ.
  for (const InFlight& r : returned_) {
    if (r.id != done.id) continue;
    if (!same(r.header, done.header) || r.timing.first_beat_cycle != done.timing.first_beat_cycle ||
        r.timing.last_beat_cycle != done.timing.last_beat_cycle)
      throw std::logic_error("RTL header " + std::to_string(done.id) +
                             " changed when a later request was presented");
    return;
  }
}

void RtlHeaderGenerator::step(bool req_valid, const HeaderRequest& req) {
  const CycleOutputs out = driver_.outputs();
  if (out.hdr_valid) take_beat(out);
  if (req_valid && out.req_ready) {
    InFlight f;
    f.id = next_id_++;
    f.timing.accept_cycle = driver_.cycle();
    flight_.push_back(f);
  }
  CycleInputs in;
  in.req_valid = req_valid;
  if (req_valid) in.req = req;
  driver_.clock(in);
  ++stats_.cycles_clocked;
}

HeaderTiming RtlHeaderGenerator::generate(const HeaderRequest& req, std::uint64_t valid_cycle,
                                          Header& out) {
  // The run-ahead is only what really happened if the request comes after it
  // (and, with a waveform, the run-ahead was not recorded: replay it anyway).
  if (have_snapshot_ && (valid_cycle < driver_.cycle() || driver_.tracing())) rewind();
  driver_.set_trace_enabled(true);
  wanted_id_ = next_id_;
  have_result_ = false;

  // Up to the handshake: every cycle here is final.
  while (true) {
    const std::uint64_t c = driver_.cycle();
    const CycleOutputs o = driver_.outputs();
    if (c < valid_cycle && o.req_ready && !o.hdr_valid && flight_.empty()) {
      driver_.skip_idle(valid_cycle - c);
      stats_.cycles_skipped += valid_cycle - c;
      continue;
    }
    const bool valid = c >= valid_cycle;
    step(valid, req);
    if (valid && o.req_ready) break;
  }
  driver_.save(snapshot_);
  snapshot_flight_ = flight_;
  snapshot_next_id_ = next_id_;
  have_snapshot_ = true;

  // Run ahead to this header's last beat; a later request may undo this.
  driver_.set_trace_enabled(false);
  for (std::uint64_t i = 0; !have_result_; ++i) {
    if (i == kDrainLimit) throw std::logic_error("RTL header did not complete");
    step(false, req);
  }

  // Keep what a rewind to the new snapshot may replay: the headers in flight
  // at the snapshot, of which this one is the newest.
  while (!returned_.empty() && (snapshot_flight_.empty() ||
                                returned_.front().id < snapshot_flight_.front().id))
    returned_.pop_front();
  returned_.push_back(result_);
  out = result_.header;
  return result_.timing;
}

}  // namespace toevp::tb
