// CommandProcessor: SQ fetch, validation, dispatch. See command_processor.h.
#include "model/nic/command_processor.h"

#include <algorithm>
#include <vector>

#include "model/common/trace.h"
#include "model/common/waveform.h"
#include "model/proto/bytes.h"
#include "model/proto/tcb.h"

namespace toevp::model {

using sc_core::sc_time;

CommandProcessor::CommandProcessor(sc_core::sc_module_name name, const CommandProcessorParams& params,
                                   const ClockDomain& core, const PcieEndpoint& pcie, TcbCache& tcb_cache,
                                   MessageContextTable& contexts, ProtocolEngine& pe, CutThroughDma& dma,
                                   MacRx& mac_rx, CompletionEngine& completions)
    : sc_module(name), dma_init("dma_init"), params_(params), core_(core), pcie_(pcie), tcb_cache_(tcb_cache),
      contexts_(contexts), pe_(pe), dma_(dma), mac_rx_(mac_rx), completions_(completions) {
  SC_THREAD(fetch_thread);
}

void CommandProcessor::configure(std::uint64_t sq_base, std::uint32_t sq_entries, std::uint32_t tcb_entries) {
  sq_base_ = sq_base;
  sq_size_ = sq_entries;
  tcb_entries_ = tcb_entries;
  head_ = tail_ = 0;
}

void CommandProcessor::set_enabled(bool on) {
  enabled_ = on;
  doorbell_event_.notify(sc_core::SC_ZERO_TIME);
}

void CommandProcessor::doorbell(std::uint32_t tail) {
  TOEVP_TRACE(trace::kDoorbell, name(), "SQ_TAIL %u (head %u, %u new entries)", tail, head_, (tail + sq_size_ - tail_) % (sq_size_ ? sq_size_ : 1));
  tail_ = tail;
  doorbell_event_.notify(sc_core::SC_ZERO_TIME);
}

void CommandProcessor::spend(std::uint64_t cycles) {
  if (params_.fast) local_ += core_.cycles(cycles);
  else sc_core::wait(core_.cycles(cycles));
}

void CommandProcessor::sync() {
  if (local_ == sc_core::SC_ZERO_TIME) return;
  const sc_time t = local_;
  local_ = sc_core::SC_ZERO_TIME;
  sc_core::wait(t);
}

void CommandProcessor::fetch_thread() {
  std::vector<std::uint8_t> batch;
  for (;;) {
    if (!enabled_ || head_ == tail_) {
      sync();
      while (!enabled_ || head_ == tail_) sc_core::wait(doorbell_event_);
      // From the doorbell taking effect to the fetch being issued.
      spend(params_.doorbell_cycles);
    }
    const std::uint32_t pending = (tail_ + sq_size_ - head_) % sq_size_;
    const std::uint32_t n = std::min({pending, params_.fetch_batch, sq_size_ - head_});
    batch.resize(std::size_t{n} * abi::kSqeBytes);
    tlm::tlm_generic_payload t;
    t.set_command(tlm::TLM_READ_COMMAND);
    t.set_address(sq_base_ + std::uint64_t{head_} * abi::kSqeBytes);
    t.set_data_ptr(batch.data());
    t.set_data_length(static_cast<unsigned>(batch.size()));
    t.set_streaming_width(static_cast<unsigned>(batch.size()));
    t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_time delay = local_;  // the request is ready at the local time (zero in cycle mode)
    dma_init->b_transport(t, delay);
    if (!t.is_response_ok()) {
      // The ring itself is unreachable: stop fetching until firmware fixes
      // it (ERR_STATUS.DMA); entries are not consumed, so nothing is lost.
      ++stats_.fetch_dma_errors;
      if (error_hook_) error_hook_(abi::Status::kDmaError, "submission queue fetch failed: address error");
      enabled_ = false;
      continue;
    }
    wait_until(core_.align_up(sc_core::sc_time_stamp() + delay));  // the entries have arrived
    local_ = sc_core::SC_ZERO_TIME;
    stats_.fetched += n;
    for (std::uint32_t k = 0; k < n; ++k) {
      spend(params_.decode_cycles);
      execute(batch.data() + std::size_t{k} * abi::kSqeBytes, static_cast<std::uint16_t>(head_));
      head_ = (head_ + 1) % sq_size_;
      wave::set(wave::kSqHead, head_);
    }
    sync();  // fast mode: the cycles of entries that ended in an error completion
  }
}

void CommandProcessor::reject(const std::uint8_t* sqe, std::uint16_t index, abi::Status status,
                              const std::string& why) {
  proto::ConstBytes b(sqe, abi::kSqeBytes);
  Completion c;
  c.type = abi::CqeType::kError;
  c.status = status;
  c.conn = proto::load_le16(b, abi::kSqeConnId);
  c.length = proto::load_le32(b, abi::kSqeLength);
  c.cookie = proto::load_le64(b, abi::kSqeCookie);
  c.sq_index = index;
  c.opcode = b[abi::kSqeOpcode];
  completions_.post(c, now());
  ++stats_.errors;
  ++stats_.errors_by_status[static_cast<unsigned>(status) & 15];
  const std::string msg = "SQ entry " + std::to_string(index) + " (opcode " + std::to_string(c.opcode) +
                          ", conn " + std::to_string(c.conn) + ") rejected: " + why;
  if (error_hook_) error_hook_(status, msg);
}

void CommandProcessor::execute(const std::uint8_t* sqe, std::uint16_t index) {
  proto::ConstBytes b(sqe, abi::kSqeBytes);
  const auto op = static_cast<abi::Opcode>(b[abi::kSqeOpcode]);
  const std::uint8_t flags = b[abi::kSqeFlags];
  const std::uint16_t conn = proto::load_le16(b, abi::kSqeConnId);
  const std::uint32_t len = proto::load_le32(b, abi::kSqeLength);
  const std::uint64_t addr = proto::load_le64(b, abi::kSqeHostAddr);
  const std::uint64_t cookie = proto::load_le64(b, abi::kSqeCookie);
  const bool known_op = op == abi::Opcode::kOffloadConn || op == abi::Opcode::kSend ||
                        op == abi::Opcode::kPostRecv || op == abi::Opcode::kClose ||
                        op == abi::Opcode::kUploadConn || op == abi::Opcode::kRawTx;
  if (!known_op) return reject(sqe, index, abi::Status::kBadOpcode, "unknown opcode");
  if ((flags & ~abi::kSqeFlagSignal) != 0 ||
      std::any_of(sqe + 24, sqe + abi::kSqeBytes, [](std::uint8_t x) { return x != 0; }))
    return reject(sqe, index, abi::Status::kReservedNonZero, "reserved bytes or unknown flags set");
  const bool raw_conn = conn == abi::kRawConn && (op == abi::Opcode::kPostRecv || op == abi::Opcode::kRawTx);
  if (!raw_conn && conn >= tcb_entries_)
    return reject(sqe, index, abi::Status::kBadConn,
                  "conn_id " + std::to_string(conn) + " >= TCB_ENTRIES " + std::to_string(tcb_entries_));

  switch (op) {
    case abi::Opcode::kOffloadConn: return do_offload(conn, index, sqe);
    case abi::Opcode::kSend:
      if (!pe_.offloaded(conn)) return reject(sqe, index, abi::Status::kConnState, "connection not offloaded");
      if (pe_.closing(conn)) return reject(sqe, index, abi::Status::kConnState, "connection is closing");
      if (len == 0) return reject(sqe, index, abi::Status::kZeroLength, "SEND of 0 bytes");
      if (!pcie_.dma_window_contains(addr, len))
        return reject(sqe, index, abi::Status::kBadAddress, "buffer is not inside host memory");
      return do_send(conn, addr, len, cookie, index);
    case abi::Opcode::kClose:
      if (!pe_.offloaded(conn)) return reject(sqe, index, abi::Status::kConnState, "connection not offloaded");
      if (pe_.closing(conn)) return reject(sqe, index, abi::Status::kConnState, "connection already closing");
      sync();
      pe_.close(conn, index);
      return;
    case abi::Opcode::kRawTx: {
      if (len == 0) return reject(sqe, index, abi::Status::kZeroLength, "RAW_TX of 0 bytes");
      if (len < 14 || len > params_.max_raw_frame)
        return reject(sqe, index, abi::Status::kTooLong,
                      "RAW_TX length " + std::to_string(len) + " outside 14.." + std::to_string(params_.max_raw_frame));
      if (!pcie_.dma_window_contains(addr, len))
        return reject(sqe, index, abi::Status::kBadAddress, "frame is not inside host memory");
      TxDescriptor d;
      d.kind = TxDescriptor::Kind::kRaw;
      d.conn = conn;
      d.raw_addr = addr;
      d.raw_len = len;
      d.cookie = cookie;
      d.sq_index = index;
      sync();  // the DMA engine's thread sends it at the kernel's time
      while (!dma_.can_push()) sc_core::wait(dma_.space_event());
      dma_.push(std::move(d));
      return;
    }
    case abi::Opcode::kPostRecv:
      if (!raw_conn && !pe_.offloaded(conn))
        return reject(sqe, index, abi::Status::kConnState, "POST_RECV for a connection that is not offloaded");
      if (len == 0) return reject(sqe, index, abi::Status::kZeroLength, "POST_RECV of 0 bytes");
      if (!pcie_.dma_window_contains(addr, len))
        return reject(sqe, index, abi::Status::kBadAddress, "buffer is not inside host memory");
      sync();
      if (raw_conn) mac_rx_.post_raw_buffer(addr, len, cookie, index);
      else pe_.post_recv(conn, addr, len, cookie, index);  // in-order data of the connection (RECV_DONE)
      return;
    case abi::Opcode::kUploadConn:
      if (!pe_.offloaded(conn)) return reject(sqe, index, abi::Status::kConnState, "connection not offloaded");
      sync();  // upload() waits
      pe_.upload(conn, index);  // waits for the connection's DMA reads and the TCB write-back
      return;
  }
}

void CommandProcessor::do_offload(std::uint16_t conn, std::uint16_t index, const std::uint8_t* sqe) {
  if (pe_.offloaded(conn)) return reject(sqe, index, abi::Status::kConnState, "connection already offloaded");
  sync();  // the PCB read is waited for
  std::array<std::uint8_t, abi::kTcbBytes> pcb{};
  sc_time done;
  // Claim 1: the PCB is copied from host memory to the offload engine.
  if (!tcb_cache_.load(conn, sc_core::sc_time_stamp(), pcb.data(), done))
    return reject(sqe, index, abi::Status::kDmaError, "PCB read failed: TCB table slot outside host memory");
  wait_until(done);
  std::string why;
  if (!pe_.offload(conn, proto::decode_tcb(pcb), why)) return reject(sqe, index, abi::Status::kConnState, why);
  ++stats_.offloads;
  Completion c;
  c.type = abi::CqeType::kOffloadDone;
  c.conn = conn;
  c.sq_index = index;
  c.opcode = static_cast<std::uint8_t>(abi::Opcode::kOffloadConn);
  completions_.post(c, sc_core::sc_time_stamp());
}

void CommandProcessor::do_send(std::uint16_t conn, std::uint64_t addr, std::uint32_t len, std::uint64_t cookie,
                               std::uint16_t index) {
  ++stats_.sends;
  stats_.send_bytes += len;
  // Claim 1/10: one or more contexts that point at the host buffer; the
  // message itself is not copied.
  for (std::uint32_t off = 0; off < len;) {
    const std::uint32_t n = std::min(len - off, params_.ctx_max_bytes);
    if (contexts_.full()) {
      // Back-pressure: wait for the peer to ack something. Nothing is dropped.
      sync();
      ++stats_.ctx_full_stalls;
      const std::uint64_t c0 = core_.now_cycle();
      while (contexts_.full()) sc_core::wait(contexts_.freed_event());
      wait_until(core_.align_up(sc_core::sc_time_stamp()));
      stats_.ctx_full_stall_cycles += core_.now_cycle() - c0;
    }
    spend(params_.alloc_cycles);
    if (!pe_.offloaded(conn)) {
      // The connection ended (RST, retransmission give-up) while this SEND
      // waited: its queued part went with the connection, and no context may
      // be linked to a connection no longer served. The message completes
      // here, once, as not delivered (found by tests/fuzz/fuzz_rx_frames).
      Completion c;
      c.type = abi::CqeType::kSendDone;
      c.status = abi::Status::kAborted;
      c.conn = conn;
      c.length = len;
      c.cookie = cookie;
      c.sq_index = index;
      c.opcode = static_cast<std::uint8_t>(abi::Opcode::kSend);
      completions_.post(c, now());
      return;
    }
    MessageContext m;
    m.host_addr = addr + off;
    m.length = n;
    m.start_seq = pe_.next_post_seq(conn);
    m.cookie = cookie;
    m.conn = conn;
    m.sq_index = index;
    m.last_of_message = off + n == len;
    m.message_bytes = len;
    sync();  // fast mode: decode and allocation in one wait, then the context is visible
    pe_.append_context(conn, contexts_.allocate(m));
    off += n;
  }
}

}  // namespace toevp::model
