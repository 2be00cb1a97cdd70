// Cycle-stepped C++ model of rtl/toe_header_gen.sv at its ports: the same two
// stages (docs/timing.md, "Header generator"), stepped one clock edge at a
// time with any per-cycle pattern of req_valid_i, hdr_ready_i and rst_ni.
// Tests run it in lock step with the Verilated RTL under random back-pressure
// to prove that model and RTL agree cycle by cycle; the closed form in
// header_generator_model.h is the fast path for the platform.
#pragma once

#include <cstddef>
#include <cstdint>

#include "model/hdrgen/header_generator.h"

namespace toevp::hdrgen {

// What the ports carry during one cycle. The RTL transactor
// (testbench/rtl/rtl_header_gen_driver.h) uses the same two structs.
struct CycleInputs {
  bool rst_n = true;
  bool req_valid = false;
  HeaderRequest req{};
  bool hdr_ready = true;
};

struct CycleOutputs {
  bool req_ready = false;
  bool hdr_valid = false;
  std::uint64_t hdr_data = 0;  // first wire byte in bits [7:0]
  std::uint8_t hdr_keep = 0;
  bool hdr_last = false;

  bool operator==(const CycleOutputs&) const = default;
};

class HeaderGenPipeline {
 public:
  // Outputs during the current cycle. Every output comes from a register,
  // so they do not depend on this cycle's inputs. hdr_data, hdr_keep and
  // hdr_last are only meaningful while hdr_valid.
  CycleOutputs outputs() const;

  // The rising clock edge at the end of the current cycle, with `in` the
  // inputs during that cycle.
  void clock(const CycleInputs& in);

 private:
  bool s1_valid_ = false;
  HeaderRequest s1_req_{};
  bool s2_valid_ = false;
  Header s2_header_{};
  std::size_t s2_beat_ = 0;   // index of the beat on the output
  std::size_t s2_beats_ = 0;  // beats of the header in stage 2
};

}  // namespace toevp::hdrgen
