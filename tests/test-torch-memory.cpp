/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-torch-memory.cpp: the allocator training steps take tensors from
 *
 * Driven through c10's allocator interface, the one every CPU tensor is
 * allocated through, so this needs no ATen and compiles quickly. */

#include "config.h"

#include <c10/core/Allocator.h>
#include <c10/core/CPUAllocator.h>

#include <glib.h>

#include <cstdint>
#include <thread>
#include <vector>

#include "otter-torch-memory.hpp"

using otter::memory_get_stats;

constexpr size_t MiB = 1024 * 1024;

/* Installs the allocator; TRUE, with the test marked skipped, where the
 * build keeps libtorch's own (AddressSanitizer builds). */
static bool
skipped_without_reusing_allocator ()
{
  otter::memory_use_reusing_allocator ();
  if (c10::GetCPUAllocator () != c10::GetDefaultCPUAllocator ())
    return false;
  g_test_skip ("this build keeps libtorch's allocator (AddressSanitizer)");
  return true;
}

static c10::DataPtr
take (size_t bytes)
{
  c10::DataPtr p = c10::GetCPUAllocator ()->allocate (bytes);
  g_assert_nonnull (p.get ());
  /* the alignment libtorch's kernels expect */
  g_assert_cmpuint ((uintptr_t) p.get () % 64, ==, 0);
  /* every byte is writable */
  static_cast<char *> (p.get ())[0] = 1;
  static_cast<char *> (p.get ())[bytes - 1] = 1;
  return p;
}

static void
test_reuse (void)
{
  if (skipped_without_reusing_allocator ())
    return;
  otter::memory_release_cached ();
  void *first;
  {
    c10::DataPtr p = take (4 * MiB);
    first = p.get ();
    g_assert_cmpuint (memory_get_stats ().in_use, >=, 4 * MiB);
  }
  g_assert_cmpuint (memory_get_stats ().in_use, ==, 0);
  g_assert_cmpuint (memory_get_stats ().kept, >=, 4 * MiB);
  {
    /* the same size, and a smaller one it fits, get the kept block */
    c10::DataPtr p = take (4 * MiB);
    g_assert_true (p.get () == first);
  }
  {
    c10::DataPtr p = take (3 * MiB);
    g_assert_true (p.get () == first);
  }
  {
    /* less than half of it: a block of its own */
    c10::DataPtr p = take (1 * MiB);
    g_assert_true (p.get () != first);
  }
  otter::memory_release_cached ();
  g_assert_cmpuint (memory_get_stats ().kept, ==, 0);
}

static void
test_small_and_empty (void)
{
  if (skipped_without_reusing_allocator ())
    return;
  otter::memory_release_cached ();
  size_t in_use = memory_get_stats ().in_use;
  {
    c10::DataPtr small = take (100);
    c10::DataPtr empty = c10::GetCPUAllocator ()->allocate (0);
    /* malloc's business: not counted, not kept */
    g_assert_cmpuint (memory_get_stats ().in_use, ==, in_use);
  }
  g_assert_cmpuint (memory_get_stats ().kept, ==, 0);
}

/* Whatever the pattern, what is in use and kept stays under one and a
 * half times the most in use at once. */
static void
test_bounded (void)
{
  if (skipped_without_reusing_allocator ())
    return;
  otter::memory_release_cached ();
  GRand *rand = g_rand_new_with_seed (7);
  std::vector<c10::DataPtr> held;
  size_t most = 0;
  for (int i = 0; i < 3000; i++)
    {
      if (!held.empty () && g_rand_boolean (rand))
        {
          size_t k = (size_t) g_rand_int_range (rand, 0, (gint32) held.size ());
          held[k] = std::move (held.back ());
          held.pop_back ();
        }
      else if (held.size () < 24)
        /* sizes spread over three phases, as a step's passes are */
        held.push_back (take ((size_t) g_rand_int_range (rand, 1, 8) * MiB * (1 + (i / 1000))));
      otter::MemoryStats s = memory_get_stats ();
      most = std::max (most, s.in_use);
      g_assert_cmpuint (s.peak_in_use, ==, most);
      g_assert_cmpuint (s.in_use + s.kept, <=, most + most / 2 + 64 * 1024);
    }
  held.clear ();
  g_assert_cmpuint (memory_get_stats ().in_use, ==, 0);
  otter::memory_release_cached ();
  g_rand_free (rand);
}

/* Tensors are freed on other threads than the one that made them
 * (OpenMP workers, the loader): the lists stay whole. */
static void
test_threads (void)
{
  if (skipped_without_reusing_allocator ())
    return;
  otter::memory_release_cached ();
  auto work = [] (int seed) {
    GRand *rand = g_rand_new_with_seed ((guint32) seed);
    std::vector<c10::DataPtr> held;
    for (int i = 0; i < 2000; i++)
      {
        if (held.size () > 8 || (!held.empty () && g_rand_boolean (rand)))
          held.erase (held.begin ());
        else
          held.push_back (take ((size_t) g_rand_int_range (rand, 256 * 1024, 3 * (gint32) MiB)));
      }
    g_rand_free (rand);
  };
  std::thread a (work, 1), b (work, 2);
  a.join ();
  b.join ();
  g_assert_cmpuint (memory_get_stats ().in_use, ==, 0);
  otter::memory_release_cached ();
  g_assert_cmpuint (memory_get_stats ().kept, ==, 0);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/torch-memory/reuse", test_reuse);
  g_test_add_func ("/torch-memory/small-and-empty", test_small_and_empty);
  g_test_add_func ("/torch-memory/bounded", test_bounded);
  g_test_add_func ("/torch-memory/threads", test_threads);
  return g_test_run ();
}
