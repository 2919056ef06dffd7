/* SPDX-License-Identifier: GPL-3.0-or-later */
/* otter-weights.c: finding and downloading pretrained backbone weights
 *
 * The files are torchvision's own and live where torch.hub keeps them, so a
 * machine with PyTorch holds one copy for both. A download streams into a
 * temporary file beside the final one, hashing as it goes, and is renamed
 * into place only once the SHA-256 matches the prefix in the file's name:
 * whatever goes wrong, nothing half-written ever carries the final name.
 *
 * The async variant runs the blocking download on a GTask thread. Progress
 * from that thread is kept under a mutex with at most one timeout pending
 * on the caller's main context, and flushed before the result is delivered,
 * so the caller sees a few updates a second and always the last one.
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

/* Otter builds against libsoup 3.0; newer API would break that. */
#define SOUP_VERSION_MIN_REQUIRED SOUP_VERSION_3_0
#define SOUP_VERSION_MAX_ALLOWED  SOUP_VERSION_3_0
#include <libsoup/soup.h>

#include "otter-error.h"
#include "otter-weights.h"

/* torchvision's IMAGENET1K_V1 files of the backbones Otter builds. */
static const struct
{
  const char *name;
  const char *file;
} known[] = {
  { "resnet18", "resnet18-f37072fd.pth" },
  { "mobilenet_v3_large", "mobilenet_v3_large-8738ca79.pth" },
};

/* A server that stops sending for this long is given up on. */
#define IO_TIMEOUT_S 60
#define CHUNK_SIZE   (64 * 1024)

/**
 * otter_weights_dup_known_names:
 *
 * The names otter_weights_resolve() knows without a URL: torchvision's
 * names of the backbones Otter builds, as otter_torch_arch_imagenet_name()
 * gives them.
 *
 * Returns: (transfer full): a %NULL-terminated array; free with g_strfreev()
 */
char **
otter_weights_dup_known_names (void)
{
  char **names = g_new0 (char *, G_N_ELEMENTS (known) + 1);

  for (guint i = 0; i < G_N_ELEMENTS (known); i++)
    names[i] = g_strdup (known[i].name);
  return names;
}

/* Python's os.path.expanduser for "~" and "~/...", which is what torch.hub
 * applies; $HOME first, as Python does, so it follows the environment. */
static char *
expand_home (const char *path)
{
  const char *home;
  g_autofree char *trimmed = NULL;
  gsize len;

  if (path[0] != '~' || (path[1] != '\0' && path[1] != '/'))
    return g_strdup (path);
  home = g_getenv ("HOME");
  if (home == NULL)
    home = g_get_home_dir ();
  trimmed = g_strdup (home);
  len = strlen (trimmed);
  while (len > 0 && trimmed[len - 1] == '/')
    trimmed[--len] = '\0';
  if (len == 0 && path[1] == '\0')
    return g_strdup ("/");
  return g_strconcat (trimmed, path + 1, NULL);
}

static const char *
nonempty_env (const char *variable)
{
  const char *value = g_getenv (variable);

  return value != NULL && value[0] != '\0' ? value : NULL;
}

/**
 * otter_weights_dup_cache_dir:
 *
 * torch.hub's checkpoint directory, computed as torch.hub computes it:
 * `$TORCH_HOME/hub/checkpoints`, else `$XDG_CACHE_HOME/torch/hub/checkpoints`,
 * else `~/.cache/torch/hub/checkpoints`. An empty variable counts as unset
 * (torch.hub would make the path relative to the working directory). The
 * directory need not exist.
 *
 * Returns: (transfer full): the directory
 */
char *
otter_weights_dup_cache_dir (void)
{
  const char *torch_home = nonempty_env ("TORCH_HOME");
  const char *xdg_cache = nonempty_env ("XDG_CACHE_HOME");
  g_autofree char *root = NULL;

  if (torch_home != NULL)
    root = expand_home (torch_home);
  else
    {
      g_autofree char *cache = expand_home (xdg_cache != NULL ? xdg_cache : "~/.cache");
      root = g_build_filename (cache, "torch", NULL);
    }
  return g_build_filename (root, "hub", "checkpoints", NULL);
}

