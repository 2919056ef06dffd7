/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-torch-memory.cpp: the memory libtorch's CPU tensors live in
 *
 * A training step allocates and frees the same large activation buffers
 * every time. Through malloc, each buffer over its mmap threshold comes
 * back as fresh pages that fault in one by one, and those under it stay
 * scattered over several arenas: on tiny at 320 px, batch 16, a raccoon
 * epoch took 12 s at 836–856 MiB, or 17–19 s at 541–629 MiB with malloc
 * tuned to give memory back. This allocator keeps freed large buffers and hands
 * each to the next request it fits (the smallest kept block of at least
 * the size asked, and at most twice it), so a steady step neither faults
 * nor grows. What is in use and kept together stays under one and a half
 * times the most ever in use at once: older kept blocks go back to the
 * system first. Measured on that epoch: 668–684 MiB in 11.9–12.5 s, 56
 * blocks mapped in all, nearly all in the first step; with exact sizes
 * only and a bound of 1.1 or 1.5 times, it mapped 660–1280 blocks and ran
 * slower than malloc. Kept blocks are given back when a trainer ends.
 */

#include "config.h"

#include <c10/core/Allocator.h>
#include <c10/core/CPUAllocator.h>

#include <sys/mman.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <list>
#include <mutex>
#include <iterator>
#include <new>
#include <map>
#include <vector>

#include "otter-torch-memory.hpp"

namespace otter {

namespace {

/* Every block starts with this header, so freeing needs no lookup; 64
 * bytes keep the tensor's data at the alignment libtorch's own allocator
 * gives (oneDNN and vectorised kernels rely on it). */
constexpr size_t kHeader = 64;
/* Blocks this large (header included) are kept for reuse, in whole
 * 64 KiB; smaller ones come from malloc, which serves them well. */
constexpr size_t kLargeBlock = 256 * 1024;
constexpr size_t kClass = 64 * 1024;

struct Header
{
  size_t bytes;          /* the block's size; 0 for one from malloc */
};

struct Kept
{
  size_t bytes;
  void *block;
};

struct Cache
{
  std::mutex lock;
  std::list<Kept> kept;     /* oldest first, the order of eviction */
  std::multimap<size_t, std::list<Kept>::iterator> kept_by_size;
  size_t live = 0;          /* large bytes handed out */
  size_t cached = 0;        /* large bytes kept */
  size_t peak_live = 0;
};

Cache &
cache ()
{
  static Cache *c = new Cache ();   /* outlives every tensor: never destroyed */
  return *c;
}

/* Drops kept blocks, oldest first, until `room` more bytes fit under the
 * bound; the caller holds the lock. */
void
evict_for (Cache &c, size_t room)
{
  size_t bound = std::max (c.peak_live, c.live + room);
  bound += bound / 2;
  while (!c.kept.empty () && c.live + c.cached + room > bound)
    {
      auto oldest = c.kept.begin ();
      auto range = c.kept_by_size.equal_range (oldest->bytes);
      for (auto i = range.first; i != range.second; ++i)
        if (i->second == oldest)
          {
            c.kept_by_size.erase (i);
            break;
          }
      c.cached -= oldest->bytes;
      munmap (oldest->block, oldest->bytes);
      c.kept.erase (oldest);
    }
}

void *
take_large (size_t &bytes)
{
  Cache &c = cache ();
  std::lock_guard<std::mutex> guard (c.lock);
  void *block = nullptr;
  auto best = c.kept_by_size.lower_bound (bytes);
  if (best != c.kept_by_size.end () && best->first <= 2 * bytes)
    {
      auto kept = best->second;
      c.kept_by_size.erase (best);
      block = kept->block;
      bytes = kept->bytes;
      c.kept.erase (kept);
      c.cached -= bytes;
    }
  else
    {
      evict_for (c, bytes);
      block = mmap (nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (block == MAP_FAILED)
        return nullptr;
    }
  c.live += bytes;
  c.peak_live = std::max (c.peak_live, c.live);
  return block;
}

void
give_back_large (void *block, size_t bytes)
{
  Cache &c = cache ();
  std::lock_guard<std::mutex> guard (c.lock);
  c.live -= bytes;
  c.kept.push_back ({ bytes, block });
  c.kept_by_size.emplace (bytes, std::prev (c.kept.end ()));
  c.cached += bytes;
}

void
release (void *data)
{
  if (data == nullptr)
    return;
  void *block = static_cast<char *> (data) - kHeader;
  size_t bytes = static_cast<Header *> (block)->bytes;
  if (bytes == 0)
    std::free (block);
  else
    give_back_large (block, bytes);
}

class ReusingAllocator final : public c10::Allocator
{
public:
  /* Declared without `override`: libtorch 1.x has allocate() const and no
   * copy_data(); 2.x has a non-const allocate() and a pure copy_data().
   * Both members are here, so each version finds what it declares. */
  c10::DataPtr
  allocate (size_t n) const
  {
    size_t want = n + kHeader;
    void *block = nullptr;
    size_t bytes = 0;
    if (want >= kLargeBlock)
      {
        bytes = (want + kClass - 1) / kClass * kClass;
        block = take_large (bytes);
      }
    else if (posix_memalign (&block, kHeader, want) != 0)
      block = nullptr;
    if (block == nullptr)
      throw std::bad_alloc ();
    static_cast<Header *> (block)->bytes = bytes;
    void *data = static_cast<char *> (block) + kHeader;
    return { data, data, &release, c10::Device (c10::DeviceType::CPU) };
  }

  c10::DataPtr
  allocate (size_t n)
  {
    return static_cast<const ReusingAllocator *> (this)->allocate (n);
  }

  void
  copy_data (void *dest, const void *src, std::size_t count) const
  {
    std::memcpy (dest, src, count);
  }

  c10::DeleterFnPtr
  raw_deleter () const override
  {
    return &release;
  }
};

} /* namespace */

void
memory_use_reusing_allocator ()
{
#if defined(__SANITIZE_ADDRESS__)
  /* AddressSanitizer finds use after free only in memory malloc hands
   * out: a sanitized build keeps libtorch's allocator. */
#else
  static ReusingAllocator *allocator = new ReusingAllocator ();
  static std::once_flag once;
  /* Tensors allocated before keep their own deleter: switching is safe
   * at any time. */
  std::call_once (once, [] { c10::SetCPUAllocator (allocator); });
#endif
}

void
memory_release_cached ()
{
  Cache &c = cache ();
  std::lock_guard<std::mutex> guard (c.lock);
  for (const Kept &k : c.kept)
    munmap (k.block, k.bytes);
  c.kept.clear ();
  c.kept_by_size.clear ();
  c.cached = 0;
  /* the next run measures its own need */
  c.peak_live = c.live;
}

MemoryStats
memory_get_stats ()
{
  Cache &c = cache ();
  std::lock_guard<std::mutex> guard (c.lock);
  return { c.live, c.cached, c.peak_live };
}

} /* namespace otter */
