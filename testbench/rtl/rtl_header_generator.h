// The platform's HeaderGenerator backed by the Verilated RTL
// (rtl/toe_header_gen.sv): the transactor that lets the header generator RTL
// run inside the platform in place of the C++ model (DESIGN.md, "Header
// generator RTL contract"). It drives the request, clocks the RTL only while
// it has work, assembles the beats into the Header and reports the observed
// handshake cycles. hdr_ready_i stays high, as the interface promises.
//
// Why a request may rewind the RTL: generate() must return the last-beat
// cycle of its header, so it runs the RTL ahead to that beat with
// req_valid_i low. The next request may however be valid from a cycle inside
// that run-ahead (the interface allows requests while a header streams). So
// after each handshake the RTL state is saved (Verilator --savable, in
// memory), and a request that is valid before the run-ahead ended restores
// that state and presents itself from its own valid cycle: the RTL then sees
// exactly the inputs it would have seen with both requests known up front.
// Beats of earlier headers that come out again are checked against what was
// already returned (a later request must not change them).
//
// Why idle cycles are skipped without evaluating: when the ports show
// req_ready_o high and hdr_valid_o low, both stages are empty; with
// req_valid_i low no flop is enabled (stage 1 loads only on a handshake,
// stage 2 only on a move from stage 1 or a beat transfer), so the state is a
// fixed point and evaluating the idle cycles would change nothing.
#pragma once

#include <cstdint>
#include <deque>

#include "model/hdrgen/header_generator.h"
#include "testbench/rtl/rtl_header_gen_driver.h"

namespace toevp::tb {

class RtlHeaderGenerator final : public hdrgen::HeaderGenerator {
 public:
  // An empty options.fst_path falls back to the environment variable
  // TOEVP_RTL_FST; neither set: no waveform.
  explicit RtlHeaderGenerator(RtlDriverOptions options = {});
  // Completes the waveform up to the last header's last beat.
  ~RtlHeaderGenerator() override;

  hdrgen::HeaderTiming generate(const hdrgen::HeaderRequest& req, std::uint64_t valid_cycle,
                                hdrgen::Header& out) override;
  const char* name() const override { return "rtl"; }

  struct Stats {
    std::uint64_t cycles_clocked = 0;  // RTL clock edges evaluated
    std::uint64_t cycles_skipped = 0;  // idle cycles not evaluated
    std::uint64_t rewinds = 0;         // requests that restored a saved state
  };
  const Stats& stats() const { return stats_; }

 private:
  struct InFlight {
    std::uint64_t id = 0;  // acceptance order
    hdrgen::HeaderTiming timing{};
    hdrgen::Header header{};
    bool started = false;
  };

  void rewind();
  void step(bool req_valid, const hdrgen::HeaderRequest& req);
  void take_beat(const CycleOutputs& out);
  void finish(InFlight& done);

  RtlHeaderGenDriver driver_;
  std::uint64_t next_id_ = 0;
  std::deque<InFlight> flight_;       // accepted, last beat not yet out
  std::deque<InFlight> returned_;     // results already given out that a rewind may replay
  bool have_snapshot_ = false;
  RtlHeaderGenDriver::Snapshot snapshot_;  // state right after the last handshake
  std::deque<InFlight> snapshot_flight_;
  std::uint64_t snapshot_next_id_ = 0;
  bool have_result_ = false;  // set by finish() for the header being generated
  std::uint64_t wanted_id_ = 0;
  InFlight result_;
  Stats stats_;
};

}  // namespace toevp::tb
