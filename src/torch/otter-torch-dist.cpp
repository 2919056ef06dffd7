/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-torch-dist.cpp: a group of training processes on PyTorch's c10d
 *
 * Rendezvous goes through c10d's TCPStore on the master's address and
 * port (rank 0 serves it); the collectives are c10d's ProcessGroupGloo,
 * which reduces CPU tensors and, in a CUDA build, CUDA tensors too. The
 * timeout bounds every wait: a rank that dies or hangs makes the others
 * fail with a message instead of waiting forever.
 */

#include "config.h"

#include <cmath>
#include <cstring>

#include "otter-torch-private.hpp"

#ifdef OTTER_HAVE_C10D
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#endif

/* after libtorch's headers, which use _ as a name of their own */
#include <glib/gi18n-lib.h>

using namespace otter;

struct _OtterTorchGroup
{
  int rank = 0;
  int world_size = 1;
  std::string master;                  /* "addr:port", for messages */
  double timeout_seconds = 0;
  double reduce_seconds = 0;           /* spent in gradient exchanges */
  gint64 n_reductions = 0;
#ifdef OTTER_HAVE_C10D
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> gloo;
#endif
};

/* The first line of a libtorch message: the rest is a C++ backtrace. */
static std::string
first_line (const std::exception &e)
{
  std::string msg = e.what ();
  size_t nl = msg.find ('\n');
  if (nl != std::string::npos)
    msg.resize (nl);
  return msg;
}

gboolean
otter_torch_group_available (void)
{
#ifdef OTTER_HAVE_C10D
  return TRUE;
#else
  return FALSE;
#endif
}

#ifdef OTTER_HAVE_C10D
static bool
is_loopback (const char *addr)
{
  return g_str_has_prefix (addr, "127.") || g_strcmp0 (addr, "localhost") == 0 || g_strcmp0 (addr, "::1") == 0;
}

/* The network interface the ranks talk over: GLOO_SOCKET_IFNAME when set
 * (as in PyTorch), loopback for a local group, else the address this
 * host's name resolves to. */
static std::shared_ptr<gloo::transport::Device>
gloo_device (const char *master_addr)
{
  const char *ifname = g_getenv ("GLOO_SOCKET_IFNAME");
  if (ifname != nullptr && *ifname != '\0')
    return c10d::ProcessGroupGloo::createDeviceForInterface (ifname);
  if (is_loopback (master_addr))
    return c10d::ProcessGroupGloo::createDeviceForHostname ("127.0.0.1");
  return c10d::ProcessGroupGloo::createDefaultDevice ();
}
#endif

OtterTorchGroup *
otter_torch_group_new (const char *master_addr,
                       int         master_port,
                       int         rank,
                       int         world_size,
                       double      timeout_seconds,
                       GError    **error)
{
  g_return_val_if_fail (master_addr != nullptr, nullptr);
  if (world_size < 1 || rank < 0 || rank >= world_size)
    {
      g_set_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_INVALID_ARGUMENT,
                   _("rank %d does not fit a group of %d processes (ranks run from 0 to the world size − 1)"),
                   rank, world_size);
      return nullptr;
    }
  if (master_port < 1 || master_port > 65535)
    {
      g_set_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_INVALID_ARGUMENT,
                   _("the master port %d is not a TCP port (1–65535)"), master_port);
      return nullptr;
    }
  if (!(timeout_seconds > 0) || timeout_seconds > 86400)
    {
      g_set_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_INVALID_ARGUMENT,
                   _("the distributed timeout must lie between 0 and 86400 s, not %g"), timeout_seconds);
      return nullptr;
    }
#ifndef OTTER_HAVE_C10D
  g_set_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_DISTRIBUTED,
               _("this build of Otter has no distributed training (libtorch's c10d with Gloo was not found)"));
  return nullptr;
#else
  auto group = std::make_unique<_OtterTorchGroup> ();
  group->rank = rank;
  group->world_size = world_size;
  group->master = std::string (master_addr) + ":" + std::to_string (master_port);
  group->timeout_seconds = timeout_seconds;
  auto timeout = std::chrono::milliseconds ((int64_t) (timeout_seconds * 1000));

  try
    {
      c10d::TCPStoreOptions options;
      options.port = (uint16_t) master_port;
      options.isServer = rank == 0;
      options.numWorkers = (size_t) world_size;
      options.waitWorkers = true;
      options.timeout = timeout;
      group->store = c10::make_intrusive<c10d::TCPStore> (master_addr, options);
    }
  catch (const std::exception &e)
    {
      if (rank == 0)
        g_set_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_DISTRIBUTED,
                     _("rank 0 could not serve the rendezvous on %s, or not every one of the %d ranks joined within %g s: %s"),
                     group->master.c_str (), world_size, timeout_seconds, first_line (e).c_str ());
      else
        g_set_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_DISTRIBUTED,
                     _("rank %d could not reach the master at %s within %g s: %s"),
                     rank, group->master.c_str (), timeout_seconds, first_line (e).c_str ());
      return nullptr;
    }

  try
    {
      auto options = c10d::ProcessGroupGloo::Options::create ();
      options->devices.push_back (gloo_device (master_addr));
      options->timeout = timeout;
      group->gloo = c10::make_intrusive<c10d::ProcessGroupGloo> (group->store, rank, world_size, options);
    }
  catch (const std::exception &e)
    {
      g_set_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_DISTRIBUTED,
                   _("rank %d joined the rendezvous at %s but could not connect to the other ranks: %s"),
                   rank, group->master.c_str (), first_line (e).c_str ());
      return nullptr;
    }
  return group.release ();
