// What the end-to-end platform tests share: building a checked config from
// key=value overrides, watching the Ethernet link frame by frame (and losing
// a chosen frame on it), timestamping the firmware's doorbell writes, logging
// every completion entry the moment it lands in host memory, and the small
// firmware steps the test programs are made of (init + connect, fill a buffer
// with the peer's check pattern).
//
// Everything here observes the platform from outside the NIC (link, host
// memory, the host CPU's MMIO); nothing changes model/ code. Test firmware
// records what it sees in plain structs and the test asserts after the run:
// Catch assertions are not made inside the SystemC thread.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include <systemc>

#include "firmware/driver.h"
#include "firmware/host_interface.h"
#include "model/common/config.h"
#include "model/link/eth_link.h"
#include "model/proto/seq.h"
#include "testbench/platform.h"

namespace toevp::tb::test {

// Defaults, then each "key=value" in order; the cross-key checks run too.
model::Config make_config(const std::vector<std::string>& assignments);

// One TCP frame as the link carried it.
struct WireFrame {
  bool from_nic = false;
  sc_core::sc_time first_bit;  // first preamble bit leaves the sender
  sc_core::sc_time last_bit;   // the sender's MAC cycle boundary after the FCS
  std::uint16_t src_port = 0;
  std::uint16_t dst_port = 0;
  proto::Seq seq;
  proto::Seq ack;
  std::uint8_t flags = 0;
  std::uint32_t payload_len = 0;
  std::vector<std::uint8_t> payload;  // only with keep_payload
  bool lost = false;                  // made lost by drop_from_nic()
};

// Records every TCP frame on the link, both directions, in send order.
//
// drop_from_nic(): EthLink has no fault injection yet, so a frame from the
// NIC is lost the way a bit error on the cable loses it: its FCS stops
// matching and the peer's MAC drops it (IEEE 802.3 clause 3.2.9). The frame
// an observer sees is the link's own copy, about to be queued for delivery,
// so clearing its fcs_ok flag here is that bit error. Tests that use this
// check that the peer counted the FCS error, so a change in EthLink that
// breaks the trick fails loudly instead of silently losing nothing.
class FrameTap : public link::FrameObserver {
 public:
  FrameTap(const link::EthLink& link, bool keep_payload);

  void on_frame(const link::EthFrame& frame, bool from_a, const sc_core::sc_time& first_bit) override;

  // Frames from the NIC for which `pred` returns true are lost.
  void drop_from_nic(std::function<bool(const WireFrame&)> pred) { drop_ = std::move(pred); }

  const std::vector<WireFrame>& frames() const { return frames_; }
  // Frames from the NIC that carry payload, in send order.
  std::vector<const WireFrame*> data_from_nic() const;
  // When the frame's last bit reaches the far end of the link.
  sc_core::sc_time arrival(const WireFrame& f) const { return f.last_bit + propagation_; }

 private:
  sc_core::sc_time propagation_;
  std::uint64_t cycle_fs_;
  unsigned lane_bytes_;
  bool keep_payload_;
  std::function<bool(const WireFrame&)> drop_;
  std::vector<WireFrame> frames_;
};

// A HostInterface that forwards to the platform's CPU and timestamps every
// write of the SQ_TAIL doorbell (the simulated time the CPU issues it).
class HostTap : public fw::HostInterface {
 public:
  struct Doorbell {
    sc_core::sc_time at;
    std::uint32_t tail;
  };
  explicit HostTap(fw::HostInterface& inner) : inner_(inner) {}

  const std::vector<Doorbell>& doorbells() const { return doorbells_; }

  void mmio_write32(std::uint32_t offset, std::uint32_t value) override;
  std::uint32_t mmio_read32(std::uint32_t offset) override { return inner_.mmio_read32(offset); }
  void mem_write(std::uint64_t a, const void* s, std::size_t n) override { inner_.mem_write(a, s, n); }
  void mem_read(std::uint64_t a, void* d, std::size_t n) override { inner_.mem_read(a, d, n); }
  std::uint64_t dma_alloc(std::size_t len, std::size_t align) override { return inner_.dma_alloc(len, align); }
  std::uint64_t msi_address() const override { return inner_.msi_address(); }
  std::uint32_t msi_data() const override { return inner_.msi_data(); }
  std::uint64_t now_ns() override { return inner_.now_ns(); }
  bool wait_interrupt(std::uint64_t timeout_ns) override { return inner_.wait_interrupt(timeout_ns); }
  void delay_ns(std::uint64_t ns) override { inner_.delay_ns(ns); }
  [[noreturn]] void fail(const char* message) override {
    inner_.fail(message);
    std::abort();  // not reached: fail() does not return
  }

 private:
  fw::HostInterface& inner_;
  std::vector<Doorbell> doorbells_;
};

// Every completion entry, decoded, with the time it landed in host memory
// (the moment firmware polling the ring could first see it); and every DMA
// write of the NIC (received data, TCB write-backs, completion entries,
// MSI-X messages) with the time it landed.
class CompletionLog {
 public:
  struct Landed {
    fw::Cqe cqe;
    sc_core::sc_time at;
  };
  struct Write {
    std::uint64_t addr;
    std::uint64_t len;
    sc_core::sc_time at;
  };
  // Installs itself as the host memory's DMA write observer.
  explicit CompletionLog(Platform& platform);
  const std::vector<Landed>& entries() const { return entries_; }
  const std::vector<Write>& writes() const { return writes_; }

 private:
  void on_write(std::uint64_t addr, std::uint64_t len);
  Platform& p_;
  std::vector<Landed> entries_;
  std::vector<Write> writes_;
};

// --- firmware steps ------------------------------------------------------------

// Connection `conn` as the platform's peer and bulk_sender expect it: NIC
// port kLocalPortBase + conn (the peer checks its bytes against the payload
// pattern of key conn), peer 10.0.0.2:5001, MACs 02:00:00:00:00:01/02.
fw::ConnectParams connect_params(std::uint16_t conn, bool timestamps = true);

// drv.init() with the driver's defaults, then connect() slots 0..n-1. On
// failure returns false and puts the reason in `error`.
bool init_and_connect(fw::Driver& drv, unsigned connections, std::string& error, bool timestamps = true);

// Writes the peer's check pattern of conn's stream bytes [offset, offset+len)
// into host memory at addr.
void fill_pattern(fw::HostInterface& host, std::uint64_t addr, std::uint16_t conn, std::uint64_t offset,
                  std::uint32_t len);

// Waits for the next completion the driver hands out (SEND_DONE, ERROR,
// CONN_EVENT, ...). False after timeout_ns without one.
bool next(fw::Driver& drv, fw::Completion& c, std::uint64_t timeout_ns = 20'000'000);

// The bus address of TCB table slot `conn` (TCB_BASE as programmed).
std::uint64_t tcb_slot(const Platform& p, std::uint16_t conn);

}  // namespace toevp::tb::test