/* NAME-HASH.pth (or .pt), as torchvision names its files and as the shim's
 * loader checks them: HASH is 8 to 64 lowercase hex digits. The file name
 * becomes a path in the cache, so it is kept to plain characters. */
static gboolean
split_file_name (const char  *file,
                 char       **stem,
                 char       **hash)
{
  const char *dot, *dash;
  gsize hash_len;

  if (file[0] == '\0' || file[0] == '.')
    return FALSE;
  for (const char *p = file; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '-' && *p != '.')
      return FALSE;
  if (g_str_has_suffix (file, ".pth"))
    dot = file + strlen (file) - 4;
  else if (g_str_has_suffix (file, ".pt"))
    dot = file + strlen (file) - 3;
  else
    return FALSE;
  dash = g_strrstr_len (file, dot - file, "-");
  if (dash == NULL || dash == file)
    return FALSE;
  hash_len = dot - (dash + 1);
  if (hash_len < 8 || hash_len > 64)
    return FALSE;
  for (const char *p = dash + 1; p < dot; p++)
    if (!g_ascii_isdigit (*p) && !(*p >= 'a' && *p <= 'f'))
      return FALSE;
  if (stem != NULL)
    *stem = g_strndup (file, dash - file);
  if (hash != NULL)
    *hash = g_strndup (dash + 1, hash_len);
  return TRUE;
}

static char *
base_url_join (const char *file)
{
  const char *base = nonempty_env ("OTTER_WEIGHTS_BASE_URL");
  g_autofree char *trimmed = g_strdup (base != NULL ? base : OTTER_WEIGHTS_DEFAULT_BASE_URL);
  gsize len = strlen (trimmed);

  while (len > 0 && trimmed[len - 1] == '/')
    trimmed[--len] = '\0';
  return g_strconcat (trimmed, "/", file, NULL);
}

/* The file name a weights URL ends with, or NULL. */
static char *
file_name_of_url (const char  *url,
                  GError     **error)
{
  g_autoptr (GUri) uri = NULL;
  g_autofree char *file = NULL;
  const char *path, *last;

  uri = g_uri_parse (url, G_URI_FLAGS_ENCODED_PATH, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL || g_uri_get_host (uri)[0] == '\0' ||
      (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0 &&
       g_strcmp0 (g_uri_get_scheme (uri), "https") != 0))
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not an http or https URL"), url);
      return NULL;
    }
  path = g_uri_get_path (uri);
  last = strrchr (path, '/');
  /* An escaped "/" must not turn into a folder in the cache. */
  file = g_uri_unescape_string (last != NULL ? last + 1 : path, "/");
  if (file == NULL || !split_file_name (file, NULL, NULL))
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_INVALID_ARGUMENT,
                   _("%s does not end in a weights file name NAME-HASH.pth"), url);
      return NULL;
    }
  return g_steal_pointer (&file);
}

/**
 * otter_weights_resolve:
 * @name: a known name ("resnet18"), a file name "NAME-HASH.pth" (fetched
 *   from the same place as the known ones), or an http(s) URL whose last
 *   path component is such a file name
 * @error: return location for a #GError
 *
 * Says where the weights come from and where they are kept. Touches
 * neither the disk nor the network.
 *
 * Returns: (transfer full) (nullable): the source, or NULL for a name that
 *   is none of the above
 */
