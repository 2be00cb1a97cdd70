// ProgressDisplay: a wall-clock thread that prints what the link observer
// counted. See progress.h.
#include "testbench/stats/progress.h"

#include <unistd.h>

#include "model/common/clock_domain.h"

namespace toevp::tb {

bool ProgressDisplay::wanted(bool quiet, bool forced) { return forced || (!quiet && isatty(STDERR_FILENO) == 1); }

ProgressDisplay::ProgressDisplay(link::EthLink& link, Options options) : options_(options) {
  link.add_observer(this);
}

ProgressDisplay::~ProgressDisplay() { stop(); }

void ProgressDisplay::on_frame(const link::EthFrame&, bool from_a, const sc_core::sc_time& first_bit) {
  // Frames are observed in sending order per side; the peer's may trail the
  // NIC's a little, so keep the latest time seen.
  const std::uint64_t t = model::ClockDomain::to_fs(first_bit);
  if (t > sim_fs_.load(std::memory_order_relaxed)) sim_fs_.store(t, std::memory_order_relaxed);
  if (from_a) frames_.store(frames_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

void ProgressDisplay::start() {
  t0_ = last_t_ = std::chrono::steady_clock::now();
  thread_ = std::thread([this] { loop(); });
}

void ProgressDisplay::stop() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  if (options_.in_place && updates_ > 0) {
    std::fputs("\r\033[K", options_.out);
    std::fflush(options_.out);
  }
}

void ProgressDisplay::loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!wake_.wait_for(lock, options_.period, [this] { return stopping_; })) print();
}

std::string ProgressDisplay::format(double sim_ns, std::uint64_t frames, double wall_s, double frames_per_s,
                                    double sim_ns_per_s) {
  char line[200];
  std::snprintf(line, sizeof line,
                "toevp: simulated %.3f ms, %llu frames | %.0f frames/s, %.3f ms simulated per s | %.0f s wall",
                sim_ns / 1e6, static_cast<unsigned long long>(frames), frames_per_s, sim_ns_per_s / 1e6, wall_s);
  return line;
}

void ProgressDisplay::print() {
  const auto now = std::chrono::steady_clock::now();
  const std::uint64_t frames = frames_.load(std::memory_order_relaxed);
  const std::uint64_t sim_fs = sim_fs_.load(std::memory_order_relaxed);
  const double dt = std::chrono::duration<double>(now - last_t_).count();
  const double fps = dt > 0 ? double(frames - last_frames_) / dt : 0;
  const double sps = dt > 0 ? double(sim_fs - last_sim_fs_) / 1e6 / dt : 0;
  const std::string text =
      format(double(sim_fs) / 1e6, frames, std::chrono::duration<double>(now - t0_).count(), fps, sps);
  if (options_.in_place)
    std::fprintf(options_.out, "\r%s\033[K", text.c_str());
  else
    std::fprintf(options_.out, "%s\n", text.c_str());
  std::fflush(options_.out);
  last_t_ = now;
  last_frames_ = frames;
  last_sim_fs_ = sim_fs;
  ++updates_;
}

}  // namespace toevp::tb
