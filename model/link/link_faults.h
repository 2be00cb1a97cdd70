// LinkFaults: what goes wrong with the frames of one direction of an Ethernet
// link, decided frame by frame from a seeded random engine so a run repeats
// exactly (sim.seed). Plain C++ with no SystemC: EthLink asks it for a
// decision per frame and applies it (drop, corrupt, duplicate, delay).
//
// Faults, each a config key per direction (link.a_to_b.*, link.b_to_a.*):
//  - loss: every frame is lost with this probability (Bernoulli).
//  - burst loss: a Gilbert-Elliott two-state channel. Per frame the channel
//    moves good -> bad with probability burst_p and bad -> good with
//    burst_r; in the bad state a frame is lost with burst_loss. Mean burst
//    length 1 / burst_r frames (Gilbert 1960, Elliott 1963).
//  - corrupt: one bit of the frame is flipped and the FCS no longer matches
//    (fcs_ok cleared), so the receiving MAC drops it (IEEE 802.3 clause 3.2.9).
//  - duplicate: the frame arrives twice, the copy right after the original.
//  - reorder: the frame is held back reorder_delay_ns, and frames sent after
//    it overtake it.
//  - jitter: a uniform extra delay in [0, jitter_ns] that keeps the order of
//    the direction (a queue that varies, not a path that changes).
// The uniform numbers come from std::mt19937_64 turned into doubles by hand
// (53 bits / 2^53), because the std:: distributions differ between standard
// libraries and a seed must mean the same run everywhere.
#pragma once

#include <cstdint>
#include <random>
#include <string>

namespace toevp::link {

struct LinkFaultParams {
  double loss = 0;
  double burst_p = 0;
  double burst_r = 1;
  double burst_loss = 1;
  double corrupt = 0;
  double duplicate = 0;
  double reorder = 0;
  std::int64_t reorder_delay_ns = 0;
  std::int64_t jitter_ns = 0;

  bool any() const {
    return loss > 0 || burst_p > 0 || corrupt > 0 || duplicate > 0 || reorder > 0 || jitter_ns > 0;
  }
};

struct LinkFaultStats {
  std::uint64_t frames = 0;         // frames offered to the direction
  std::uint64_t lost_random = 0;    // dropped by `loss`
  std::uint64_t lost_burst = 0;     // dropped in the bad Gilbert-Elliott state
  std::uint64_t bursts = 0;         // good -> bad transitions
  std::uint64_t corrupted = 0;      // bit flipped, FCS bad
  std::uint64_t duplicated = 0;     // delivered twice
  std::uint64_t reordered = 0;      // held back
  std::uint64_t jittered = 0;       // given a non-zero jitter delay
  std::uint64_t lost() const { return lost_random + lost_burst; }
};

// What happens to one frame.
struct FaultDecision {
  bool drop = false;
  bool corrupt = false;
  std::uint64_t flip_bit = 0;     // bit index into the frame (corrupt only)
  bool duplicate = false;
  bool reorder = false;           // add reorder_delay_ns, outside the FIFO order
  std::int64_t jitter_ns = 0;
};

class LinkFaults {
 public:
  // `stream` separates the directions of one link (and links of one run).
  LinkFaults(const LinkFaultParams& params, std::uint64_t seed, std::uint64_t stream);

  // Decides the fate of the next frame of `frame_len` bytes.
  FaultDecision next(std::size_t frame_len);

  const LinkFaultParams& params() const { return params_; }
  const LinkFaultStats& stats() const { return stats_; }
  bool in_burst() const { return bad_; }

  // Throws std::invalid_argument naming the field if a value is out of range.
  static void validate(const LinkFaultParams& p, const std::string& where);

 private:
  double uniform();  // [0, 1)
  bool chance(double p) { return p > 0 && uniform() < p; }

  LinkFaultParams params_;
  std::mt19937_64 rng_;
  bool bad_ = false;
  LinkFaultStats stats_;
};

}  // namespace toevp::link