OtterWeightsSource *
otter_weights_resolve (const char  *name,
                       GError     **error)
{
  g_autofree char *file = NULL, *url = NULL, *stem = NULL, *hash = NULL, *dir = NULL;
  OtterWeightsSource *source;

  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (known) && file == NULL; i++)
    if (strcmp (name, known[i].name) == 0)
      file = g_strdup (known[i].file);

  if (file != NULL)
    url = base_url_join (file);
  else if (strstr (name, "://") != NULL)
    {
      file = file_name_of_url (name, error);
      if (file == NULL)
        return NULL;
      url = g_strdup (name);
    }
  else if (split_file_name (name, NULL, NULL))
    {
      file = g_strdup (name);
      url = base_url_join (file);
    }
  else
    {
      g_autoptr (GString) names = g_string_new (NULL);

      for (guint i = 0; i < G_N_ELEMENTS (known); i++)
        g_string_append_printf (names, "%s%s", i > 0 ? ", " : "", known[i].name);
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_INVALID_ARGUMENT,
                   _("unknown weights “%s” (expected %s, a file name NAME-HASH.pth or its URL)"),
                   name, names->str);
      return NULL;
    }

  if (!split_file_name (file, &stem, &hash))
    g_assert_not_reached ();
  dir = otter_weights_dup_cache_dir ();

  source = g_new0 (OtterWeightsSource, 1);
  source->name = g_steal_pointer (&stem);
  source->path = g_build_filename (dir, file, NULL);
  source->file = g_steal_pointer (&file);
  source->hash = g_steal_pointer (&hash);
  source->url = g_steal_pointer (&url);
  return source;
}

/**
 * otter_weights_source_free:
 * @source: (transfer full) (nullable): a source from otter_weights_resolve()
 */
void
otter_weights_source_free (OtterWeightsSource *source)
{
  if (source == NULL)
    return;
  g_free (source->name);
  g_free (source->file);
  g_free (source->hash);
  g_free (source->url);
  g_free (source->path);
  g_free (source);
}

/* Inside a Flatpak, XDG_CACHE_HOME is the app's own folder, but weights
 * PyTorch already downloaded on the host sit in ~/.cache/torch, which the
 * sandbox may read (the manifest grants it read-only). The variable
 * OTTER_HOST_TORCH_CACHE names that folder instead, for tests. */
static char *
host_cache_dir (void)
{
  const char *override = nonempty_env ("OTTER_HOST_TORCH_CACHE");

  if (override != NULL)
    return g_strdup (override);
  if (nonempty_env ("TORCH_HOME") != NULL || !g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS))
    return NULL;
  return g_build_filename (g_get_home_dir (), ".cache", "torch", "hub", "checkpoints", NULL);
}

/* The cached copy of the source's file: Otter's cache first, then the
 * host's when sandboxed; NULL when neither has it. */
static char *
find_cached (const OtterWeightsSource *source)
{
  if (g_file_test (source->path, G_FILE_TEST_IS_REGULAR))
    return g_strdup (source->path);
  g_autofree char *host_dir = host_cache_dir ();
  if (host_dir == NULL)
    return NULL;
  g_autofree char *host_path = g_build_filename (host_dir, source->file, NULL);
  return g_file_test (host_path, G_FILE_TEST_IS_REGULAR) ? g_steal_pointer (&host_path) : NULL;
}

/**
 * otter_weights_find:
 * @name: a name as otter_weights_resolve() takes it
 * @error: (nullable): return location for a #GError
 *
 * Looks in the cache directory (and, inside a Flatpak, in the host's
 * ~/.cache/torch/hub/checkpoints); never downloads. The file's hash is not
 * checked here: the loader checks it against the name anyway.
 *
 * Returns: (transfer full) (nullable): the cached file, or NULL with
 *   %OTTER_ERROR_NOT_FOUND when it is not there
 */
char *
otter_weights_find (const char  *name,
                    GError     **error)
{
  g_autoptr (OtterWeightsSource) source = NULL;
  g_autofree char *dir = NULL;

  g_return_val_if_fail (name != NULL, NULL);

  source = otter_weights_resolve (name, error);
  if (source == NULL)
    return NULL;
  char *cached = find_cached (source);
  if (cached != NULL)
    return cached;
  dir = g_path_get_dirname (source->path);
  g_set_error (error, OTTER_ERROR, OTTER_ERROR_NOT_FOUND,
               _("%s is not in %s"), source->file, dir);
  return NULL;
}

