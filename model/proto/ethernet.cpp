// Ethernet II header parse/emit; see ethernet.h.
#include "model/proto/ethernet.h"

namespace toevp::proto {

namespace {
constexpr std::size_t kDstOff = 0;
constexpr std::size_t kSrcOff = 6;
constexpr std::size_t kTypeOff = 12;
}  // namespace

EthernetError parse_ethernet(ConstBytes frame, EthernetHeader& out) {
  if (frame.size() < kEthernetHeaderBytes) return EthernetError::kTruncated;
  out.dst = load_be48(frame, kDstOff);
  out.src = load_be48(frame, kSrcOff);
  out.ethertype = load_be16(frame, kTypeOff);
  return EthernetError::kNone;
}

void emit_ethernet(const EthernetHeader& h, Bytes out) {
  store_be48(out, kDstOff, h.dst);
  store_be48(out, kSrcOff, h.src);
  store_be16(out, kTypeOff, h.ethertype);
}

}  // namespace toevp::proto