#endif
}

void
otter_torch_group_free (OtterTorchGroup *group)
{
  delete group;
}

int
otter_torch_group_get_rank (OtterTorchGroup *group)
{
  g_return_val_if_fail (group != nullptr, 0);
  return group->rank;
}

int
otter_torch_group_get_world_size (OtterTorchGroup *group)
{
  g_return_val_if_fail (group != nullptr, 1);
  return group->world_size;
}

double
otter_torch_group_get_reduce_seconds (OtterTorchGroup *group,
                                      gint64          *n_reductions)
{
  g_return_val_if_fail (group != nullptr, 0);
  if (n_reductions != nullptr)
    *n_reductions = group->n_reductions;
  return group->reduce_seconds;
}

/* A collective that failed: a peer died (its sockets closed) or hung past
 * the timeout. Every rank says which group it lost. */
static void
set_collective_error (OtterTorchGroup *group, const char *what, const std::exception &e, GError **error)
{
  g_set_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_DISTRIBUTED,
               _("rank %d of %d lost the group (master %s) during %s — another rank died, hung for over %g s or left: %s"),
               group->rank, group->world_size, group->master.c_str (), what, group->timeout_seconds,
               first_line (e).c_str ());
}

gboolean
otter_torch_group_sum (OtterTorchGroup *group,
                       double          *values,
                       int              n,
                       GError         **error)
{
  g_return_val_if_fail (group != nullptr && (values != nullptr || n == 0), FALSE);
  if (group->world_size == 1 || n == 0)
    return TRUE;
#ifdef OTTER_HAVE_C10D
  try
    {
      std::vector<at::Tensor> t = { at::from_blob (values, { n }, at::kDouble).clone () };
      group->gloo->allreduce (t)->wait ();
      memcpy (values, t[0].data_ptr<double> (), sizeof (double) * (size_t) n);
      return TRUE;
    }
  catch (const std::exception &e)
    {
      set_collective_error (group, _("an exchange of epoch results"), e, error);
      return FALSE;
    }
#else
  return TRUE;
#endif
}

gboolean
otter_torch_group_check_same (OtterTorchGroup *group,
                              const char      *what,
                              const char      *value,
                              GError         **error)
{
  g_return_val_if_fail (group != nullptr && what != nullptr && value != nullptr, FALSE);
  if (group->world_size == 1)
    return TRUE;
#ifdef OTTER_HAVE_C10D
  try
    {
      std::string prefix = std::string ("otter/same/") + what + "/";
      group->store->set (prefix + std::to_string (group->rank),
                         std::vector<uint8_t> (value, value + strlen (value)));
      /* Every rank compares every rank's value, so all of them fail
       * together rather than only the odd one out. */
      for (int r = 0; r < group->world_size; r++)
        {
          std::vector<uint8_t> theirs = group->store->get (prefix + std::to_string (r));
          if (std::string (theirs.begin (), theirs.end ()) != value)
            {
              g_set_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_DISTRIBUTED,
                           _("%s of rank %d and rank %d differ: every rank must train the same thing"),
                           what, r, group->rank);
              return FALSE;
            }
        }
      return TRUE;
    }
  catch (const std::exception &e)
    {
      set_collective_error (group, _("the comparison of the ranks' settings"), e, error);
      return FALSE;
    }
#else
  return TRUE;
#endif
}

gboolean
otter_torch_group_share_text (OtterTorchGroup *group,
                              const char      *what,
                              const char      *text,
                              char           **out,
                              GError         **error)
{
  g_return_val_if_fail (group != nullptr && what != nullptr && out != nullptr, FALSE);
  g_return_val_if_fail (group->rank != 0 || text != nullptr, FALSE);
  if (group->rank == 0 || group->world_size == 1)
    {
      *out = g_strdup (text);
      if (group->world_size == 1)
        return TRUE;
    }
#ifdef OTTER_HAVE_C10D
  try
    {
      std::string key = std::string ("otter/text/") + what;
      if (group->rank == 0)
        group->store->set (key, std::vector<uint8_t> (text, text + strlen (text)));
      else
        {
          std::vector<uint8_t> bytes = group->store->get (key);
          *out = g_strndup ((const char *) bytes.data (), bytes.size ());
        }
      return TRUE;
    }
  catch (const std::exception &e)
    {
      if (group->rank == 0)
        g_clear_pointer (out, g_free);
      set_collective_error (group, what, e, error);
      return FALSE;
    }
#else
  return TRUE;
#endif
}

