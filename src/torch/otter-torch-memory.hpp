/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-torch-memory.hpp: libtorch's CPU allocator, for training
 *
 * Kept apart from otter-torch-private.hpp so that the allocator's
 * translation unit includes only c10's headers.
 */
#pragma once

#include <cstddef>

namespace otter {

/* From the first call on, CPU tensors come from an allocator that keeps
 * freed activation buffers for the next step (otter-torch-memory.cpp). */
void memory_use_reusing_allocator ();
/* Gives the kept buffers back to the system. */
void memory_release_cached ();

/* What the reusing allocator holds, in bytes of blocks large enough to be
 * kept: handed out now, kept for reuse, and the most ever handed out at
 * once since the last release. */
struct MemoryStats
{
  size_t in_use, kept, peak_in_use;
};
MemoryStats memory_get_stats ();

} /* namespace otter */
