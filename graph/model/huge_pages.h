#pragma once

// Transparent huge pages for big arrays that are read or written at random. With 4 KiB pages
// nearly every such access also misses the TLB, which in a virtual machine costs a two-level
// page walk; 2 MiB pages cover a few gigabytes with the TLB's entries. Both helpers are hints:
// where the kernel gives huge pages only on request (madvise mode) they ask for them, elsewhere
// memory behaves as usual.

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <utility>

namespace innograph {

// Allocates arrays of 4 MiB and more as their own mappings in huge pages; smaller ones come
// from the heap.
template <typename T>
struct HugePageAllocator {
  using value_type = T;
  static constexpr size_t kHuge = size_t{2} << 20;
  HugePageAllocator() = default;
  template <typename U>
  HugePageAllocator(const HugePageAllocator<U>&) {}  // NOLINT: rebinding.
  static size_t MappedBytes(size_t n) {
    const size_t bytes = n * sizeof(T);
    return bytes < 2 * kHuge ? 0 : (bytes + kHuge - 1) & ~(kHuge - 1);
  }
  T* allocate(size_t n) {
    const size_t mapped = MappedBytes(n);
    if (mapped == 0) return std::allocator<T>().allocate(n);
    void* p = mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
    madvise(p, mapped, MADV_HUGEPAGE);
#endif
    return static_cast<T*>(p);
  }
  void deallocate(T* p, size_t n) {
    const size_t mapped = MappedBytes(n);
    if (mapped == 0) {
      std::allocator<T>().deallocate(p, n);
    } else {
      munmap(p, mapped);
    }
  }
  template <typename U>
  bool operator==(const HugePageAllocator<U>&) const {
    return true;
  }
};

// A HugePageAllocator whose containers leave new elements default-initialized on resize
// (trivial ones not zeroed): for arrays that are written before they are read, so that growing
// one does not write its memory twice, and the first writes may come from several threads.
template <typename T>
struct HugePageArrayAllocator : HugePageAllocator<T> {
  HugePageArrayAllocator() = default;
  template <typename U>
  HugePageArrayAllocator(const HugePageArrayAllocator<U>&) {}  // NOLINT: rebinding.
  template <typename U, typename... Args>
  void construct(U* p, Args&&... args) {
    if constexpr (sizeof...(Args) == 0) {
      ::new (static_cast<void*>(p)) U;
    } else {
      ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
    }
  }
};

// Asks for huge pages for the whole 2 MiB extents inside [data, data + bytes), memory of an
// ordinary allocation not touched yet (a big std::vector just reserved: the heap maps those
// on their own).
inline void AdviseHugePages(const void* data, size_t bytes) {
#ifdef MADV_HUGEPAGE
  constexpr uintptr_t kHuge = uintptr_t{2} << 20;
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(data) + kHuge - 1) & ~(kHuge - 1);
  const uintptr_t end = (reinterpret_cast<uintptr_t>(data) + bytes) & ~(kHuge - 1);
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
#else
  (void)data;
  (void)bytes;
#endif
}

}  // namespace innograph
