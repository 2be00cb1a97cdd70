// ProgressDisplay: what a long `toevp run` is doing, for a person at a
// terminal: simulated time, frames the NIC has sent, and how fast the
// simulation goes (frames and simulated time per wall-clock second),
// rewritten in place about once a second on stderr.
//
// It observes the link (a FrameObserver) and publishes two relaxed atomics;
// a wall-clock thread of its own reads them and prints. The simulation gains
// no process, event or wait, so the run is the same with or without it
// (tests/stats checks the wire digest), and when it is off it is not
// created at all. It is on only when stderr is a terminal and --quiet is
// not given (CI logs and files stay clean), or when forced with --progress
// (then one line per update, for logs that want it).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>

#include "model/link/eth_link.h"

namespace toevp::tb {

class ProgressDisplay : public link::FrameObserver {
 public:
  struct Options {
    std::chrono::milliseconds period{1000};
    bool in_place = true;  // \r and erase-line (a terminal); false: a line per update
    std::FILE* out = stderr;
  };

  // Whether `toevp run` shows progress: forced, or stderr is a terminal and
  // the run is not --quiet.
  static bool wanted(bool quiet, bool forced);

  // Observes `link` from now on; prints from start() to stop().
  ProgressDisplay(link::EthLink& link, Options options);
  ~ProgressDisplay() override;

  void start();
  // Stops the thread; on a terminal erases the progress line so the summary
  // starts on a clean line.
  void stop();

  void on_frame(const link::EthFrame& frame, bool from_a, const sc_core::sc_time& first_bit) override;

  // The text of one update (no line control), for tests.
  static std::string format(double sim_ns, std::uint64_t frames, double wall_s, double frames_per_s,
                            double sim_ns_per_s);
  unsigned updates() const { return updates_; }

 private:
  void loop();
  void print();

  Options options_;
  std::atomic<std::uint64_t> frames_{0};
  std::atomic<std::uint64_t> sim_fs_{0};
  std::chrono::steady_clock::time_point t0_, last_t_;
  std::uint64_t last_frames_ = 0, last_sim_fs_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  unsigned updates_ = 0;
};

}  // namespace toevp::tb