/* ---- downloading ------------------------------------------------------- */

static gboolean
set_errno_error (GError     **error,
                 int          saved_errno,
                 const char  *what,
                 const char  *path)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               "%s %s: %s", what, path, g_strerror (saved_errno));
  return FALSE;
}

static gboolean
write_all (int          fd,
           const char  *data,
           gsize        len,
           const char  *path,
           GError     **error)
{
  while (len > 0)
    {
      gssize n = write (fd, data, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return set_errno_error (error, errno, _("cannot write"), path);
      data += n;
      len -= n;
    }
  return TRUE;
}

/* A new, empty file beside `final`, named after it so a leftover from a
 * killed process says what it was. */
static int
create_temporary (const char  *final,
                  char       **tmp_path,
                  GError     **error)
{
  for (int attempt = 0; attempt < 16; attempt++)
    {
      g_autofree char *path = g_strdup_printf ("%s.%08x.partial", final, g_random_int ());
      int fd = g_open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

      if (fd >= 0)
        {
          *tmp_path = g_steal_pointer (&path);
          return fd;
        }
      if (errno != EEXIST)
        {
          set_errno_error (error, errno, _("cannot create"), path);
          return -1;
        }
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
               _("cannot create a temporary file beside %s"), final);
  return -1;
}

/* The body into fd, hashed on the way; returns the hex digest. */
static char *
stream_body (GInputStream              *body,
             int                        fd,
             const char                *tmp_path,
             goffset                    total,
             GCancellable              *cancellable,
             OtterWeightsProgressFunc   progress,
             gpointer                   progress_data,
             GError                   **error)
{
  g_autoptr (GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *buffer = g_malloc (CHUNK_SIZE);
  g_autoptr (GError) local = NULL;
  goffset done = 0;

  if (progress != NULL)
    progress (0, total, progress_data);
  for (;;)
    {
      gssize n = g_input_stream_read (body, buffer, CHUNK_SIZE, cancellable, &local);

      if (n < 0 && g_error_matches (local, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT))
        break;                  /* libsoup's word for a short body: said below */
      if (n < 0)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return NULL;
        }
      if (n == 0)
        break;
      g_checksum_update (checksum, (const guchar *) buffer, n);
      if (!write_all (fd, buffer, n, tmp_path, error))
        return NULL;
      done += n;
      if (progress != NULL)
        progress (done, total, progress_data);
    }
  if (local != NULL || (total >= 0 && done != total))
    {
      if (total >= 0)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT,
                     _("the connection closed after %" PRId64 " of %" PRId64 " bytes"),
                     (gint64) done, (gint64) total);
      else
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT,
                     g_dngettext (GETTEXT_PACKAGE, "the connection closed after %" PRId64 " byte",
                                  "the connection closed after %" PRId64 " bytes", (gulong) done),
                     (gint64) done);
      return NULL;
    }
  /* On disk before the rename, or a crash could leave a short file under
   * the final name. */
  if (fsync (fd) != 0)
    {
      set_errno_error (error, errno, _("cannot write"), tmp_path);
      return NULL;
    }
  return g_strdup (g_checksum_get_string (checksum));
}

