#pragma once

// Splitting independent per-item work over the two cores this server is sized for.

#include <cstddef>
#include <thread>

namespace innograph {

// Runs f(begin, end) over [0, n): in two halves on two threads (one half on the caller's)
// when n is big enough for a thread to pay, else at once on the caller's.
template <typename F>
void TwoHalves(size_t n, F&& f) {
  if (n < 4096) {
    f(size_t{0}, n);
    return;
  }
  const size_t half = n / 2;
  std::thread other([&] { f(half, n); });
  f(size_t{0}, half);
  other.join();
}

}  // namespace innograph
