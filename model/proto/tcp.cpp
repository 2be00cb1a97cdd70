// TCP header and option parse/emit; see tcp.h. Offsets from RFC 9293
// section 3.1.
#include "model/proto/tcp.h"

#include "model/proto/checksum.h"

namespace toevp::proto {

namespace {
constexpr std::size_t kSrcPort = 0;
constexpr std::size_t kDstPort = 2;
constexpr std::size_t kSeq = 4;
constexpr std::size_t kAck = 8;
constexpr std::size_t kDataOffset = 12;
constexpr std::size_t kFlags = 13;
constexpr std::size_t kWindow = 14;
constexpr std::size_t kUrgent = 18;

constexpr std::uint8_t kMssLen = 4;
constexpr std::uint8_t kWscaleLen = 3;
constexpr std::uint8_t kSackPermLen = 2;
constexpr std::uint8_t kTimestampsLen = 10;
constexpr std::uint8_t kSackBlockBytes = 8;

// Checks that a known option kind arrived with its defined length.
bool known_length_ok(std::uint8_t kind, std::uint8_t len) {
  switch (kind) {
    case kTcpOptMss: return len == kMssLen;
    case kTcpOptWscale: return len == kWscaleLen;
    case kTcpOptSackPermitted: return len == kSackPermLen;
    case kTcpOptTimestamps: return len == kTimestampsLen;
    case kTcpOptSack: return len > 2 && (len - 2) % kSackBlockBytes == 0;
    default: return true;
  }
}

void store_option(ConstBytes opt, TcpOptions& out) {
  switch (opt[0]) {
    case kTcpOptMss: out.mss = load_be16(opt, 2); break;
    case kTcpOptWscale: out.wscale = opt[2]; break;
    case kTcpOptSackPermitted: out.sack_permitted = true; break;
    case kTcpOptTimestamps: out.timestamps = {load_be32(opt, 2), load_be32(opt, 6)}; break;
    default: break;  // SACK blocks and unknown kinds: not used by the NIC
  }
}

// Writes kind/length/value helpers; each returns the next offset.
std::size_t put_nop(Bytes b, std::size_t off) {
  b[off] = kTcpOptNop;
  return off + 1;
}
std::size_t put_header(Bytes b, std::size_t off, std::uint8_t kind, std::uint8_t len) {
  b[off] = kind;
  b[off + 1] = len;
  return off + 2;
}
}  // namespace

const char* to_string(TcpError e) {
  switch (e) {
    case TcpError::kNone: return "none";
    case TcpError::kTruncated: return "truncated";
    case TcpError::kBadDataOffset: return "bad data offset";
    case TcpError::kBadOptions: return "bad options";
  }
  return "?";
}

TcpError parse_tcp_options(ConstBytes opts, TcpOptions& out) {
  out = TcpOptions{};
  std::size_t i = 0;
  while (i < opts.size()) {
    const std::uint8_t kind = opts[i];
    if (kind == kTcpOptEol) break;
    if (kind == kTcpOptNop) {
      ++i;
      continue;
    }
    // Every other kind has a length byte counting kind and length
    // (RFC 9293 section 3.2); 0 or 1 would loop or underflow.
    if (i + 1 >= opts.size()) return TcpError::kBadOptions;
    const std::uint8_t len = opts[i + 1];
    if (len < 2 || i + len > opts.size()) return TcpError::kBadOptions;
    if (!known_length_ok(kind, len)) return TcpError::kBadOptions;
    store_option(opts.subspan(i, len), out);
    i += len;
  }
  return TcpError::kNone;
}

TcpError parse_tcp(ConstBytes seg, TcpHeader& out) {
  if (seg.size() < kTcpHeaderBytes) return TcpError::kTruncated;
  const std::size_t header_bytes = static_cast<std::size_t>(seg[kDataOffset] >> 4) * 4;
  if (header_bytes < kTcpHeaderBytes || header_bytes > seg.size())
    return TcpError::kBadDataOffset;
  TcpError e = parse_tcp_options(seg.subspan(kTcpHeaderBytes, header_bytes - kTcpHeaderBytes),
                                 out.options);
  if (e != TcpError::kNone) return e;
  out.src_port = load_be16(seg, kSrcPort);
  out.dst_port = load_be16(seg, kDstPort);
  out.seq = Seq(load_be32(seg, kSeq));
  out.ack = Seq(load_be32(seg, kAck));
  out.header_bytes = static_cast<std::uint8_t>(header_bytes);
  out.flags = seg[kFlags];
  out.window = load_be16(seg, kWindow);
  out.checksum = load_be16(seg, kTcpChecksumOffset);
  out.urgent = load_be16(seg, kUrgent);
  return TcpError::kNone;
}

std::size_t tcp_options_bytes(const TcpOptions& o) {
  std::size_t n = 0;
  if (o.mss) n += kMssLen;
  if (o.timestamps) {
    n += 2 + kTimestampsLen;  // SACK-perm or NOP NOP, then TS
  } else if (o.sack_permitted) {
    n += 2 + kSackPermLen;    // NOP NOP SACK-perm
  }
  if (o.wscale) n += 1 + kWscaleLen;             // NOP WS
  return n;
}

std::size_t tcp_header_bytes(const TcpHeader& h) {
  return kTcpHeaderBytes + tcp_options_bytes(h.options);
}

namespace {
std::size_t emit_options(const TcpOptions& o, Bytes b, std::size_t off) {
  if (o.mss) {
    off = put_header(b, off, kTcpOptMss, kMssLen);
    store_be16(b, off, *o.mss);
    off += 2;
  }
  if (o.timestamps) {
    // SACK-permitted (2 bytes) fills the slot two NOPs would take.
    off = o.sack_permitted ? put_header(b, off, kTcpOptSackPermitted, kSackPermLen)
                           : put_nop(b, put_nop(b, off));
    off = put_header(b, off, kTcpOptTimestamps, kTimestampsLen);
    store_be32(b, off, o.timestamps->first);
    store_be32(b, off + 4, o.timestamps->second);
    off += 8;
  } else if (o.sack_permitted) {
    off = put_nop(b, put_nop(b, off));
    off = put_header(b, off, kTcpOptSackPermitted, kSackPermLen);
  }
  if (o.wscale) {
    off = put_header(b, put_nop(b, off), kTcpOptWscale, kWscaleLen);
    b[off++] = *o.wscale;
  }
  return off;
}
}  // namespace

std::size_t emit_tcp(const TcpHeader& h, Bytes out) {
  const std::size_t len = tcp_header_bytes(h);
  store_be16(out, kSrcPort, h.src_port);
  store_be16(out, kDstPort, h.dst_port);
  store_be32(out, kSeq, h.seq.raw());
  store_be32(out, kAck, h.ack.raw());
  out[kDataOffset] = static_cast<std::uint8_t>((len / 4) << 4);
  out[kFlags] = h.flags;
  store_be16(out, kWindow, h.window);
  store_be16(out, kTcpChecksumOffset, h.checksum);
  store_be16(out, kUrgent, h.urgent);
  emit_options(h.options, out, kTcpHeaderBytes);
  return len;
}

std::uint16_t tcp_checksum(std::uint32_t src_ip, std::uint32_t dst_ip, ConstBytes segment) {
  InternetChecksum c;
  c.add_partial(tcp_pseudo_header_sum(src_ip, dst_ip, static_cast<std::uint16_t>(segment.size())));
  c.add(segment);
  return c.checksum();
}

bool tcp_checksum_ok(std::uint32_t src_ip, std::uint32_t dst_ip, ConstBytes segment) {
  InternetChecksum c;
  c.add_partial(tcp_pseudo_header_sum(src_ip, dst_ip, static_cast<std::uint16_t>(segment.size())));
  c.add(segment);
  return c.folded() == 0xFFFF;
}

}  // namespace toevp::proto
