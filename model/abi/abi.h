// The host/NIC ABI: submission entries, completion entries and the PCB (TCB)
// layout in host memory. This header is the single definition of those
// formats; docs/abi.md describes them for people. Register offsets are not
// here: they are generated from model/abi/regmap.json into toevp_regs.h.
//
// All ABI structures are little-endian in host memory and are accessed
// through the byte-view helpers of model/proto/bytes.h (no packed structs).
// This header is plain C++ with no SystemC, so firmware can include it.
#pragma once

#include <cstdint>

namespace toevp::abi {

// ---------------------------------------------------------------------------
// Submission queue entry (64 bytes), written by firmware, fetched by the NIC
// by DMA after a write to the SQ_TAIL doorbell.
//
//   offset size field
//   0      1    opcode      (Opcode)
//   1      1    flags       (SQE_FLAG_*)
//   2      2    conn_id     connection index into the TCB table, or kRawConn
//   4      4    length      bytes (SEND, POST_RECV, RAW_TX)
//   8      8    host_addr   bus address of the buffer (SEND, POST_RECV, RAW_TX)
//   16     8    cookie      opaque to the NIC, returned in the completion
//   24     40   reserved, must be zero
// ---------------------------------------------------------------------------
inline constexpr unsigned kSqeBytes = 64;
inline constexpr unsigned kSqeOpcode = 0;
inline constexpr unsigned kSqeFlags = 1;
inline constexpr unsigned kSqeConnId = 2;
inline constexpr unsigned kSqeLength = 4;
inline constexpr unsigned kSqeHostAddr = 8;
inline constexpr unsigned kSqeCookie = 16;

enum class Opcode : std::uint8_t {
  kOffloadConn = 0x01,  // NIC DMA-reads the PCB from TCB table slot conn_id
  kSend = 0x02,         // message {host_addr, length, cookie} on conn_id
  kPostRecv = 0x03,     // receive buffer for conn_id, or for raw L2 frames
  kClose = 0x04,        // FIN after all posted data of conn_id
  kUploadConn = 0x05,   // NIC writes live TCB back and stops serving conn_id
  kRawTx = 0x06,        // plain L2 frame {host_addr, length} (no FCS)
};

// SQE flag: ask for a completion even when the command succeeds silently
// (POST_RECV, CLOSE). SEND always completes.
inline constexpr std::uint8_t kSqeFlagSignal = 0x01;

// conn_id value that addresses the raw L2 path (POST_RECV of RAW_RX buffers).
inline constexpr std::uint16_t kRawConn = 0xFFFF;

// ---------------------------------------------------------------------------
// Completion queue entry (32 bytes), DMA-written by the NIC.
//
//   offset size field
//   0      1    type        (CqeType)
//   1      1    status      (Status)
//   2      2    conn_id
//   4      4    length      bytes of the message / received frame / data
//   8      8    cookie      from the submission entry (SEND, POST_RECV, RAW_TX)
//   16     2    sq_index    index of the submission entry this completes
//   18     1    opcode      opcode of that submission entry (ERROR)
//   19     1    event       ConnEvent for CONN_EVENT
//   20     4    info        type-specific (RAW_RX: 0; ERROR: detail)
//   24     4    timestamp   NIC core-clock cycle (low 32 bits) of the write
//   28     3    reserved
//   31     1    phase       bit 0: flips each time the NIC wraps the ring
// The phase byte is last so a host that sees the new phase sees the whole
// entry (the entry is written by one posted write).
// ---------------------------------------------------------------------------
inline constexpr unsigned kCqeBytes = 32;
inline constexpr unsigned kCqeType = 0;
inline constexpr unsigned kCqeStatus = 1;
inline constexpr unsigned kCqeConnId = 2;
inline constexpr unsigned kCqeLength = 4;
inline constexpr unsigned kCqeCookie = 8;
inline constexpr unsigned kCqeSqIndex = 16;
inline constexpr unsigned kCqeOpcode = 18;
inline constexpr unsigned kCqeEvent = 19;
inline constexpr unsigned kCqeInfo = 20;
inline constexpr unsigned kCqeTimestamp = 24;
inline constexpr unsigned kCqePhase = 31;

enum class CqeType : std::uint8_t {
  kSendDone = 0x01,     // the peer acked the message's last byte; buffer free
  kRecvDone = 0x02,     // data was written into a POST_RECV buffer
  kOffloadDone = 0x03,  // the PCB is in the NIC; the connection is served
  kUploadDone = 0x04,   // the live TCB is back in the host's TCB table slot
  kConnEvent = 0x05,    // FIN, RST, timeout, close finished (see ConnEvent)
  kRawRx = 0x06,        // an L2 frame for no offloaded connection (buffer in cookie)
  kError = 0x07,        // a submission entry was rejected (status says why)
  kRawTxDone = 0x08,    // a RAW_TX frame left the MAC; buffer free
};

enum class Status : std::uint8_t {
  kOk = 0,
  kBadOpcode = 1,      // unknown opcode
  kBadConn = 2,        // conn_id beyond TCB_ENTRIES
  kZeroLength = 3,     // SEND/POST_RECV/RAW_TX with length 0
  kBadAddress = 4,     // buffer not inside host memory (DMA window check)
  kConnState = 5,      // connection not offloaded / already offloaded / closing
  kTimeout = 6,        // retransmission gave up; message not delivered
  kReset = 7,          // connection reset by the peer; message not delivered
  kTooLong = 8,        // RAW_TX longer than the MTU frame, or length field too large
  kDmaError = 9,       // a DMA transfer returned an error response
  kReservedNonZero = 10,  // reserved bytes / unknown flags set
  kAborted = 11,       // message dropped by UPLOAD_CONN or CLOSE abort
};

enum class ConnEvent : std::uint8_t {
  kNone = 0,
  kFinReceived = 1,   // the peer closed its side
  kRstReceived = 2,   // the peer reset the connection
  kTimeout = 3,       // retransmission limit reached; connection dropped
  kClosed = 4,        // our FIN was acked (CLOSE finished)
};

// ---------------------------------------------------------------------------
// PCB / TCB: 128 bytes per connection in the host's TCB table at
// TCB_BASE + conn_id * 128. Firmware fills the connection fields after the
// handshake and posts OFFLOAD_CONN; the NIC then owns the slot (it writes the
// live TCB back on cache eviction and on UPLOAD_CONN).
//
//   off size field          who fills it
//   0   1    state          firmware: kTcbEstablished; NIC: kTcbClosed etc.
//   1   1    flags          firmware: kTcbFlagTimestamps | kTcbFlagSackOk
//   2   1    snd_wscale     firmware: peer's window scale shift (RFC 7323)
//   3   1    rcv_wscale     firmware: our window scale shift
//   4   2    mss            firmware: payload bytes per segment
//   6   2    local_port
//   8   2    remote_port
//   10  1    ttl
//   11  1    tos (must be 0)
//   12  6    local_mac      in wire order (byte 12 is the first on the wire)
//   18  6    remote_mac
//   24  4    local_ip       as a number (192.168.0.1 = 0xC0A80001)
//   28  4    remote_ip
//   32  4    snd_una        firmware: ISS + 1
//   36  4    snd_nxt        firmware: ISS + 1
//   40  4    snd_wnd        bytes, already scaled (peer's window)
//   44  4    rcv_nxt        firmware: peer's ISS + 1
//   48  4    rcv_wnd        bytes we advertise
//   52  4    cwnd           bytes; 0 = NIC picks its initial window
//   56  4    ssthresh       bytes; 0 = NIC picks (infinite)
//   60  4    srtt_ns        NIC (0 = no sample yet)
//   64  4    rttvar_ns      NIC
//   68  4    rto_ns         NIC (0 = initial RTO from config)
//   72  4    ts_recent      firmware: peer's TSval from SYN-ACK
//   76  4    ts_offset      firmware: our TSval base (added to NIC clock)
//   80  2    ip_id          next IPv4 identification
//   82  2    reserved
//   84  4    snd_max        NIC: highest sequence sent + 1
//   88  4    msg_unacked    NIC (UPLOAD): messages posted but not SEND_DONE
//   92  4    bytes_unacked  NIC (UPLOAD): snd_max - snd_una plus unsent bytes
//   96  32   reserved for the NIC, zero when firmware writes the slot
// ---------------------------------------------------------------------------
inline constexpr unsigned kTcbBytes = 128;
inline constexpr unsigned kTcbState = 0;
inline constexpr unsigned kTcbFlags = 1;
inline constexpr unsigned kTcbSndWscale = 2;
inline constexpr unsigned kTcbRcvWscale = 3;
inline constexpr unsigned kTcbMss = 4;
inline constexpr unsigned kTcbLocalPort = 6;
inline constexpr unsigned kTcbRemotePort = 8;
inline constexpr unsigned kTcbTtl = 10;
inline constexpr unsigned kTcbTos = 11;
inline constexpr unsigned kTcbLocalMac = 12;
inline constexpr unsigned kTcbRemoteMac = 18;
inline constexpr unsigned kTcbLocalIp = 24;
inline constexpr unsigned kTcbRemoteIp = 28;
inline constexpr unsigned kTcbSndUna = 32;
inline constexpr unsigned kTcbSndNxt = 36;
inline constexpr unsigned kTcbSndWnd = 40;
inline constexpr unsigned kTcbRcvNxt = 44;
inline constexpr unsigned kTcbRcvWnd = 48;
inline constexpr unsigned kTcbCwnd = 52;
inline constexpr unsigned kTcbSsthresh = 56;
inline constexpr unsigned kTcbSrttNs = 60;
inline constexpr unsigned kTcbRttvarNs = 64;
inline constexpr unsigned kTcbRtoNs = 68;
inline constexpr unsigned kTcbTsRecent = 72;
inline constexpr unsigned kTcbTsOffset = 76;
inline constexpr unsigned kTcbIpId = 80;
inline constexpr unsigned kTcbSndMax = 84;
inline constexpr unsigned kTcbMsgUnacked = 88;
inline constexpr unsigned kTcbBytesUnacked = 92;

inline constexpr std::uint8_t kTcbFree = 0;
inline constexpr std::uint8_t kTcbEstablished = 1;
inline constexpr std::uint8_t kTcbClosing = 2;   // CLOSE posted, FIN pending/sent
inline constexpr std::uint8_t kTcbClosed = 3;    // FIN acked or RST/timeout
inline constexpr std::uint8_t kTcbUploaded = 4;  // written back by UPLOAD_CONN

inline constexpr std::uint8_t kTcbFlagTimestamps = 0x01;
inline constexpr std::uint8_t kTcbFlagSackOk = 0x02;

}  // namespace toevp::abi