static gboolean
download (const OtterWeightsSource  *source,
          GCancellable              *cancellable,
          OtterWeightsProgressFunc   progress,
          gpointer                   progress_data,
          GError                   **error)
{
  g_autoptr (SoupSession) session = NULL;
  g_autoptr (SoupMessage) message = NULL;
  g_autoptr (GInputStream) body = NULL;
  g_autofree char *dir = g_path_get_dirname (source->path);
  g_autofree char *tmp_path = NULL, *digest = NULL;
  SoupMessageHeaders *headers;
  goffset total = -1;
  guint status;
  int fd;

  session = soup_session_new_with_options ("user-agent", "otter/" PACKAGE_VERSION,
                                           "timeout", IO_TIMEOUT_S,
                                           NULL);
  /* The hash is of the file as stored, so no content coding is asked for
   * (nor undone). */
  soup_session_remove_feature_by_type (session, SOUP_TYPE_CONTENT_DECODER);
  message = soup_message_new (SOUP_METHOD_GET, source->url);
  if (message == NULL)
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_INVALID_ARGUMENT, _("not a valid URL"));
      return FALSE;
    }
  body = soup_session_send (session, message, cancellable, error);
  if (body == NULL)
    return FALSE;
  status = soup_message_get_status (message);
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      const char *reason = soup_message_get_reason_phrase (message);

      g_set_error (error, OTTER_ERROR, OTTER_ERROR_IO, "HTTP %u%s%s", status,
                   reason != NULL && reason[0] != '\0' ? " " : "", reason != NULL ? reason : "");
      return FALSE;
    }
  headers = soup_message_get_response_headers (message);
  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH)
    total = soup_message_headers_get_content_length (headers);

  /* Only now: an attempt while offline leaves no empty folders behind. */
  if (g_mkdir_with_parents (dir, 0755) != 0)
    return set_errno_error (error, errno, _("cannot create"), dir);
  fd = create_temporary (source->path, &tmp_path, error);
  if (fd < 0)
    return FALSE;
  digest = stream_body (body, fd, tmp_path, total, cancellable, progress, progress_data, error);
  if (close (fd) != 0 && digest != NULL)
    {
      set_errno_error (error, errno, _("cannot write"), tmp_path);
      g_clear_pointer (&digest, g_free);
    }
  g_input_stream_close (body, NULL, NULL);

  if (digest != NULL && !g_str_has_prefix (digest, source->hash))
    {
      g_set_error (error, OTTER_ERROR, OTTER_ERROR_FAILED,
                   _("its SHA-256 begins %.*s, not %s as its name says"),
                   (int) strlen (source->hash), digest, source->hash);
      g_clear_pointer (&digest, g_free);
    }
  /* A download that finished just as it was cancelled still counts as
   * cancelled: the caller has moved on. */
  if (digest != NULL && g_cancellable_set_error_if_cancelled (cancellable, error))
    g_clear_pointer (&digest, g_free);
  if (digest != NULL && g_rename (tmp_path, source->path) != 0)
    {
      set_errno_error (error, errno, _("cannot rename to"), source->path);
      g_clear_pointer (&digest, g_free);
    }
  if (digest == NULL)
    {
      g_unlink (tmp_path);
      return FALSE;
    }
  return TRUE;
}

/* What went wrong, in a few words that fit in parentheses. */
static char *
describe_failure (const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_strdup ("cancelled");
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    return g_strdup (_("connection refused"));
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return g_strdup (_("timed out"));
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE))
    return g_strdup (_("network unreachable: offline?"));
  if (error->domain == G_RESOLVER_ERROR)
    return g_strdup (_("host not found: offline?"));
  /* Messages from below (TLS, sockets) may span lines; the error must not. */
  return g_strdelimit (g_strdup (error->message), "\r\n", ' ');
}

static char *
fetch_source (const OtterWeightsSource  *source,
              GCancellable              *cancellable,
              OtterWeightsProgressFunc   progress,
              gpointer                   progress_data,
              GError                   **error)
{
  g_autoptr (GError) local = NULL;
  g_autofree char *reason = NULL;
  GQuark domain = OTTER_ERROR;
  int code = OTTER_ERROR_IO;

  char *cached = find_cached (source);
  if (cached != NULL)
    return cached;
  if (download (source, cancellable, progress, progress_data, &local))
    return g_strdup (source->path);

  /* Callers tell cancellation apart to stay quiet about it. */
  if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    domain = G_IO_ERROR, code = G_IO_ERROR_CANCELLED;
  else if (local->domain == OTTER_ERROR)
    code = local->code;
  reason = describe_failure (local);
  g_set_error (error, domain, code, _("could not download %s (%s); place the file at %s by hand"),
               source->url, reason, source->path);
  return NULL;
}

