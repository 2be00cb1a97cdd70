// PcapWriter: time-ordered pcap records of the link. See pcap_writer.h.
#include "testbench/pcap_writer.h"

#include <array>
#include <stdexcept>

#include "model/common/clock_domain.h"
#include "model/proto/bytes.h"

namespace toevp::tb {

namespace {
constexpr std::uint64_t kFsPerNs = 1'000'000;
constexpr std::uint64_t kNsPerS = 1'000'000'000;
}  // namespace

PcapWriter::PcapWriter(const std::string& path, std::uint32_t snaplen) : snaplen_(snaplen) {
  file_ = std::fopen(path.c_str(), "wb");
  if (file_ == nullptr) throw std::runtime_error("cannot write the pcap file '" + path + "'");
  // Global header (libpcap file format): magic, version 2.4, zone 0,
  // sigfigs 0, snaplen, link type; in our (little-endian) byte order, which
  // readers detect from the magic.
  std::array<std::uint8_t, 24> h{};
  proto::store_le32(h, 0, kMagicNanoseconds);
  proto::store_le16(h, 4, 2);
  proto::store_le16(h, 6, 4);
  proto::store_le32(h, 16, snaplen_);
  proto::store_le32(h, 20, kLinkTypeEthernet);
  std::fwrite(h.data(), 1, h.size(), file_);
}

PcapWriter::~PcapWriter() {
  flush();
  std::fclose(file_);
}

void PcapWriter::on_frame(const link::EthFrame& frame, bool from_a, const sc_core::sc_time& first_bit) {
  ++(from_a ? from_a_ : from_b_);
  held_.push(Held{model::ClockDomain::to_fs(first_bit), order_++, frame.data});
  // Every frame is reported at or before its first bit, so whatever is due
  // by now can no longer be overtaken.
  write_due(model::ClockDomain::to_fs(sc_core::sc_time_stamp()));
}

void PcapWriter::write_due(std::uint64_t up_to_fs) {
  while (!held_.empty() && held_.top().at_fs <= up_to_fs) {
    write_record(held_.top());
    held_.pop();
  }
}

void PcapWriter::flush() {
  write_due(~std::uint64_t{0});
  std::fflush(file_);
}

void PcapWriter::write_record(const Held& h) {
  if (h.at_fs < last_written_fs_) ++out_of_order_;
  last_written_fs_ = std::max(last_written_fs_, h.at_fs);
  const std::uint64_t ns = h.at_fs / kFsPerNs;
  const auto len = static_cast<std::uint32_t>(h.data.size());
  const std::uint32_t incl = std::min(len, snaplen_);
  std::array<std::uint8_t, 16> r{};
  proto::store_le32(r, 0, static_cast<std::uint32_t>(ns / kNsPerS));
  proto::store_le32(r, 4, static_cast<std::uint32_t>(ns % kNsPerS));
  proto::store_le32(r, 8, incl);
  proto::store_le32(r, 12, len);
  std::fwrite(r.data(), 1, r.size(), file_);
  std::fwrite(h.data.data(), 1, incl, file_);
  ++written_;
}

}  // namespace toevp::tb
