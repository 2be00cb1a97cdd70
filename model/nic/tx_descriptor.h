// What the protocol engine and the command processor hand to the cut-through
// DMA engine: one frame to send. A TCP segment carries its header fields and
// the places in host memory its payload is to be read from (claim 1: the
// message stays in host memory; claim 2: it is read by cut-through DMA when
// the segment is sent). A raw frame (RAW_TX) is one host buffer sent as is.
#pragma once

#include <cstdint>
#include <vector>

#include "model/hdrgen/header_generator.h"

namespace toevp::model {

struct GatherPiece {
  std::uint64_t host_addr = 0;
  std::uint32_t length = 0;
};

struct TxDescriptor {
  enum class Kind : std::uint8_t { kSegment, kRaw };
  Kind kind = Kind::kSegment;
  std::uint16_t conn = 0;
  // kSegment: header fields (payload_len and payload_csum are filled in by
  // the DMA engine from the bytes it reads) and the payload's pieces.
  hdrgen::HeaderRequest header;
  std::vector<GatherPiece> payload;
  std::uint32_t payload_len = 0;
  bool retransmission = false;
  // kRaw: the frame in host memory, and what its completion reports.
  std::uint64_t raw_addr = 0;
  std::uint32_t raw_len = 0;
  std::uint64_t cookie = 0;
  std::uint16_t sq_index = 0;
};

}  // namespace toevp::model
