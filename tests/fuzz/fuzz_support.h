// What every fuzz target shares: the libFuzzer entry points, a reader that
// takes the fuzz input front to back (so seeds are easy to write and a
// mutated byte changes one decision), a writer for building seeds, and the
// fatal check that turns a broken invariant into a crash libFuzzer records.
//
// A target is built two ways (tests/fuzz/CMakeLists.txt): with libFuzzer's
// main (TOEVP_FUZZ, clang) to search for inputs, and with replay_main.cpp
// (any compiler) to run the kept corpus as a regression test and to write
// the seed corpus (`<target>_replay --write-seeds DIR`).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv);
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace toevp::fuzz {

using Bytes = std::vector<std::uint8_t>;

// The seed inputs of this target, by file name (each target defines it).
std::vector<std::pair<std::string, Bytes>> seeds();

// Consumes the input front to back; past the end every read returns zeros,
// so a short input is a valid input with default choices.
class Reader {
 public:
  Reader(const std::uint8_t* data, std::size_t size) : p_(data), end_(data + size) {}
  bool empty() const { return p_ == end_; }
  std::size_t left() const { return static_cast<std::size_t>(end_ - p_); }
  std::uint8_t u8() { return p_ < end_ ? *p_++ : 0; }
  std::uint16_t u16() { return static_cast<std::uint16_t>(u8() | (u8() << 8)); }
  std::uint32_t u32() { return u16() | (std::uint32_t{u16()} << 16); }
  std::uint64_t u64() { return u32() | (std::uint64_t{u32()} << 32); }
  // Up to n bytes (fewer at the end of the input).
  Bytes bytes(std::size_t n);
  // Everything left.
  Bytes rest() { return bytes(left()); }

 private:
  const std::uint8_t* p_;
  const std::uint8_t* end_;
};

// Builds inputs in the layout Reader takes them.
class Writer {
 public:
  Writer& u8(std::uint8_t v) { b_.push_back(v); return *this; }
  Writer& u16(std::uint16_t v) { return u8(static_cast<std::uint8_t>(v)).u8(static_cast<std::uint8_t>(v >> 8)); }
  Writer& u32(std::uint32_t v) { return u16(static_cast<std::uint16_t>(v)).u16(static_cast<std::uint16_t>(v >> 16)); }
  Writer& u64(std::uint64_t v) { return u32(static_cast<std::uint32_t>(v)).u32(static_cast<std::uint32_t>(v >> 32)); }
  Writer& bytes(const Bytes& b) { b_.insert(b_.end(), b.begin(), b.end()); return *this; }
  Writer& text(const std::string& s) { b_.insert(b_.end(), s.begin(), s.end()); return *this; }
  const Bytes& data() const { return b_; }

 private:
  Bytes b_;
};

// Prints `what` and aborts: libFuzzer saves the input as a crash, the replay
// test fails.
[[noreturn]] void invariant_failed(const std::string& what);

#define TOEVP_FUZZ_CHECK(cond, what)                                                             \
  do {                                                                                          \
    if (!(cond)) ::toevp::fuzz::invariant_failed(std::string("invariant `" #cond "` broken: ") + \
                                                 (what));                                       \
  } while (0)

}  // namespace toevp::fuzz