/**
 * otter_weights_fetch:
 * @name: a name as otter_weights_resolve() takes it
 * @cancellable: (nullable): a #GCancellable
 * @progress: (nullable) (scope call): called in this thread after each
 *   chunk with the bytes written and the size announced
 * @progress_data: data for @progress
 * @error: return location for a #GError
 *
 * Returns the cached file, downloading it first when it is not there. The
 * download goes to a temporary file in the cache directory and is renamed
 * into place only when its SHA-256 starts with the hash in its name; on any
 * failure the temporary file is removed and the error is one line naming
 * the URL and the path where the file can be placed by hand. Cancellation
 * gives %G_IO_ERROR_CANCELLED, other failures the %OTTER_ERROR domain.
 *
 * Blocks on the network: call it from a worker thread.
 *
 * Returns: (transfer full) (nullable): the path of the cached file
 */
char *
otter_weights_fetch (const char                *name,
                     GCancellable              *cancellable,
                     OtterWeightsProgressFunc   progress,
                     gpointer                   progress_data,
                     GError                   **error)
{
  g_autoptr (OtterWeightsSource) source = NULL;

  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);

  source = otter_weights_resolve (name, error);
  if (source == NULL)
    return NULL;
  return fetch_source (source, cancellable, progress, progress_data, error);
}

/* ---- the async variant ------------------------------------------------- */

/* Progress shared between the download thread and the caller's context;
 * an atomic rc box, since a pending timeout may outlive the task. */
typedef struct
{
  GMutex                    mutex;
  GMainContext             *context;
  OtterWeightsProgressFunc  func;
  gpointer                  data;
  GDestroyNotify            data_free;
  /* Guarded by the mutex. */
  goffset                   done;       /* -1 before the first chunk */
  goffset                   total;
  goffset                   delivered;  /* `done` last handed to func, -1 before */
  gboolean                  pending;    /* a delivery timeout is attached */
  gboolean                  finished;   /* the result went out: func is not called again */
} Progress;

static void
progress_clear (gpointer data)
{
  Progress *p = data;

  g_mutex_clear (&p->mutex);
  g_main_context_unref (p->context);
}

static void
progress_unref (Progress *p)
{
  g_atomic_rc_box_release_full (p, progress_clear);
}

/* On the caller's context. */
static void
progress_deliver (Progress *p)
{
  goffset done, total;
  gboolean changed;

  g_mutex_lock (&p->mutex);
  p->pending = FALSE;
  changed = !p->finished && p->done >= 0 && p->done != p->delivered;
  done = p->done;
  total = p->total;
  p->delivered = done;
  g_mutex_unlock (&p->mutex);

  /* Called unlocked: func may cancel the download, whose thread then
   * publishes again. */
  if (changed)
    p->func (done, total, p->data);
}

static gboolean
progress_deliver_cb (gpointer data)
{
  progress_deliver (data);
  return G_SOURCE_REMOVE;
}

/* On the download thread, after every chunk. */
static void
progress_publish (goffset  done,
                  goffset  total,
                  gpointer data)
{
  Progress *p = data;
  g_autoptr (GSource) timeout = NULL;

  g_mutex_lock (&p->mutex);
  p->done = done;
  p->total = total;
  if (!p->pending && !p->finished)
    {
      p->pending = TRUE;
      timeout = g_timeout_source_new (100);
      g_source_set_priority (timeout, G_PRIORITY_LOW);
      g_source_set_callback (timeout, progress_deliver_cb, g_atomic_rc_box_acquire (p),
                             (GDestroyNotify) progress_unref);
      g_source_attach (timeout, p->context);
    }
  g_mutex_unlock (&p->mutex);
}

/* On the caller's context, once the download thread is done with it. */
static void
progress_finish (Progress *p)
{
  progress_deliver (p);
  g_mutex_lock (&p->mutex);
  p->finished = TRUE;
  g_mutex_unlock (&p->mutex);
  if (p->data_free != NULL)
    g_clear_pointer (&p->data, p->data_free);
}