gboolean
otter_torch_group_publish (OtterTorchGroup *group,
                           const char      *key,
                           const double    *values,
                           int              n,
                           GError         **error)
{
  g_return_val_if_fail (group != nullptr && key != nullptr && n >= 0, FALSE);
  if (group->world_size == 1)
    return TRUE;
#ifdef OTTER_HAVE_C10D
  try
    {
      const uint8_t *bytes = (const uint8_t *) values;
      group->store->set (std::string ("otter/published/") + key,
                         std::vector<uint8_t> (bytes, bytes + sizeof (double) * (size_t) n));
      return TRUE;
    }
  catch (const std::exception &e)
    {
      set_collective_error (group, key, e, error);
      return FALSE;
    }
#else
  return TRUE;
#endif
}

gboolean
otter_torch_group_await (OtterTorchGroup *group,
                         const char      *key,
                         double          *values,
                         int              n,
                         GCancellable    *cancellable,
                         GError         **error)
{
  g_return_val_if_fail (group != nullptr && key != nullptr && n >= 0, FALSE);
  if (group->world_size == 1)
    return TRUE;
#ifdef OTTER_HAVE_C10D
  std::string full = std::string ("otter/published/") + key;
  try
    {
      /* Polled rather than waited on: rank 0 may take longer than the
       * timeout (a large validation set), and a rank 0 that is gone
       * makes check() throw at once. */
      while (!group->store->check ({ full }))
        {
          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            return FALSE;
          g_usleep (100 * 1000);
        }
      std::vector<uint8_t> bytes = group->store->get (full);
      if (bytes.size () != sizeof (double) * (size_t) n)
        {
          g_set_error (error, OTTER_TORCH_ERROR, OTTER_TORCH_ERROR_DISTRIBUTED,
                       _("rank 0 published %s in another form: the ranks run different versions of Otter"), key);
          return FALSE;
        }
      memcpy (values, bytes.data (), bytes.size ());
      return TRUE;
    }
  catch (const std::exception &e)
    {
      set_collective_error (group, key, e, error);
      return FALSE;
    }
#else
  return TRUE;
#endif
}

namespace otter {

/* Sums tensors of one dtype and device across the ranks, in place: packed
 * into flat buckets, every bucket's reduction started before the first is
 * waited on, so packing and unpacking overlap the communication. */
void
group_sum_tensors (OtterTorchGroup *group, std::vector<at::Tensor> &tensors)
{
  if (group == nullptr || group->world_size == 1 || tensors.empty ())
    return;
#ifdef OTTER_HAVE_C10D
  constexpr int64_t kBucketElements = 1 << 20;   /* 4 MiB of float32 */
  gint64 start = g_get_monotonic_time ();
  torch::NoGradGuard no_grad;
  struct Bucket
  {
    size_t first, count;
    std::vector<at::Tensor> flat;
    c10::intrusive_ptr<c10d::Work> work;
  };
  std::vector<Bucket> buckets;
  size_t i = 0;
  while (i < tensors.size ())
    {
      Bucket b;
      b.first = i;
      int64_t elements = 0;
      std::vector<at::Tensor> views;
      while (i < tensors.size () && (views.empty () || elements + tensors[i].numel () <= kBucketElements)
             && (views.empty () || tensors[i].scalar_type () == views[0].scalar_type ()))
        {
          views.push_back (tensors[i].reshape ({ -1 }));
          elements += tensors[i].numel ();
          i++;
        }
      b.count = views.size ();
      b.flat = { at::cat (views) };
      b.work = group->gloo->allreduce (b.flat);
      buckets.push_back (std::move (b));
    }
  for (Bucket &b : buckets)
    {
      b.work->wait ();
      int64_t offset = 0;
      for (size_t k = b.first; k < b.first + b.count; k++)
        {
          int64_t n = tensors[k].numel ();
          tensors[k].copy_ (b.flat[0].narrow (0, offset, n).view (tensors[k].sizes ()));
          offset += n;
        }
    }
  group->reduce_seconds += (g_get_monotonic_time () - start) / 1e6;
  group->n_reductions++;
#endif
}

/* Copies rank 0's tensors to every rank, in place. */
void
group_broadcast_tensors (OtterTorchGroup *group, std::vector<at::Tensor> &tensors)
{
  if (group == nullptr || group->world_size == 1)
    return;
#ifdef OTTER_HAVE_C10D
  torch::NoGradGuard no_grad;
  for (at::Tensor &t : tensors)
    {
      /* broadcast wants contiguous tensors; channels-last weights are not */
      std::vector<at::Tensor> one = { t.contiguous () };
      group->gloo->broadcast (one)->wait ();
      if (!one[0].is_same (t))
        t.copy_ (one[0]);
    }
#endif
}

void
group_set_error (OtterTorchGroup *group, const char *what, const std::exception &e, GError **error)
{
  set_collective_error (group, what, e, error);
}

} /* namespace otter */
