// PcapWriter: the wire as Wireshark sees it. An EthLink observer that writes
// every frame of both directions into a classic pcap file with nanosecond
// timestamps (magic 0xA1B23C4D) and link type LINKTYPE_ETHERNET (1), which
// carries frames from the destination MAC to the end of the payload, without
// preamble or FCS. The FCS is therefore not written (and not computed): the
// sending MACs always append a correct one in the model (model/link/eth_frame.h).
//
// Timestamp: simulated time of the frame's first preamble bit leaving its
// sender, in ns (rounded down). The NIC's MAC books frames a little ahead of
// the current simulated time, so records are held in a time-ordered queue
// and written once simulated time has passed their timestamp: a frame is
// always reported no earlier than now, so every later frame has a later or
// equal stamp, and the file is in time order across both directions.
//
// Frames are recorded as the senders put them on the wire, before link
// faults (a frame the link later loses or corrupts is in the capture as
// sent).
#pragma once

#include <cstdint>
#include <cstdio>
#include <queue>
#include <string>
#include <vector>

#include <systemc>

#include "model/link/eth_link.h"

namespace toevp::tb {

class PcapWriter : public link::FrameObserver {
 public:
  static constexpr std::uint32_t kMagicNanoseconds = 0xA1B23C4D;
  static constexpr std::uint32_t kLinkTypeEthernet = 1;

  // Creates `path`; throws std::runtime_error when it cannot. Frames longer
  // than `snaplen` are cut to it (their original length is kept).
  explicit PcapWriter(const std::string& path, std::uint32_t snaplen = 65535);
  ~PcapWriter() override;
  PcapWriter(const PcapWriter&) = delete;
  PcapWriter& operator=(const PcapWriter&) = delete;

  void on_frame(const link::EthFrame& frame, bool from_a, const sc_core::sc_time& first_bit) override;

  // Writes every frame still held and flushes the file (end of the run).
  void flush();

  std::uint64_t frames_written() const { return written_; }
  std::uint64_t frames_from_a() const { return from_a_; }
  std::uint64_t frames_from_b() const { return from_b_; }
  // Frames whose stamp was earlier than one already written (0 unless a
  // sender reported a frame in the past).
  std::uint64_t out_of_order() const { return out_of_order_; }

 private:
  struct Held {
    std::uint64_t at_fs;
    std::uint64_t order;
    std::vector<std::uint8_t> data;
    bool operator>(const Held& o) const { return at_fs != o.at_fs ? at_fs > o.at_fs : order > o.order; }
  };
  void write_due(std::uint64_t up_to_fs);
  void write_record(const Held& h);

  std::FILE* file_ = nullptr;
  std::uint32_t snaplen_;
  std::priority_queue<Held, std::vector<Held>, std::greater<Held>> held_;
  std::uint64_t order_ = 0;
  std::uint64_t written_ = 0, from_a_ = 0, from_b_ = 0, out_of_order_ = 0;
  std::uint64_t last_written_fs_ = 0;
};

}  // namespace toevp::tb