typedef struct
{
  OtterWeightsSource *source;
  Progress           *progress;   /* NULL without a progress callback */
} FetchJob;

static void
fetch_job_free (gpointer data)
{
  FetchJob *job = data;

  otter_weights_source_free (job->source);
  /* Already finished by fetch_worker_done_cb(): this may run on the
   * download thread, where the caller's data must not be touched. */
  if (job->progress != NULL)
    progress_unref (job->progress);
  g_free (job);
}

static void
fetch_thread (GTask        *worker,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  FetchJob *job = task_data;
  GError *error = NULL;
  char *path;

  path = fetch_source (job->source, cancellable,
                       job->progress != NULL ? progress_publish : NULL, job->progress, &error);
  if (path != NULL)
    g_task_return_pointer (worker, path, g_free);
  else
    g_task_return_error (worker, error);
}

/* The inner task's result, on the caller's context: the last progress goes
 * out before the caller hears that the download is over. */
static void
fetch_worker_done_cb (GObject      *source_object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  FetchJob *job = g_task_get_task_data (G_TASK (result));
  GError *error = NULL;
  char *path;

  if (job->progress != NULL)
    progress_finish (job->progress);
  path = g_task_propagate_pointer (G_TASK (result), &error);
  if (path != NULL)
    g_task_return_pointer (task, path, g_free);
  else
    g_task_return_error (task, error);
}

/**
 * otter_weights_fetch_async:
 * @name: a name as otter_weights_resolve() takes it
 * @cancellable: (nullable): a #GCancellable
 * @progress: (nullable) (scope notified): progress, called on the thread-default
 *   main context of the caller, at most about ten times a second, and once
 *   more with the final count before @callback
 * @progress_data: data for @progress
 * @progress_data_free: (nullable): frees @progress_data after the last call
 * @callback: called on the caller's thread-default main context when done
 * @user_data: data for @callback
 *
 * otter_weights_fetch() on a worker thread, so the caller's main loop keeps
 * running. Get the result with otter_weights_fetch_finish(). The name is
 * resolved (and the environment read) now.
 */
void
otter_weights_fetch_async (const char                *name,
                           GCancellable              *cancellable,
                           OtterWeightsProgressFunc   progress,
                           gpointer                   progress_data,
                           GDestroyNotify             progress_data_free,
                           GAsyncReadyCallback        callback,
                           gpointer                   user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GTask) worker = NULL;
  g_autoptr (OtterWeightsSource) source = NULL;
  GError *error = NULL;
  FetchJob *job;

  g_return_if_fail (name != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, otter_weights_fetch_async);
  /* The error of a cancelled download is the one-line message that
   * otter_weights_fetch() gives, not GTask's generic one. */
  g_task_set_check_cancellable (task, FALSE);

  source = otter_weights_resolve (name, &error);
  if (source == NULL)
    {
      if (progress_data_free != NULL)
        progress_data_free (progress_data);
      g_task_return_error (task, error);
      return;
    }

  job = g_new0 (FetchJob, 1);
  job->source = g_steal_pointer (&source);
  if (progress != NULL)
    {
      job->progress = g_atomic_rc_box_new0 (Progress);
      g_mutex_init (&job->progress->mutex);
      job->progress->context = g_main_context_ref_thread_default ();
      job->progress->func = progress;
      job->progress->data = progress_data;
      job->progress->data_free = progress_data_free;
      job->progress->done = -1;
      job->progress->delivered = -1;
    }
  else if (progress_data_free != NULL)
    progress_data_free (progress_data);

  worker = g_task_new (NULL, cancellable, fetch_worker_done_cb, g_object_ref (task));
  g_task_set_source_tag (worker, fetch_thread);
  g_task_set_check_cancellable (worker, FALSE);
  g_task_set_task_data (worker, job, fetch_job_free);
  g_task_run_in_thread (worker, fetch_thread);
}

/**
 * otter_weights_fetch_finish:
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the path of the cached file
 */
char *
otter_weights_fetch_finish (GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == otter_weights_fetch_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
