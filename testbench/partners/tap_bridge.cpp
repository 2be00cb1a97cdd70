// TapBridge: frames between the link and a Linux TAP device, with
// wall-clock pacing. See tap_bridge.h.
#include "testbench/partners/tap_bridge.h"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "model/common/clock_domain.h"

namespace toevp::tb {

using sc_core::sc_time;

namespace {

// Opens /dev/net/tun and attaches to (or creates) TAP `name` without the
// packet-information header, non-blocking. Returns the fd and the name the
// kernel used.
int open_tap(const std::string& name, std::string& actual) {
  const int fd = ::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    throw std::runtime_error("TapBridge: cannot open /dev/net/tun for TAP device '" + name + "': " +
                             std::strerror(errno));
  ifreq ifr{};
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
  std::strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
  if (::ioctl(fd, TUNSETIFF, &ifr) < 0) {
    const int err = errno;
    ::close(fd);
    throw std::runtime_error("TapBridge: cannot attach to TAP device '" + name + "' (TUNSETIFF): " +
                             std::strerror(err) + (err == EPERM ? " (needs root or CAP_NET_ADMIN)" : ""));
  }
  actual = ifr.ifr_name;
  return fd;
}

}  // namespace

TapBridge::TapBridge(sc_core::sc_module_name name, const TapBridgeParams& params, link::EthLink& link,
                     link::EthLink::Side my_side)
    : sc_module(name),
      frame_in("frame_in"),
      params_(params),
      link_(link),
      side_(my_side),
      mac_(link.params().rate_mbps, link.params().lane_bytes) {
  fd_ = open_tap(params.device, device_);
  frame_in.bind(*this);
  SC_THREAD(pace_thread);
}

TapBridge::~TapBridge() {
  if (fd_ >= 0) ::close(fd_);
}

void TapBridge::receive_frame(const link::EthFrame& frame) {
  if (!frame.fcs_ok) {  // the link corrupted it: a real MAC drops it (IEEE 802.3 clause 3.2.9)
    ++stats_.fcs_dropped;
    return;
  }
  const ssize_t n = ::write(fd_, frame.data.data(), frame.data.size());
  if (n != static_cast<ssize_t>(frame.data.size())) {
    ++stats_.write_errors;
    return;
  }
  ++stats_.frames_to_tap;
  stats_.bytes_to_tap += frame.data.size();
}

double TapBridge::wall_elapsed() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start_).count();
}

// Reads every frame the kernel has queued and puts it on the link now.
void TapBridge::drain_tap() {
  std::vector<std::uint8_t> buf(65536);
  for (;;) {
    const ssize_t n = ::read(fd_, buf.data(), buf.size());
    if (n <= 0) return;  // EAGAIN: nothing more for now
    if (static_cast<std::uint32_t>(n) > params_.max_frame || n < 14) {
      ++stats_.oversize_dropped;
      continue;
    }
    ++stats_.frames_from_tap;
    stats_.bytes_from_tap += static_cast<std::uint64_t>(n);
    const link::MacTiming t = mac_.transmit(static_cast<std::size_t>(n),
                                            model::ClockDomain::to_fs(sc_core::sc_time_stamp()));
    link::EthFrame f;
    f.data.assign(buf.begin(), buf.begin() + n);
    f.id = frame_id_++;
    link_.send(side_, std::move(f), model::ClockDomain::fs(t.start_fs), model::ClockDomain::fs(t.end_fs));
  }
}

void TapBridge::pace_thread() {
  wall_start_ = std::chrono::steady_clock::now();
  sim_start_ = sc_core::sc_time_stamp();
  for (;;) {
    drain_tap();
    // Before simulated time may reach the end of the next quantum, wall
    // time must be there already; frames arriving meanwhile go out now.
    const double target = (sc_core::sc_time_stamp() - sim_start_ + params_.quantum).to_seconds();
    for (double left = target - wall_elapsed(); left > 0; left = target - wall_elapsed()) {
      pollfd p{fd_, POLLIN, 0};
      const timespec ts{static_cast<time_t>(left), static_cast<long>((left - double(time_t(left))) * 1e9)};
      const auto t0 = std::chrono::steady_clock::now();
      const int ready = ::ppoll(&p, 1, &ts, nullptr);
      stats_.slept_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (ready > 0) drain_tap();
    }
    ++stats_.quanta;
    sc_core::wait(params_.quantum);
  }
}

}  // namespace toevp::tb
