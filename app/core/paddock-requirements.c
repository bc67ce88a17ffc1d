/* paddock-requirements.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "paddock-errors.h"
#include "paddock-policy-document.h"
#include "paddock-requirements.h"
#include "paddock-requirements-private.h"

#define MAX_REDIRECTS     5
#define READ_CHUNK_SIZE   (64 * 1024)
#define MAX_ETAG_LENGTH   256
#define MAX_REASON_LENGTH 80

/* How a failure ends, depending on whether the cache holds a good copy
 * for this URL (the loader then keeps using it) or not (the loader then
 * forbids everything in the managed layer). */
#define KEPT_COPY "the last good copy was kept"
#define NO_COPY   "Paddock stays in its most restrictive mode until a good copy is fetched"

struct _PaddockRequirements
{
  GObject parent_instance;

  char *url;
  char *display_url; /* @url without its userinfo, for messages */
  char *cache_dir;
  char *token;
  guint timeout;
};

G_DEFINE_FINAL_TYPE (PaddockRequirements, paddock_requirements, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_URL,
  PROP_CACHE_DIR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* --- the cache folder ----------------------------------------------- *
 *
 * document.json is the last good body, meta.json says which URL and ETag
 * it came from. The loader trusts document.json only when meta.json names
 * the configured URL, so the invariant that makes every crash harmless is:
 *
 *   meta.json never claims more about document.json than is true.
 *
 * Replacing the document therefore takes three steps, each an atomic
 * rename made durable before the next:
 *
 *   1. weaken meta.json: drop the ETag when it names this URL (the old
 *      body stays this URL's good copy, only no longer provably current),
 *      or remove meta.json when it names another URL (whose body is about
 *      to be overwritten);
 *   2. replace document.json with the new, already validated body;
 *   3. write the new meta.json: this URL, the new ETag.
 *
 * A crash before 2 leaves the old good pair, minus the ETag; between 2 and
 * 3 the new good body under a meta.json without an ETag (or without one
 * at all: the most restrictive mode until the next fetch); after 3 the new
 * pair. Without an ETag the next fetch is a full GET, so the cache heals.
 * Writing document then meta without step 1 would leave an old ETag paired
 * with a new body, and a server that meanwhile went back to the old
 * version would answer that ETag with 304 and bless the wrong body; with
 * another URL's meta.json, that URL's name would vouch for our body. */

/* meta.json, as read and as written */
typedef struct
{
  char *url;
  char *etag;
  char *fetched;    /* ISO 8601, of the last 200 */
  char *checked;    /* ISO 8601, of the last 200 or 304 */
  char *last_error; /* of the last failed attempt */
} Meta;

static void
meta_clear (Meta *meta)
{
  g_clear_pointer (&meta->url, g_free);
  g_clear_pointer (&meta->etag, g_free);
  g_clear_pointer (&meta->fetched, g_free);
  g_clear_pointer (&meta->checked, g_free);
  g_clear_pointer (&meta->last_error, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Meta, meta_clear)

/* An open, locked cache folder; closing it releases the lock. */
typedef int CacheDir;

static void
cache_dir_close (CacheDir fd)
{
  close (fd);
}

G_DEFINE_AUTO_CLEANUP_FREE_FUNC (CacheDir, cache_dir_close, -1)

/* Opens @path (created 0700 when @create) and locks it, so that the app
 * and paddockctl never interleave their steps. Returns -1 with @error
 * set, or -1 with no error when @path does not exist and !@create. */
static CacheDir
open_cache_dir (const char  *path,
                gboolean     create,
                GError     **error)
{
  g_auto(CacheDir) fd = -1;
  struct stat st;

  if (create && g_mkdir_with_parents (path, 0700) != 0)
    {
      int saved_errno = errno;
      paddock_fail (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_IO,
                    "%s cannot be created: %s", path, g_strerror (saved_errno));
      return -1;
    }

  fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    {
      int saved_errno = errno;
      if (saved_errno != ENOENT || create)
        paddock_fail (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_IO,
                      "%s cannot be opened: %s", path, g_strerror (saved_errno));
      return -1;
    }

  /* The folder may predate us, made by a umask that lets others look. */
  if (create && fstat (fd, &st) == 0 && (st.st_mode & 07777) != 0700 && fchmod (fd, 0700) != 0)
    {
      int saved_errno = errno;
      paddock_fail (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_IO,
                    "%s cannot be made private: %s", path, g_strerror (saved_errno));
      return -1;
    }

  while (flock (fd, LOCK_EX) != 0)
    {
      int saved_errno = errno;
      if (saved_errno == EINTR)
        continue;
      paddock_fail (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_IO,
                    "%s cannot be locked: %s", path, g_strerror (saved_errno));
      return -1;
    }

  return g_steal_fd (&fd);
}

/* Makes the renames so far durable before the next step starts: the
 * order of the steps is what keeps a crash harmless. */
static gboolean
sync_cache_dir (CacheDir     fd,
                const char  *path,
                GError     **error)
{
  if (fsync (fd) != 0 && errno != EINVAL)
    {
      int saved_errno = errno;
      return paddock_fail (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_IO,
                           "%s cannot be synced: %s", path, g_strerror (saved_errno));
    }

  return TRUE;
}

static gboolean
write_cache_file (CacheDir      fd,
                  const char   *cache_dir,
                  const char   *name,
                  const char   *contents,
                  gsize         length,
                  GError      **error)
{
  g_autofree char *path = g_build_filename (cache_dir, name, NULL);
  g_autoptr(GError) local_error = NULL;

  /* A temporary file renamed over the old one: a crash leaves the old or
   * the new contents, never part of them. */
  if (!g_file_set_contents_full (path, contents, length,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0600, &local_error))
    return paddock_fail (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_IO,
                         "%s cannot be written: %s", path, local_error->message);

  return sync_cache_dir (fd, cache_dir, error);
}

static char *
dup_string_member (JsonObject *object,
                   const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return g_strdup (json_node_get_string (node));
}

/* Fills @meta from meta.json; returns whether meta.json exists at all,
 * readable or not. */
static gboolean
read_meta (const char *cache_dir,
           Meta       *meta)
{
  g_autofree char *path = g_build_filename (cache_dir, "meta.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonObject *object;
  JsonNode *root;

  if (!json_parser_load_from_file (parser, path, NULL))
    return g_file_test (path, G_FILE_TEST_EXISTS);

  root = json_parser_get_root (parser);
  if (!JSON_NODE_HOLDS_OBJECT (root))
    return TRUE;

  object = json_node_get_object (root);
  meta->url = dup_string_member (object, "url");
  meta->etag = dup_string_member (object, "etag");
  meta->fetched = dup_string_member (object, "fetched");
  meta->checked = dup_string_member (object, "checked");
  meta->last_error = dup_string_member (object, "last_error");

  return TRUE;
}

static void
add_string_member (JsonBuilder *builder,
                   const char  *name,
                   const char  *value)
{
  if (value == NULL)
    return;

  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value);
}

static gboolean
write_meta (CacheDir     fd,
            const char  *cache_dir,
            const Meta  *meta,
            GError     **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *data = NULL;
  gsize length;

  json_builder_begin_object (builder);
  add_string_member (builder, "url", meta->url);
  add_string_member (builder, "etag", meta->etag);
  add_string_member (builder, "fetched", meta->fetched);
  add_string_member (builder, "checked", meta->checked);
  add_string_member (builder, "last_error", meta->last_error);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  data = json_generator_to_data (generator, &length);

  return write_cache_file (fd, cache_dir, "meta.json", data, length, error);
}

static gboolean
remove_meta (CacheDir     fd,
             const char  *cache_dir,
             GError     **error)
{
  g_autofree char *path = g_build_filename (cache_dir, "meta.json", NULL);

  if (g_unlink (path) != 0 && errno != ENOENT)
    {
      int saved_errno = errno;
      return paddock_fail (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_IO,
                           "%s cannot be removed: %s", path, g_strerror (saved_errno));
    }

  return sync_cache_dir (fd, cache_dir, error);
}

static char *
now_iso8601 (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format_iso8601 (now);
}

/* --- URLs ------------------------------------------------------------ */

static int
effective_port (GUri *uri)
{
  int port = g_uri_get_port (uri);

  if (port != -1)
    return port;

  return g_str_equal (g_uri_get_scheme (uri), "https") ? 443 : 80;
}

static gboolean
same_origin (GUri *a,
             GUri *b)
{
  return g_str_equal (g_uri_get_scheme (a), g_uri_get_scheme (b)) &&
         g_ascii_strcasecmp (g_uri_get_host (a), g_uri_get_host (b)) == 0 &&
         effective_port (a) == effective_port (b);
}

/* Plain http only reaches the loopback test servers, and a redirect
 * never leaves https for http: the requirements decide what an agent may
 * do on this machine, so nobody on the path may write them. */
static gboolean
redirect_allowed (GUri *origin,
                  GUri *target)
{
  if (g_str_equal (g_uri_get_scheme (target), "https"))
    return g_uri_get_host (target) != NULL && *g_uri_get_host (target) != '\0';

  return g_str_equal (g_uri_get_scheme (target), "http") &&
         g_str_equal (g_uri_get_scheme (origin), "http") &&
         same_origin (origin, target);
}

/* Text the server chose, made fit for one line of a message. */
static char *
sanitize_server_text (const char *text,
                      gsize       max_length)
{
  GString *result = g_string_new (NULL);

  for (const char *p = text; p != NULL && *p != '\0' && result->len < max_length; p++)
    g_string_append_c (result, g_ascii_isprint (*p) ? *p : '?');

  return g_string_free (result, FALSE);
}

/* An ETag is sent back as a header and stored in meta.json: keep only
 * one that is short printable ASCII, as RFC 9110 allows. */
static char *
dup_etag (SoupMessageHeaders *headers)
{
  const char *etag = soup_message_headers_get_one (headers, "ETag");

  if (etag == NULL || *etag == '\0' || strlen (etag) > MAX_ETAG_LENGTH)
    return NULL;

  for (const char *p = etag; *p != '\0'; p++)
    if (!g_ascii_isprint (*p))
      return NULL;

  return g_strdup (etag);
}

static gboolean
token_is_valid (const char *token)
{
  if (*token == '\0')
    return FALSE;

  for (const char *p = token; *p != '\0'; p++)
    if (!g_ascii_isgraph (*p))
      return FALSE;

  return TRUE;
}

/* A server can echo the token back (in a reason phrase, a Location, a
 * body the validator quotes); it must still never reach a message or a
 * file. */
static char *
redact_token (const char *message,
              const char *token)
{
  g_auto(GStrv) parts = NULL;

  if (token == NULL || strstr (message, token) == NULL)
    return g_strdup (message);

  parts = g_strsplit (message, token, -1);
  return g_strjoinv ("[token]", parts);
}

/* --- one fetch ----------------------------------------------------------- */

typedef enum
{
  RESPONSE_FAILED,
  RESPONSE_NOT_MODIFIED,
  RESPONSE_BODY,
} Response;

typedef struct
{
  /* Copies, so the worker threads never touch the object. */
  char *url;
  char *display_url;
  char *cache_dir;
  char *token;
  guint timeout;

  /* The HTTP part runs on the caller's thread and context. */
  GCancellable *caller_cancellable;
  gulong cancelled_id;
  GCancellable *cancellable; /* cancelled by the caller or the deadline */
  GSource *deadline;
  gboolean timed_out;
  GUri *origin;
  GUri *uri; /* of the current request, after redirects */
  guint redirects;
  SoupSession *session;
  SoupMessage *message;
  GInputStream *stream;
  GByteArray *buffer;

  /* What the cache step needs. */
  char *sent_etag;
  Response response;
  GBytes *body;
  char *etag;
  int failure_code;
  char *failure; /* names the URL; the cache step adds what was kept */
} FetchData;

static void
finish_http (FetchData *data)
{
  if (data->deadline != NULL)
    {
      g_source_destroy (data->deadline);
      g_clear_pointer (&data->deadline, g_source_unref);
    }
  if (data->cancelled_id != 0)
    {
      g_cancellable_disconnect (data->caller_cancellable, data->cancelled_id);
      data->cancelled_id = 0;
    }
  g_clear_object (&data->stream);
  g_clear_object (&data->message);
  g_clear_object (&data->session);
  g_clear_pointer (&data->buffer, g_byte_array_unref);
}

static void
fetch_data_free (FetchData *data)
{
  finish_http (data);

  g_free (data->url);
  g_free (data->display_url);
  g_free (data->cache_dir);
  g_free (data->token);
  g_clear_object (&data->caller_cancellable);
  g_clear_object (&data->cancellable);
  g_clear_pointer (&data->origin, g_uri_unref);
  g_clear_pointer (&data->uri, g_uri_unref);
  g_free (data->sent_etag);
  g_clear_pointer (&data->body, g_bytes_unref);
  g_free (data->etag);
  g_free (data->failure);
  g_free (data);
}

/* Names the URL, and where a redirect led. */
static char *
describe_location (FetchData *data)
{
  g_autofree char *target = NULL;

  if (data->redirects == 0)
    return g_strdup (data->display_url);

  target = _paddock_requirements_uri_to_display (data->uri);
  return g_strdup_printf ("%s (redirected to %s)", data->display_url, target);
}

static gboolean
has_cached_document (const char *cache_dir)
{
  g_autofree char *path = g_build_filename (cache_dir, "document.json", NULL);

  return g_file_test (path, G_FILE_TEST_IS_REGULAR);
}

static char *
compose_failure (const Meta  *meta,
                 FetchData   *data,
                 const char  *reason)
{
  gboolean have_copy = g_strcmp0 (meta->url, data->url) == 0 && has_cached_document (data->cache_dir);

  return g_strdup_printf ("%s; %s", reason, have_copy ? KEPT_COPY : NO_COPY);
}

/* Records @message as last_error and fails with it. meta.json keeps its
 * URL and ETag, which still describe document.json. */
static gboolean
record_failure (CacheDir     fd,
                FetchData   *data,
                Meta        *meta,
                int          code,
                const char  *message,
                GError     **error)
{
  g_autofree char *redacted = redact_token (message, data->token);
  g_autoptr(GError) local_error = NULL;

  g_free (meta->last_error);
  meta->last_error = g_strdup (redacted);

  if (!write_meta (fd, data->cache_dir, meta, &local_error))
    return paddock_fail (error, PADDOCK_POLICY_ERROR, code, "%s (and this could not be recorded: %s)",
                         redacted, local_error->message);

  return paddock_fail (error, PADDOCK_POLICY_ERROR, code, "%s", redacted);
}

static gboolean
store_not_modified (CacheDir                     fd,
                    FetchData                   *data,
                    Meta                        *meta,
                    PaddockRequirementsOutcome  *outcome,
                    GError                     **error)
{
  if (data->sent_etag == NULL)
    {
      g_autofree char *location = describe_location (data);
      g_autofree char *reason = g_strdup_printf ("%s: the server answered 304 Not Modified to a "
                                                 "request that was not conditional", location);
      g_autofree char *message = compose_failure (meta, data, reason);

      return record_failure (fd, data, meta, PADDOCK_POLICY_ERROR_FETCH, message, error);
    }

  *outcome = PADDOCK_REQUIREMENTS_NOT_MODIFIED;

  /* Another process replaced the copy while we asked about it; its copy
   * is at least as recent as the one the 304 was about, so leave it. */
  if (g_strcmp0 (meta->url, data->url) != 0 || g_strcmp0 (meta->etag, data->sent_etag) != 0)
    return TRUE;

  g_free (meta->checked);
  meta->checked = now_iso8601 ();
  g_clear_pointer (&meta->last_error, g_free);

  return write_meta (fd, data->cache_dir, meta, error);
}

static gboolean
store_body (CacheDir                     fd,
            FetchData                   *data,
            Meta                        *meta,
            gboolean                     meta_exists,
            PaddockRequirementsOutcome  *outcome,
            GError                     **error)
{
  g_autoptr(PaddockPolicyDocument) document = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *path = g_build_filename (data->cache_dir, "document.json", NULL);
  g_autofree char *old = NULL;
  g_auto(Meta) fresh = { 0 };
  const char *body;
  gsize length;
  gsize old_length;
  gboolean same;

  body = g_bytes_get_data (data->body, &length);
  document = paddock_policy_document_new_from_json (PADDOCK_LAYER_MANAGED, data->display_url,
                                                    length > 0 ? body : "", length, &local_error);
  if (document == NULL)
    {
      gboolean have_copy = g_strcmp0 (meta->url, data->url) == 0 && has_cached_document (data->cache_dir);
      g_autofree char *message = g_strdup_printf ("The requirements fetched are not a valid policy, so %s: %s",
                                                  have_copy ? KEPT_COPY : NO_COPY,
                                                  local_error->message);
      int code = local_error->domain == PADDOCK_POLICY_ERROR ? local_error->code : PADDOCK_POLICY_ERROR_SYNTAX;

      return record_failure (fd, data, meta, code, message, error);
    }

  same = g_strcmp0 (meta->url, data->url) == 0 &&
         g_file_get_contents (path, &old, &old_length, NULL) &&
         old_length == length && memcmp (old, body, length) == 0;

  /* The three steps described at the top of this file. */
  if (!same)
    {
      if (g_strcmp0 (meta->url, data->url) == 0)
        {
          if (meta->etag != NULL)
            {
              g_clear_pointer (&meta->etag, g_free);
              if (!write_meta (fd, data->cache_dir, meta, error))
                return FALSE;
            }
        }
      else if (meta_exists && !remove_meta (fd, data->cache_dir, error))
        return FALSE;

      if (!write_cache_file (fd, data->cache_dir, "document.json", body, length, error))
        return FALSE;
    }

  fresh.url = g_strdup (data->url);
  fresh.etag = g_strdup (data->etag);
  fresh.fetched = now_iso8601 ();
  fresh.checked = g_strdup (fresh.fetched);
  if (!write_meta (fd, data->cache_dir, &fresh, error))
    return FALSE;

  *outcome = same ? PADDOCK_REQUIREMENTS_NOT_MODIFIED : PADDOCK_REQUIREMENTS_UPDATED;
  return TRUE;
}

static gboolean
store_response (FetchData                   *data,
                PaddockRequirementsOutcome  *outcome,
                GError                     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_auto(CacheDir) fd = -1;
  g_auto(Meta) meta = { 0 };
  gboolean meta_exists;

  fd = open_cache_dir (data->cache_dir, TRUE, &local_error);
  if (fd < 0)
    {
      if (data->response == RESPONSE_FAILED)
        {
          g_autofree char *redacted = redact_token (data->failure, data->token);
          return paddock_fail (error, PADDOCK_POLICY_ERROR, data->failure_code,
                               "%s (and this could not be recorded: %s)", redacted, local_error->message);
        }
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  meta_exists = read_meta (data->cache_dir, &meta);

  switch (data->response)
    {
    case RESPONSE_FAILED:
      {
        g_autofree char *message = compose_failure (&meta, data, data->failure);
        return record_failure (fd, data, &meta, data->failure_code, message, error);
      }

    case RESPONSE_NOT_MODIFIED:
      return store_not_modified (fd, data, &meta, outcome, error);

    case RESPONSE_BODY:
      return store_body (fd, data, &meta, meta_exists, outcome, error);

    default:
      g_assert_not_reached ();
      return FALSE;
    }
}

/* Runs @func on @data in a worker thread, then @callback with @task in
 * the caller's context. The worker task holds neither @task nor its
 * source object, so the object and the fetch's state are only ever
 * released on the caller's thread, and as soon as the caller is done. */
static void
run_in_worker (GTask             *task,
               GTaskThreadFunc    func,
               GAsyncReadyCallback callback)
{
  g_autoptr(GTask) worker = g_task_new (NULL, NULL, callback, g_object_ref (task));

  g_task_set_source_tag (worker, func);
  g_task_set_task_data (worker, g_task_get_task_data (task), NULL);
  g_task_run_in_thread (worker, func);
}

static void
store_worker (GTask        *worker,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  FetchData *data = task_data;
  g_autoptr(GError) error = NULL;
  PaddockRequirementsOutcome outcome = PADDOCK_REQUIREMENTS_NOT_MODIFIED;

  /* Cancelled before anything was written: the cache stays as it is.
   * Once writing starts it finishes, so the result says what happened. */
  if (g_cancellable_set_error_if_cancelled (data->caller_cancellable, &error))
    g_task_return_error (worker, g_steal_pointer (&error));
  else if (!store_response (data, &outcome, &error))
    g_task_return_error (worker, g_steal_pointer (&error));
  else
    g_task_return_int (worker, outcome);
}

static void
on_stored (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  gssize outcome;

  outcome = g_task_propagate_int (G_TASK (result), &error);
  if (outcome < 0)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_int (task, outcome);
}

/* Ends the network part and hands the outcome to the cache, off the main
 * thread: validating and syncing must not stall the caller's loop. */
static void
store (GTask *task)
{
  finish_http (g_task_get_task_data (task));
  run_in_worker (task, store_worker, on_stored);
}

static void
fail_attempt (GTask      *task,
              int         code,
              const char *format,
              ...) G_GNUC_PRINTF (3, 4);

static void
fail_attempt (GTask      *task,
              int         code,
              const char *format,
              ...)
{
  FetchData *data = g_task_get_task_data (task);
  va_list args;

  va_start (args, format);
  g_free (data->failure);
  data->failure = g_strdup_vprintf (format, args);
  va_end (args);

  data->failure_code = code;
  data->response = RESPONSE_FAILED;
  store (task);
}

static char *
describe_tls_errors (GTlsCertificateFlags flags)
{
  static const struct
  {
    GTlsCertificateFlags flag;
    const char *text;
  } reasons[] = {
    { G_TLS_CERTIFICATE_UNKNOWN_CA, "it is not signed by a trusted authority" },
    { G_TLS_CERTIFICATE_BAD_IDENTITY, "it was issued for another host" },
    { G_TLS_CERTIFICATE_NOT_ACTIVATED, "it is not valid yet" },
    { G_TLS_CERTIFICATE_EXPIRED, "it has expired" },
    { G_TLS_CERTIFICATE_REVOKED, "it was revoked" },
    { G_TLS_CERTIFICATE_INSECURE, "its algorithm is insecure" },
    { G_TLS_CERTIFICATE_GENERIC_ERROR, "it could not be checked" },
  };
  g_autoptr(GPtrArray) texts = g_ptr_array_new ();

  for (guint i = 0; i < G_N_ELEMENTS (reasons); i++)
    if (flags & reasons[i].flag)
      g_ptr_array_add (texts, (gpointer) reasons[i].text);
  g_ptr_array_add (texts, NULL);

  return g_strjoinv (", ", (char **) texts->pdata);
}

static void
fail_transfer (GTask  *task,
               GError *error)
{
  FetchData *data = g_task_get_task_data (task);
  g_autofree char *location = describe_location (data);

  /* The deadline, or libsoup's own timeout for one read or write. */
  if (data->timed_out || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    {
      fail_attempt (task, PADDOCK_POLICY_ERROR_FETCH, "%s: no complete answer within %u s",
                    location, data->timeout);
      return;
    }

  /* The caller cancelled: nothing to record, the cache stays untouched. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      finish_http (data);
      g_task_return_error (task, g_error_copy (error));
      return;
    }

  if (error->domain == G_TLS_ERROR)
    {
      GTlsCertificateFlags flags = data->message != NULL
                                   ? soup_message_get_tls_peer_certificate_errors (data->message)
                                   : 0;
      g_autofree char *why = describe_tls_errors (flags);

      /* Verification is never turned off: an untrusted server could
       * hand out any policy. */
      fail_attempt (task, PADDOCK_POLICY_ERROR_FETCH,
                    "%s: the server's TLS certificate is not accepted%s%s (%s)",
                    location, *why != '\0' ? ": " : "", why, error->message);
      return;
    }

  fail_attempt (task, PADDOCK_POLICY_ERROR_FETCH, "%s: cannot be fetched: %s", location, error->message);
}

static void read_body (GTask *task);
static void send_request (GTask *task);

static void
on_body_read (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FetchData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  if (bytes == NULL)
    {
      fail_transfer (task, error);
      return;
    }

  if (g_bytes_get_size (bytes) == 0)
    {
      data->body = g_byte_array_free_to_bytes (g_steal_pointer (&data->buffer));
      data->response = RESPONSE_BODY;
      store (task);
      return;
    }

  g_byte_array_append (data->buffer, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  if (data->buffer->len > PADDOCK_REQUIREMENTS_MAX_SIZE)
    {
      g_autofree char *location = describe_location (data);
      fail_attempt (task, PADDOCK_POLICY_ERROR_FETCH,
                    "%s: the document is larger than %u MiB, the most accepted",
                    location, PADDOCK_REQUIREMENTS_MAX_SIZE / (1024 * 1024));
      return;
    }

  read_body (task);
}

static void
read_body (GTask *task)
{
  FetchData *data = g_task_get_task_data (task);

  /* Whole chunks, so at most one chunk beyond the limit is ever held
   * (libsoup's chunked decoder also rejects reads of a byte or two). */
  g_input_stream_read_bytes_async (data->stream, READ_CHUNK_SIZE, G_PRIORITY_DEFAULT, data->cancellable,
                                   on_body_read, g_object_ref (task));
}

static void
follow_redirect (GTask *task,
                 guint  status)
{
  FetchData *data = g_task_get_task_data (task);
  SoupMessageHeaders *headers = soup_message_get_response_headers (data->message);
  const char *location = soup_message_headers_get_one (headers, "Location");
  g_autofree char *here = describe_location (data);
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) target = NULL;
  g_autofree char *shown = NULL;

  if (location == NULL)
    {
      fail_attempt (task, PADDOCK_POLICY_ERROR_FETCH, "%s: HTTP %u redirect without a Location", here, status);
      return;
    }

  if (data->redirects >= MAX_REDIRECTS)
    {
      fail_attempt (task, PADDOCK_POLICY_ERROR_FETCH, "%s: more than %d redirects", here, MAX_REDIRECTS);
      return;
    }

  target = g_uri_parse_relative (data->uri, location, SOUP_HTTP_URI_FLAGS, &error);
  if (target == NULL)
    {
      g_autofree char *text = sanitize_server_text (location, 200);
      fail_attempt (task, PADDOCK_POLICY_ERROR_FETCH, "%s: HTTP %u redirect to “%s”, which is not a URL",
                    here, status, text);
      return;
    }

  shown = _paddock_requirements_uri_to_display (target);
  if (!redirect_allowed (data->origin, target))
    {
      fail_attempt (task, PADDOCK_POLICY_ERROR_FETCH,
                    "%s: HTTP %u redirect to %s refused; requirements are only fetched over https://",
                    here, status, shown);
      return;
    }

  g_clear_object (&data->stream);
  g_clear_pointer (&data->uri, g_uri_unref);
  data->uri = g_steal_pointer (&target);
  data->redirects++;
  send_request (task);
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FetchData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *location = NULL;
  SoupMessageHeaders *headers;
  guint status;

  data->stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (data->stream == NULL)
    {
      fail_transfer (task, error);
      return;
    }

  status = soup_message_get_status (data->message);
  headers = soup_message_get_response_headers (data->message);

  switch (status)
    {
    case SOUP_STATUS_OK:
      break;

    case SOUP_STATUS_NOT_MODIFIED:
      data->response = RESPONSE_NOT_MODIFIED;
      store (task);
      return;

    case SOUP_STATUS_MOVED_PERMANENTLY:
    case SOUP_STATUS_FOUND:
    case SOUP_STATUS_SEE_OTHER:
    case SOUP_STATUS_TEMPORARY_REDIRECT:
    case SOUP_STATUS_PERMANENT_REDIRECT:
      follow_redirect (task, status);
      return;

    default:
      {
        g_autofree char *reason = sanitize_server_text (soup_message_get_reason_phrase (data->message),
                                                        MAX_REASON_LENGTH);
        location = describe_location (data);
        fail_attempt (task, PADDOCK_POLICY_ERROR_FETCH, "%s: the server answered HTTP %u%s%s",
                      location, status, *reason != '\0' ? " " : "", reason);
        return;
      }
    }

  /* Refused before reading when the length is known; a compressed or
   * chunked body is counted as it is read. */
  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      soup_message_headers_get_one (headers, "Content-Encoding") == NULL &&
      soup_message_headers_get_content_length (headers) > PADDOCK_REQUIREMENTS_MAX_SIZE)
    {
      location = describe_location (data);
      fail_attempt (task, PADDOCK_POLICY_ERROR_FETCH,
                    "%s: the document is larger than %u MiB, the most accepted (Content-Length %" G_GINT64_FORMAT ")",
                    location, PADDOCK_REQUIREMENTS_MAX_SIZE / (1024 * 1024),
                    (gint64) soup_message_headers_get_content_length (headers));
      return;
    }

  data->etag = dup_etag (headers);
  data->buffer = g_byte_array_new ();
  read_body (task);
}

static void
send_request (GTask *task)
{
  FetchData *data = g_task_get_task_data (task);
  SoupMessageHeaders *headers;

  g_clear_object (&data->message);
  data->message = soup_message_new_from_uri (SOUP_METHOD_GET, data->uri);
  headers = soup_message_get_request_headers (data->message);

  /* Redirects are followed in follow_redirect(), where each hop is
   * checked against the scheme rules. */
  soup_message_add_flags (data->message, SOUP_MESSAGE_NO_REDIRECT);
  soup_message_headers_replace (headers, "Accept", "application/json");
  if (data->sent_etag != NULL)
    soup_message_headers_replace (headers, "If-None-Match", data->sent_etag);

  /* The token is for the configured origin only, never for wherever a
   * redirect points. */
  if (data->token != NULL && same_origin (data->uri, data->origin))
    {
      g_autofree char *value = g_strconcat ("Bearer ", data->token, NULL);
      soup_message_headers_replace (headers, "Authorization", value);
    }

  soup_session_send_async (data->session, data->message, G_PRIORITY_DEFAULT, data->cancellable,
                           on_sent, g_object_ref (task));
}

static gboolean
on_deadline (gpointer user_data)
{
  FetchData *data = user_data;

  data->timed_out = TRUE;
  g_cancellable_cancel (data->cancellable);

  return G_SOURCE_REMOVE;
}

static void
on_caller_cancelled (GCancellable *caller,
                     gpointer      user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

static void
on_cache_read (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FetchData *data = g_task_get_task_data (task);

  /* libsoup's own timeout is per read or write; the deadline bounds the
   * whole fetch, so a server that trickles cannot hold it forever. */
  data->session = soup_session_new_with_options ("timeout", data->timeout,
                                                 "idle-timeout", data->timeout,
                                                 "user-agent", "Paddock/" PACKAGE_VERSION,
                                                 NULL);
  data->deadline = g_timeout_source_new_seconds (data->timeout);
  g_source_set_callback (data->deadline, on_deadline, data, NULL);
  g_source_set_static_name (data->deadline, "[paddock] requirements deadline");
  g_source_attach (data->deadline, g_task_get_context (task));

  if (data->caller_cancellable != NULL)
    data->cancelled_id = g_cancellable_connect (data->caller_cancellable,
                                                G_CALLBACK (on_caller_cancelled),
                                                g_object_ref (data->cancellable),
                                                g_object_unref);

  send_request (task);
}

static void
read_cache_worker (GTask        *worker,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  FetchData *data = task_data;
  g_auto(CacheDir) fd = open_cache_dir (data->cache_dir, FALSE, NULL);
  g_autoptr(PaddockPolicyDocument) document = NULL;
  g_autofree char *path = g_build_filename (data->cache_dir, "document.json", NULL);
  g_autofree char *contents = NULL;
  g_auto(Meta) meta = { 0 };
  gsize length;

  /* A 304 blesses whatever is on disk: ask conditionally only when that
   * is this URL's body and still a document we would accept. Otherwise
   * a full GET repairs the cache. */
  if (fd >= 0 &&
      read_meta (data->cache_dir, &meta) &&
      g_strcmp0 (meta.url, data->url) == 0 &&
      meta.etag != NULL &&
      g_file_get_contents (path, &contents, &length, NULL) &&
      length <= PADDOCK_REQUIREMENTS_MAX_SIZE)
    {
      document = paddock_policy_document_new_from_json (PADDOCK_LAYER_MANAGED, data->display_url,
                                                        contents, length, NULL);
      if (document != NULL)
        data->sent_etag = g_steal_pointer (&meta.etag);
    }

  g_task_return_boolean (worker, TRUE);
}

/* --- the object ---------------------------------------------------------- */

static void
paddock_requirements_constructed (GObject *object)
{
  PaddockRequirements *self = PADDOCK_REQUIREMENTS (object);
  g_autoptr(GUri) uri = NULL;

  G_OBJECT_CLASS (paddock_requirements_parent_class)->constructed (object);

  g_assert (self->url != NULL);
  g_assert (self->cache_dir != NULL);

  /* Userinfo in the URL would be a credential: keep it out of messages. */
  uri = g_uri_parse (self->url, SOUP_HTTP_URI_FLAGS, NULL);
  if (uri != NULL && g_uri_get_userinfo (uri) != NULL)
    self->display_url = _paddock_requirements_uri_to_display (uri);
  else
    self->display_url = g_strdup (self->url);
}

static void
paddock_requirements_finalize (GObject *object)
{
  PaddockRequirements *self = PADDOCK_REQUIREMENTS (object);

  g_free (self->url);
  g_free (self->display_url);
  g_free (self->cache_dir);
  g_free (self->token);

  G_OBJECT_CLASS (paddock_requirements_parent_class)->finalize (object);
}

static void
paddock_requirements_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  PaddockRequirements *self = PADDOCK_REQUIREMENTS (object);

  switch (prop_id)
    {
    case PROP_URL:
      g_value_set_string (value, self->url);
      break;

    case PROP_CACHE_DIR:
      g_value_set_string (value, self->cache_dir);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
paddock_requirements_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  PaddockRequirements *self = PADDOCK_REQUIREMENTS (object);

  switch (prop_id)
    {
    case PROP_URL:
      self->url = g_value_dup_string (value);
      break;

    case PROP_CACHE_DIR:
      self->cache_dir = g_value_dup_string (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
paddock_requirements_class_init (PaddockRequirementsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = paddock_requirements_constructed;
  object_class->finalize = paddock_requirements_finalize;
  object_class->get_property = paddock_requirements_get_property;
  object_class->set_property = paddock_requirements_set_property;

  properties[PROP_URL] =
    g_param_spec_string ("url", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CACHE_DIR] =
    g_param_spec_string ("cache-dir", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
paddock_requirements_init (PaddockRequirements *self)
{
  self->timeout = PADDOCK_REQUIREMENTS_DEFAULT_TIMEOUT;
}

PaddockRequirements *
paddock_requirements_new (const char *url,
                          const char *cache_dir)
{
  g_return_val_if_fail (url != NULL, NULL);
  g_return_val_if_fail (cache_dir != NULL, NULL);

  return g_object_new (PADDOCK_TYPE_REQUIREMENTS,
                       "url", url,
                       "cache-dir", cache_dir,
                       NULL);
}

void
paddock_requirements_set_token (PaddockRequirements *self,
                                const char          *token)
{
  g_return_if_fail (PADDOCK_IS_REQUIREMENTS (self));
  /* Visible ASCII only: anything else could split the header. */
  g_return_if_fail (token == NULL || token_is_valid (token));

  g_free (self->token);
  self->token = g_strdup (token);
}

void
paddock_requirements_set_timeout (PaddockRequirements *self,
                                  guint                seconds)
{
  g_return_if_fail (PADDOCK_IS_REQUIREMENTS (self));
  g_return_if_fail (seconds > 0);

  self->timeout = seconds;
}

void
paddock_requirements_fetch_async (PaddockRequirements *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *reason = NULL;
  FetchData *data;

  g_return_if_fail (PADDOCK_IS_REQUIREMENTS (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, paddock_requirements_fetch_async);
  /* The result says what happened to the cache, even when a cancel
   * arrived after the writing began. */
  g_task_set_check_cancellable (task, FALSE);

  data = g_new0 (FetchData, 1);
  data->url = g_strdup (self->url);
  data->display_url = g_strdup (self->display_url);
  data->cache_dir = g_strdup (self->cache_dir);
  data->token = g_strdup (self->token);
  data->timeout = self->timeout;
  data->caller_cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  data->cancellable = g_cancellable_new ();
  g_task_set_task_data (task, data, (GDestroyNotify) fetch_data_free);

  if (g_cancellable_set_error_if_cancelled (cancellable, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  data->origin = _paddock_requirements_parse_url (data->url, data->display_url, &reason);
  if (data->origin == NULL)
    {
      fail_attempt (task, PADDOCK_POLICY_ERROR_FETCH, "%s", reason);
      return;
    }
  data->uri = g_uri_ref (data->origin);

  run_in_worker (task, read_cache_worker, on_cache_read);
}

gboolean
paddock_requirements_fetch_finish (PaddockRequirements         *self,
                                   GAsyncResult                *result,
                                   PaddockRequirementsOutcome  *outcome,
                                   GError                     **error)
{
  gssize value;

  g_return_val_if_fail (PADDOCK_IS_REQUIREMENTS (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == paddock_requirements_fetch_async, FALSE);

  value = g_task_propagate_int (G_TASK (result), error);
  if (value < 0)
    return FALSE;

  if (outcome != NULL)
    *outcome = (PaddockRequirementsOutcome) value;
  return TRUE;
}

static void
on_sync_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

gboolean
paddock_requirements_fetch_sync (PaddockRequirements         *self,
                                 GCancellable                *cancellable,
                                 PaddockRequirementsOutcome  *outcome,
                                 GError                     **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  GAsyncResult *result = NULL;
  gboolean ret;

  g_return_val_if_fail (PADDOCK_IS_REQUIREMENTS (self), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);

  g_main_context_push_thread_default (context);

  paddock_requirements_fetch_async (self, cancellable, on_sync_done, &result);
  while (result == NULL)
    g_main_context_iteration (context, TRUE);

  ret = paddock_requirements_fetch_finish (self, result, outcome, error);
  g_object_unref (result);

  /* Let whatever the session left behind (closing connections) run
   * here, not later on some other context. */
  while (g_main_context_iteration (context, FALSE))
    ;

  g_main_context_pop_thread_default (context);

  return ret;
}
