#pragma once

// Helpers shared by the fuzz targets (docs/testing.md): a reader that turns the fuzzer's bytes
// into typed values, and a check that aborts with a message (so that a broken invariant is a
// crash the fuzzer keeps, also in release builds where assert is off).

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "absl/strings/string_view.h"

namespace innograph::fuzz {

// Aborts with `what` when `cond` is false.
#define FUZZ_CHECK(cond, what)                                                                  \
  do {                                                                                          \
    if (!(cond)) {                                                                              \
      std::fprintf(stderr, "%s:%d: fuzz invariant failed: %s: %s\n", __FILE__, __LINE__, #cond, \
                   std::string(what).c_str());                                                  \
      std::abort();                                                                             \
    }                                                                                           \
  } while (0)

// Reads typed values from the front of the input; past the end every value is zero or empty.
class Input {
 public:
  Input(const uint8_t* data, size_t size) : p_(data), left_(size) {}

  size_t left() const { return left_; }

  uint8_t Byte() {
    if (left_ == 0) return 0;
    --left_;
    return *p_++;
  }
  bool Bool() { return Byte() & 1; }
  uint32_t U32() { return static_cast<uint32_t>(U64Bytes(4)); }
  uint64_t U64() { return U64Bytes(8); }
  double Double() {
    const uint64_t bits = U64();
    double d;
    std::memcpy(&d, &bits, sizeof d);
    return d;
  }
  // A string of up to `max` bytes: a length byte, then the bytes.
  std::string Str(size_t max = 64) {
    size_t n = Byte() % (max + 1);
    if (n > left_) n = left_;
    std::string s(reinterpret_cast<const char*>(p_), n);
    p_ += n;
    left_ -= n;
    return s;
  }
  // Everything not read yet.
  absl::string_view Rest() {
    absl::string_view s(reinterpret_cast<const char*>(p_), left_);
    p_ += left_;
    left_ = 0;
    return s;
  }

 private:
  uint64_t U64Bytes(int n) {
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v = (v << 8) | Byte();
    return v;
  }

  const uint8_t* p_;
  size_t left_;
};

}  // namespace innograph::fuzz
