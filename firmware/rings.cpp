// Submission and completion ring bookkeeping; see rings.h.
#include "firmware/rings.h"

#include <array>

#include "model/abi/toevp_regs.h"

namespace toevp::fw {

void SubmissionRing::reset(HostInterface& host, std::uint64_t base, std::uint32_t size) {
  host_ = &host;
  base_ = base;
  size_ = size;
  tail_ = rung_ = head_ = 0;
}

bool SubmissionRing::refresh_head() {
  const std::uint32_t head = host_->mmio_read32(TOEVP_REG_SQ_HEAD);
  if (head >= size_) return false;
  // The NIC cannot have fetched entries the doorbell did not announce.
  if (((rung_ - head) & (size_ - 1)) > ((rung_ - head_) & (size_ - 1))) return false;
  head_ = head;
  return true;
}

std::uint32_t SubmissionRing::push(const Sqe& sqe) {
  std::array<std::uint8_t, abi::kSqeBytes> bytes{};
  encode_sqe(sqe, bytes);
  const std::uint32_t index = tail_;
  host_->mem_write(base_ + std::uint64_t{index} * abi::kSqeBytes, bytes.data(), bytes.size());
  tail_ = (tail_ + 1) & (size_ - 1);
  return index;
}

void SubmissionRing::ring() {
  if (!doorbell_pending()) return;
  host_->mmio_write32(TOEVP_REG_SQ_TAIL, tail_);
  rung_ = tail_;
}

void CompletionRing::reset(HostInterface& host, std::uint64_t base, std::uint32_t size) {
  host_ = &host;
  base_ = base;
  size_ = size;
  head_ = released_ = 0;
  phase_ = 1;
}

std::optional<Cqe> CompletionRing::peek() {
  std::array<std::uint8_t, abi::kCqeBytes> bytes{};
  host_->mem_read(base_ + std::uint64_t{head_} * abi::kCqeBytes, bytes.data(), bytes.size());
  if ((bytes[abi::kCqePhase] & 1u) != phase_) return std::nullopt;
  return decode_cqe(bytes);
}

void CompletionRing::pop() {
  head_ = (head_ + 1) & (size_ - 1);
  if (head_ == 0) phase_ ^= 1u;
}

void CompletionRing::release() {
  if (head_ == released_) return;
  host_->mmio_write32(TOEVP_REG_CQ_HEAD, head_);
  released_ = head_;
}

}  // namespace toevp::fw
