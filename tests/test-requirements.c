/* test-requirements.c: fetching the managed requirements from a real
 * loopback server, and what stays in the cache when that fails
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "paddock-decision.h"
#include "paddock-errors.h"
#include "paddock-paths.h"
#include "paddock-policy-loader.h"
#include "paddock-requirements.h"

#define GOOD_V1 \
  "{\n" \
  "  \"version\": 1,\n" \
  "  \"commands\": [\n" \
  "    { \"match\": [\"curl\"], \"decision\": \"forbidden\", \"reason\": \"use the proxy\" }\n" \
  "  ]\n" \
  "}\n"

#define GOOD_V2 \
  "{\n" \
  "  \"version\": 1,\n" \
  "  \"commands\": [\n" \
  "    { \"match\": [\"wget\"], \"decision\": \"forbidden\" }\n" \
  "  ]\n" \
  "}\n"

#define NOT_JSON "version = 1\n"

/* "colour" sits on line 3, column 3. */
#define UNKNOWN_KEY \
  "{\n" \
  "  \"version\": 1,\n" \
  "  \"colour\": \"blue\"\n" \
  "}\n"

#define TOKEN "pdk_s3cret-T0ken.7f3a9"

typedef struct
{
  SoupServer *server;
  char *base;       /* http://127.0.0.1:PORT */
  char *other_base; /* a second port of the same server: another origin */
  char *url;        /* base/requirements.json */
  char *tmp;
  char *cache_dir;  /* tmp/cache/paddock/requirements, not created */

  /* What the server answers at /requirements.json. */
  guint status;
  char *reason;
  GBytes *body;
  char *etag;
  gboolean chunked;
  gboolean hold;             /* leave the request unanswered */
  GCancellable *cancel_held; /* cancelled once a request is held */
  const char *expected_authorization;

  /* What it saw. */
  guint n_requests;
  char *if_none_match;
  char *authorization;
  char *accept;
  GPtrArray *held;

  /* /redirect answers 302 to this. */
  char *location;
} Fixture;

static void
set_answer (Fixture    *f,
            guint       status,
            const char *body,
            const char *etag)
{
  g_clear_pointer (&f->body, g_bytes_unref);
  f->body = g_bytes_new (body, strlen (body));
  g_free (f->etag);
  f->etag = g_strdup (etag);
  f->status = status;
  g_clear_pointer (&f->reason, g_free);
}

static void
handle_requirements (SoupServer        *server,
                     SoupServerMessage *msg,
                     const char        *path,
                     GHashTable        *query,
                     gpointer           user_data)
{
  Fixture *f = user_data;
  SoupMessageHeaders *request = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *response = soup_server_message_get_response_headers (msg);
  const char *if_none_match = soup_message_headers_get_one (request, "If-None-Match");
  const char *data;
  gsize length;

  f->n_requests++;
  g_free (f->if_none_match);
  f->if_none_match = g_strdup (if_none_match);
  g_free (f->authorization);
  f->authorization = g_strdup (soup_message_headers_get_one (request, "Authorization"));
  g_free (f->accept);
  f->accept = g_strdup (soup_message_headers_get_one (request, "Accept"));

  if (f->expected_authorization != NULL)
    g_assert_cmpstr (f->authorization, ==, f->expected_authorization);

  if (g_str_equal (path, "/redirect"))
    {
      soup_server_message_set_redirect (msg, SOUP_STATUS_FOUND, f->location);
      return;
    }

  if (f->hold)
    {
      soup_server_message_pause (msg);
      g_ptr_array_add (f->held, g_object_ref (msg));
      if (f->cancel_held != NULL)
        g_cancellable_cancel (f->cancel_held);
      return;
    }

  if (f->status == SOUP_STATUS_OK && f->etag != NULL && g_strcmp0 (if_none_match, f->etag) == 0)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_MODIFIED, NULL);
      soup_message_headers_replace (response, "ETag", f->etag);
      return;
    }

  soup_server_message_set_status (msg, f->status, f->reason);
  if (f->etag != NULL)
    soup_message_headers_replace (response, "ETag", f->etag);
  if (f->chunked)
    soup_message_headers_set_encoding (response, SOUP_ENCODING_CHUNKED);
  data = g_bytes_get_data (f->body, &length);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, data, length);
  if (f->chunked)
    soup_message_body_complete (soup_server_message_get_response_body (msg));
}

static char *
listen_loopback (SoupServer             *server,
                 SoupServerListenOptions options)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSList) before = soup_server_get_uris (server);
  GSList *uris;
  char *base = NULL;

  soup_server_listen_local (server, 0, options | SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);

  /* The new listener is the URI that was not there before. */
  uris = soup_server_get_uris (server);
  for (GSList *l = uris; l != NULL; l = l->next)
    {
      gboolean seen = FALSE;

      for (GSList *b = before; b != NULL; b = b->next)
        seen |= g_uri_get_port (b->data) == g_uri_get_port (l->data);
      if (!seen && base == NULL)
        base = g_strdup_printf ("%s://127.0.0.1:%d", g_uri_get_scheme (l->data), g_uri_get_port (l->data));
    }
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  g_slist_free_full (g_steal_pointer (&before), (GDestroyNotify) g_uri_unref);

  g_assert_nonnull (base);
  return base;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;

  f->tmp = g_dir_make_tmp ("paddock-requirements-XXXXXX", &error);
  g_assert_no_error (error);
  f->cache_dir = g_build_filename (f->tmp, "cache", "paddock", "requirements", NULL);

  f->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (f->server, "/requirements.json", handle_requirements, f, NULL);
  soup_server_add_handler (f->server, "/redirect", handle_requirements, f, NULL);
  f->base = listen_loopback (f->server, 0);
  f->other_base = listen_loopback (f->server, 0);
  f->url = g_strconcat (f->base, "/requirements.json", NULL);
  f->held = g_ptr_array_new_with_free_func (g_object_unref);

  set_answer (f, SOUP_STATUS_OK, GOOD_V1, "\"v1\"");
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_assert_no_errno (g_unlink (child));
    }
  g_assert_no_errno (g_rmdir (path));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  user_data)
{
  /* Answer what was held so the server lets go of it. */
  for (guint i = 0; i < f->held->len; i++)
    {
      SoupServerMessage *msg = g_ptr_array_index (f->held, i);

      soup_server_message_set_status (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, NULL);
      soup_server_message_unpause (msg);
    }
  while (g_main_context_iteration (NULL, FALSE))
    ;

  soup_server_disconnect (f->server);
  g_assert_finalize_object (f->server);
  while (g_main_context_iteration (NULL, FALSE))
    ;

  remove_tree (f->tmp);

  g_ptr_array_unref (f->held);
  g_free (f->tmp);
  g_free (f->cache_dir);
  g_free (f->base);
  g_free (f->other_base);
  g_free (f->url);
  g_free (f->reason);
  g_clear_pointer (&f->body, g_bytes_unref);
  g_free (f->etag);
  g_free (f->if_none_match);
  g_free (f->authorization);
  g_free (f->accept);
  g_free (f->location);
}

/* --- helpers --------------------------------------------------------- */

static void
on_fetched (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static gboolean
fetch (PaddockRequirements         *requirements,
       GCancellable                *cancellable,
       PaddockRequirementsOutcome  *outcome,
       GError                     **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean ok;

  paddock_requirements_fetch_async (requirements, cancellable, on_fetched, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);

  ok = paddock_requirements_fetch_finish (requirements, result, outcome, &local_error);
  if (local_error != NULL)
    {
      g_test_message ("%s", local_error->message);
      g_propagate_error (error, g_steal_pointer (&local_error));
    }

  return ok;
}

static char *
read_cache_file (const char *cache_dir,
                 const char *name)
{
  g_autofree char *path = g_build_filename (cache_dir, name, NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, &error))
    g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);

  return contents;
}

/* A member of meta.json, or NULL when absent. */
static char *
dup_meta (const char *cache_dir,
          const char *key)
{
  g_autofree char *path = g_build_filename (cache_dir, "meta.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GList) members = NULL;
  JsonObject *object;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  object = json_node_get_object (json_parser_get_root (parser));

  /* Nothing but the keys the loader and `paddockctl policy` know. */
  members = json_object_get_members (object);
  for (const GList *l = members; l != NULL; l = l->next)
    g_assert_true (g_str_equal (l->data, "url") || g_str_equal (l->data, "etag") ||
                   g_str_equal (l->data, "fetched") || g_str_equal (l->data, "checked") ||
                   g_str_equal (l->data, "last_error"));

  return g_strdup (json_object_get_string_member_with_default (object, key, NULL));
}

static void
assert_iso8601 (const char *text)
{
  g_autoptr(GDateTime) time = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  g_assert_nonnull (text);
  time = g_date_time_new_from_iso8601 (text, NULL);
  g_assert_nonnull (time);
  g_assert_cmpint (g_date_time_difference (now, time), >=, 0);
  g_assert_cmpint (g_date_time_difference (now, time), <, 60 * G_TIME_SPAN_SECOND);
}

static void
assert_mode (const char *path,
             guint       mode)
{
  GStatBuf st;

  g_assert_no_errno (g_stat (path, &st));
  g_assert_cmpuint (st.st_mode & 07777, ==, mode);
}

static void
assert_message_contains (const GError *error,
                         const char   *needle)
{
  if (strstr (error->message, needle) == NULL)
    g_error ("“%s” is not in “%s”", needle, error->message);
}

static void
assert_document (Fixture    *f,
                 const char *expected)
{
  g_autofree char *document = read_cache_file (f->cache_dir, "document.json");

  g_assert_cmpstr (document, ==, expected);
}

/* Fetches the current answer and asserts it became the cached copy. */
static void
fetch_good (Fixture             *f,
            PaddockRequirements *requirements)
{
  g_autoptr(GError) error = NULL;
  PaddockRequirementsOutcome outcome = PADDOCK_REQUIREMENTS_NOT_MODIFIED;

  fetch (requirements, NULL, &outcome, &error);
  g_assert_no_error (error);
  g_assert_cmpint (outcome, ==, PADDOCK_REQUIREMENTS_UPDATED);
}

/* --- fetching ---------------------------------------------------------- */

static void
test_fetch_first (Fixture       *f,
                  gconstpointer  user_data)
{
  g_autoptr(PaddockRequirements) requirements = paddock_requirements_new (f->url, f->cache_dir);
  g_autofree char *document_path = g_build_filename (f->cache_dir, "document.json", NULL);
  g_autofree char *meta_path = g_build_filename (f->cache_dir, "meta.json", NULL);
  g_autofree char *url = NULL;
  g_autofree char *etag = NULL;
  g_autofree char *fetched = NULL;
  g_autofree char *checked = NULL;
  g_autofree char *last_error = NULL;

  fetch_good (f, requirements);

  g_assert_cmpuint (f->n_requests, ==, 1);
  g_assert_cmpstr (f->accept, ==, "application/json");
  g_assert_null (f->if_none_match);
  g_assert_null (f->authorization);

  assert_document (f, GOOD_V1);
  url = dup_meta (f->cache_dir, "url");
  etag = dup_meta (f->cache_dir, "etag");
  fetched = dup_meta (f->cache_dir, "fetched");
  checked = dup_meta (f->cache_dir, "checked");
  last_error = dup_meta (f->cache_dir, "last_error");
  g_assert_cmpstr (url, ==, f->url);
  g_assert_cmpstr (etag, ==, "\"v1\"");
  assert_iso8601 (fetched);
  g_assert_cmpstr (checked, ==, fetched);
  g_assert_null (last_error);

  assert_mode (f->cache_dir, 0700);
  assert_mode (document_path, 0600);
  assert_mode (meta_path, 0600);

  g_assert_finalize_object (g_steal_pointer (&requirements));
}

static void
test_fetch_not_modified (Fixture       *f,
                         gconstpointer  user_data)
{
  g_autoptr(PaddockRequirements) requirements = paddock_requirements_new (f->url, f->cache_dir);
  g_autoptr(GError) error = NULL;
  g_autofree char *fetched_before = NULL;
  g_autofree char *fetched = NULL;
  g_autofree char *checked = NULL;
  g_autofree char *etag = NULL;
  PaddockRequirementsOutcome outcome = PADDOCK_REQUIREMENTS_UPDATED;

  fetch_good (f, requirements);
  fetched_before = dup_meta (f->cache_dir, "fetched");

  g_assert_true (fetch (requirements, NULL, &outcome, &error));
  g_assert_no_error (error);
  g_assert_cmpint (outcome, ==, PADDOCK_REQUIREMENTS_NOT_MODIFIED);

  g_assert_cmpuint (f->n_requests, ==, 2);
  g_assert_cmpstr (f->if_none_match, ==, "\"v1\"");
  assert_document (f, GOOD_V1);
  fetched = dup_meta (f->cache_dir, "fetched");
  checked = dup_meta (f->cache_dir, "checked");
  etag = dup_meta (f->cache_dir, "etag");
  g_assert_cmpstr (fetched, ==, fetched_before);
  assert_iso8601 (checked);
  g_assert_cmpstr (etag, ==, "\"v1\"");
}

static void
test_fetch_changed (Fixture       *f,
                    gconstpointer  user_data)
{
  g_autoptr(PaddockRequirements) requirements = paddock_requirements_new (f->url, f->cache_dir);
  g_autofree char *etag = NULL;

  fetch_good (f, requirements);

  set_answer (f, SOUP_STATUS_OK, GOOD_V2, "\"v2\"");
  fetch_good (f, requirements);

  g_assert_cmpuint (f->n_requests, ==, 2);
  g_assert_cmpstr (f->if_none_match, ==, "\"v1\"");
  assert_document (f, GOOD_V2);
  etag = dup_meta (f->cache_dir, "etag");
  g_assert_cmpstr (etag, ==, "\"v2\"");
}

/* A server without ETags sends the whole document each time: the same
 * bytes again change nothing. */
static void
test_fetch_same_bytes (Fixture       *f,
                       gconstpointer  user_data)
{
  g_autoptr(PaddockRequirements) requirements = paddock_requirements_new (f->url, f->cache_dir);
  g_autoptr(GError) error = NULL;
  g_autofree char *etag = NULL;
  PaddockRequirementsOutcome outcome = PADDOCK_REQUIREMENTS_UPDATED;

  /* A folder left open by an earlier umask is made private. */
  g_assert_no_errno (g_mkdir_with_parents (f->cache_dir, 0755));
  g_assert_no_errno (g_chmod (f->cache_dir, 0755));

  set_answer (f, SOUP_STATUS_OK, GOOD_V1, NULL);
  fetch_good (f, requirements);
  assert_mode (f->cache_dir, 0700);

  g_assert_true (fetch (requirements, NULL, &outcome, &error));
  g_assert_no_error (error);
  g_assert_cmpint (outcome, ==, PADDOCK_REQUIREMENTS_NOT_MODIFIED);
  g_assert_cmpuint (f->n_requests, ==, 2);
  g_assert_null (f->if_none_match);
  assert_document (f, GOOD_V1);
  etag = dup_meta (f->cache_dir, "etag");
  g_assert_null (etag);
}

/* --- failures ---------------------------------------------------------- */

typedef struct
{
  guint status;
  const char *reason;
  const char *body;
  const char *etag;
  int code;
  const char *needle; /* besides the URL; "@" stands for the URL */
} FailureCase;

static void
test_fail_keeps_last_good (Fixture       *f,
                           gconstpointer  user_data)
{
  const FailureCase cases[] = {
    { 500, "Internal Server Error", "{}", NULL, PADDOCK_POLICY_ERROR_FETCH,
      "@: the server answered HTTP 500 Internal Server Error; the last good copy was kept" },
    { 404, NULL, "{}", NULL, PADDOCK_POLICY_ERROR_FETCH, "HTTP 404 Not Found" },
    { 200, NULL, NOT_JSON, "\"bad-1\"", PADDOCK_POLICY_ERROR_SYNTAX,
      "The requirements fetched are not a valid policy, so the last good copy was kept: @:1:" },
    { 200, NULL, UNKNOWN_KEY, "\"bad-2\"", PADDOCK_POLICY_ERROR_SCHEMA,
      "The requirements fetched are not a valid policy, so the last good copy was kept: @:3:3:" },
    { 200, NULL, "", "\"bad-3\"", PADDOCK_POLICY_ERROR_SYNTAX, "@" },
  };
  g_autoptr(PaddockRequirements) requirements = paddock_requirements_new (f->url, f->cache_dir);
  g_autofree char *fetched = NULL;

  fetch_good (f, requirements);
  fetched = dup_meta (f->cache_dir, "fetched");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(GStrv) parts = g_strsplit (cases[i].needle, "@", -1);
      g_autofree char *needle = g_strjoinv (f->url, parts);
      g_autoptr(GError) error = NULL;
      g_autofree char *last_error = NULL;
      g_autofree char *url = NULL;
      g_autofree char *etag = NULL;
      g_autofree char *fetched_now = NULL;
      guint n_requests = f->n_requests;

      set_answer (f, cases[i].status, cases[i].body, cases[i].etag);
      f->reason = g_strdup (cases[i].reason);

      g_assert_false (fetch (requirements, NULL, NULL, &error));
      g_assert_error (error, PADDOCK_POLICY_ERROR, cases[i].code);
      assert_message_contains (error, f->url);
      assert_message_contains (error, needle);
      g_assert_cmpuint (f->n_requests, ==, n_requests + 1);
      /* Still asked conditionally: the good copy and its ETag stand. */
      g_assert_cmpstr (f->if_none_match, ==, "\"v1\"");

      assert_document (f, GOOD_V1);
      url = dup_meta (f->cache_dir, "url");
      etag = dup_meta (f->cache_dir, "etag");
      fetched_now = dup_meta (f->cache_dir, "fetched");
      last_error = dup_meta (f->cache_dir, "last_error");
      g_assert_cmpstr (url, ==, f->url);
      g_assert_cmpstr (etag, ==, "\"v1\"");
      g_assert_cmpstr (fetched_now, ==, fetched);
      g_assert_cmpstr (last_error, ==, error->message);
    }

  /* The next good answer clears last_error. */
  set_answer (f, SOUP_STATUS_OK, GOOD_V2, "\"v2\"");
  fetch_good (f, requirements);
  assert_document (f, GOOD_V2);
  {
    g_autofree char *last_error = dup_meta (f->cache_dir, "last_error");
    g_assert_null (last_error);
  }
}

/* With no good copy, a failure says Paddock stays restrictive and does
 * not name the URL in meta.json, so the loader keeps refusing. */
static void
test_fail_never_fetched (Fixture       *f,
                         gconstpointer  user_data)
{
  g_autoptr(PaddockRequirements) requirements = paddock_requirements_new (f->url, f->cache_dir);
  g_autoptr(GError) error = NULL;
  g_autofree char *document = NULL;
  g_autofree char *url = NULL;
  g_autofree char *last_error = NULL;

  set_answer (f, SOUP_STATUS_OK, UNKNOWN_KEY, "\"bad\"");
  g_assert_false (fetch (requirements, NULL, NULL, &error));
  g_assert_error (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_SCHEMA);
  assert_message_contains (error, "Paddock stays in its most restrictive mode until a good copy is fetched");

  document = read_cache_file (f->cache_dir, "document.json");
  url = dup_meta (f->cache_dir, "url");
  last_error = dup_meta (f->cache_dir, "last_error");
  g_assert_null (document);
  g_assert_null (url);
  g_assert_cmpstr (last_error, ==, error->message);
}

static void
test_fail_too_large (Fixture       *f,
                     gconstpointer  user_data)
{
  g_autoptr(PaddockRequirements) requirements = paddock_requirements_new (f->url, f->cache_dir);
  /* Valid JSON, one byte over: only the size can refuse it. */
  gsize size = PADDOCK_REQUIREMENTS_MAX_SIZE + 1;
  g_autofree char *big = g_malloc (size + 1);

  memset (big, ' ', size);
  memcpy (big, "{\"version\": 1}", strlen ("{\"version\": 1}"));
  big[size] = '\0';

  fetch_good (f, requirements);

  for (int chunked = 0; chunked <= 1; chunked++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *last_error = NULL;

      set_answer (f, SOUP_STATUS_OK, big, "\"big\"");
      f->chunked = chunked;

      g_assert_false (fetch (requirements, NULL, NULL, &error));
      g_assert_error (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_FETCH);
      assert_message_contains (error, f->url);
      assert_message_contains (error, "larger than 4 MiB");
      /* Refused by its Content-Length, or while reading the chunks. */
      g_assert_true ((strstr (error->message, "Content-Length 4194305") != NULL) == !chunked);

      assert_document (f, GOOD_V1);
      last_error = dup_meta (f->cache_dir, "last_error");
      g_assert_cmpstr (last_error, ==, error->message);
    }

  /* Exactly at the limit is accepted. */
  big[PADDOCK_REQUIREMENTS_MAX_SIZE] = '\0';
  set_answer (f, SOUP_STATUS_OK, big, "\"at-limit\"");
  f->chunked = TRUE;
  fetch_good (f, requirements);
  assert_document (f, big);
}

/* --- the token ------------------------------------------------------- */

static void
assert_no_file_contains (const char *path,
                         const char *needle)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      g_autofree char *contents = NULL;
      gsize length;

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        {
          assert_no_file_contains (child, needle);
          continue;
        }
      g_assert_true (g_file_get_contents (child, &contents, &length, NULL));
      g_assert_null (g_strstr_len (contents, length, needle));
    }
}

static void
test_token (Fixture       *f,
            gconstpointer  user_data)
{
  g_autoptr(PaddockRequirements) requirements = paddock_requirements_new (f->url, f->cache_dir);
  g_autoptr(GError) http_error = NULL;
  g_autoptr(GError) body_error = NULL;

  paddock_requirements_set_token (requirements, TOKEN);
  f->expected_authorization = "Bearer " TOKEN;

  fetch_good (f, requirements);
  g_assert_cmpuint (f->n_requests, ==, 1);
  g_assert_cmpstr (f->authorization, ==, "Bearer " TOKEN);

  /* A server that echoes the token in its reason phrase … */
  set_answer (f, SOUP_STATUS_UNAUTHORIZED, "{}", NULL);
  f->reason = g_strdup ("Unauthorized: " TOKEN " has expired");
  g_assert_false (fetch (requirements, NULL, NULL, &http_error));
  g_assert_error (http_error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_FETCH);
  assert_message_contains (http_error, "HTTP 401 Unauthorized: [token] has expired");
  g_assert_null (strstr (http_error->message, TOKEN));

  /* … or in a body the validator quotes. */
  set_answer (f, SOUP_STATUS_OK, "{\"version\": 1, \"" TOKEN "\": true}", "\"t\"");
  g_assert_false (fetch (requirements, NULL, NULL, &body_error));
  g_assert_error (body_error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_SCHEMA);
  assert_message_contains (body_error, "[token]");
  g_assert_null (strstr (body_error->message, TOKEN));

  g_assert_cmpuint (f->n_requests, ==, 3);
  assert_document (f, GOOD_V1);
  assert_no_file_contains (f->tmp, TOKEN);

  /* Clearing the token stops sending it. */
  f->expected_authorization = NULL;
  paddock_requirements_set_token (requirements, NULL);
  set_answer (f, SOUP_STATUS_OK, GOOD_V1, "\"v1\"");
  g_assert_true (fetch (requirements, NULL, NULL, NULL));
  g_assert_null (f->authorization);
}

/* --- redirects and URLs ------------------------------------------------ */

static void
test_redirect (Fixture       *f,
               gconstpointer  user_data)
{
  g_autofree char *start = g_strconcat (f->base, "/redirect", NULL);
  g_autoptr(PaddockRequirements) requirements = paddock_requirements_new (start, f->cache_dir);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *elsewhere = NULL;
  g_autofree char *expected = NULL;

  /* Within the same loopback origin, followed; the token goes along. */
  paddock_requirements_set_token (requirements, TOKEN);
  f->location = g_strdup ("/requirements.json");
  fetch_good (f, requirements);
  g_assert_cmpuint (f->n_requests, ==, 2);
  g_assert_cmpstr (f->authorization, ==, "Bearer " TOKEN);
  assert_document (f, GOOD_V1);
  url = dup_meta (f->cache_dir, "url");
  g_assert_cmpstr (url, ==, start);

  /* To another origin over plain http, refused before it is asked. */
  elsewhere = g_strconcat (f->other_base, "/requirements.json", NULL);
  g_free (f->location);
  f->location = g_strdup (elsewhere);
  g_assert_false (fetch (requirements, NULL, NULL, &error));
  g_assert_error (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_FETCH);
  expected = g_strdup_printf ("%s: HTTP 302 redirect to %s refused; requirements are only fetched over https://",
                              start, elsewhere);
  assert_message_contains (error, expected);
  g_assert_cmpuint (f->n_requests, ==, 3);
  assert_document (f, GOOD_V1);
}

static void
test_url_refused (Fixture       *f,
                  gconstpointer  user_data)
{
  const char *urls[] = {
    "http://example.com/requirements.json",
    "http://localhost.example.com/requirements.json",
    "http://127.0.0.1.example.com/requirements.json",
    "ftp://127.0.0.1/requirements.json",
    "not a url",
  };

  for (guint i = 0; i < G_N_ELEMENTS (urls); i++)
    {
      g_autoptr(PaddockRequirements) requirements = paddock_requirements_new (urls[i], f->cache_dir);
      g_autoptr(GError) error = NULL;
      g_autofree char *document = NULL;
      g_autofree char *url = NULL;

      g_assert_false (fetch (requirements, NULL, NULL, &error));
      g_assert_error (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_FETCH);
      assert_message_contains (error, urls[i]);
      document = read_cache_file (f->cache_dir, "document.json");
      url = dup_meta (f->cache_dir, "url");
      g_assert_null (document);
      g_assert_null (url);
    }

  g_assert_cmpuint (f->n_requests, ==, 0);
}

/* A password in the URL is a credential too: never in a message. */
static void
test_url_userinfo (Fixture       *f,
                   gconstpointer  user_data)
{
  g_autofree char *with_password = g_strdup_printf ("http://admin:hunter2@%s/requirements.json",
                                                    f->base + strlen ("http://"));
  g_autoptr(PaddockRequirements) requirements = paddock_requirements_new (with_password, f->cache_dir);
  g_autoptr(GError) error = NULL;
  g_autofree char *last_error = NULL;

  set_answer (f, SOUP_STATUS_INTERNAL_SERVER_ERROR, "{}", NULL);
  g_assert_false (fetch (requirements, NULL, NULL, &error));
  g_assert_error (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_FETCH);
  assert_message_contains (error, f->url);
  g_assert_null (strstr (error->message, "hunter2"));
  last_error = dup_meta (f->cache_dir, "last_error");
  g_assert_null (strstr (last_error, "hunter2"));
}

/* Switching URLs: a failure for the new one leaves meta.json naming the
 * old one, so the old body is never taken for the new URL; a success
 * replaces both. */
static void
test_url_change (Fixture       *f,
                 gconstpointer  user_data)
{
  g_autofree char *second = g_strconcat (f->other_base, "/requirements.json", NULL);
  g_autoptr(PaddockRequirements) first = paddock_requirements_new (f->url, f->cache_dir);
  g_autoptr(PaddockRequirements) other = paddock_requirements_new (second, f->cache_dir);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *url_after = NULL;

  fetch_good (f, first);

  set_answer (f, SOUP_STATUS_SERVICE_UNAVAILABLE, "{}", NULL);
  g_assert_false (fetch (other, NULL, NULL, &error));
  g_assert_error (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_FETCH);
  assert_message_contains (error, "Paddock stays in its most restrictive mode");
  /* Another URL's ETag is never sent. */
  g_assert_null (f->if_none_match);
  url = dup_meta (f->cache_dir, "url");
  g_assert_cmpstr (url, ==, f->url);
  assert_document (f, GOOD_V1);

  set_answer (f, SOUP_STATUS_OK, GOOD_V2, "\"v2\"");
  fetch_good (f, other);
  url_after = dup_meta (f->cache_dir, "url");
  g_assert_cmpstr (url_after, ==, second);
  assert_document (f, GOOD_V2);
}

/* --- TLS --------------------------------------------------------------- */

static GTlsCertificate *
make_self_signed (const char *dir)
{
  g_autofree char *openssl = g_find_program_in_path ("openssl");
  g_autofree char *cert = g_build_filename (dir, "cert.pem", NULL);
  g_autofree char *key = g_build_filename (dir, "key.pem", NULL);
  g_autoptr(GError) error = NULL;
  GTlsCertificate *certificate;
  int status;
  const char *argv[] = {
    openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
    "-nodes", "-keyout", key, "-out", cert, "-days", "1",
    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
    NULL
  };

  if (openssl == NULL)
    return NULL;

  g_spawn_sync (NULL, (char **) argv, NULL,
                G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_spawn_check_wait_status (status, &error);
  g_assert_no_error (error);

  certificate = g_tls_certificate_new_from_files (cert, key, &error);
  g_assert_no_error (error);
  g_assert_no_errno (g_unlink (cert));
  g_assert_no_errno (g_unlink (key));

  return certificate;
}

static void
test_tls_verified (Fixture       *f,
                   gconstpointer  user_data)
{
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(PaddockRequirements) control = NULL;
  g_autoptr(PaddockRequirements) requirements = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *https_base = NULL;
  g_autofree char *https_url = NULL;
  g_autofree char *control_cache = g_build_filename (f->tmp, "control", NULL);
  g_autofree char *meta = NULL;
  g_autofree char *url = NULL;
  g_autofree char *etag = NULL;
  g_autofree char *fetched = NULL;
  g_autofree char *last_error = NULL;
  g_autofree char *document_path = NULL;
  g_autofree char *meta_path = NULL;

  if (!g_tls_backend_supports_tls (g_tls_backend_get_default ()))
    {
      g_test_skip ("no TLS backend (glib-networking) is installed");
      return;
    }

  certificate = make_self_signed (f->tmp);
  if (certificate == NULL)
    {
      g_test_skip ("openssl is not installed");
      return;
    }

  soup_server_set_tls_certificate (f->server, certificate);
  https_base = listen_loopback (f->server, SOUP_SERVER_LISTEN_HTTPS);
  g_assert_true (g_str_has_prefix (https_base, "https://127.0.0.1:"));
  https_url = g_strconcat (https_base, "/requirements.json", NULL);

  /* Control: the same server and answer over plain http works, so what
   * fails below is the certificate. */
  control = paddock_requirements_new (f->url, control_cache);
  fetch_good (f, control);
  g_assert_cmpuint (f->n_requests, ==, 1);

  /* A good copy for the https URL, as an earlier fetch would have left. */
  g_assert_no_errno (g_mkdir_with_parents (f->cache_dir, 0700));
  document_path = g_build_filename (f->cache_dir, "document.json", NULL);
  meta_path = g_build_filename (f->cache_dir, "meta.json", NULL);
  meta = g_strdup_printf ("{\"url\": \"%s\", \"etag\": \"\\\"v0\\\"\", \"fetched\": \"2024-01-02T03:04:05Z\", "
                          "\"checked\": \"2024-01-02T03:04:05Z\"}", https_url);
  g_assert_true (g_file_set_contents (document_path, GOOD_V2, -1, NULL));
  g_assert_true (g_file_set_contents (meta_path, meta, -1, NULL));

  requirements = paddock_requirements_new (https_url, f->cache_dir);
  g_assert_false (fetch (requirements, NULL, NULL, &error));
  g_assert_error (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_FETCH);
  assert_message_contains (error, https_url);
  assert_message_contains (error, "TLS certificate is not accepted");
  assert_message_contains (error, "the last good copy was kept");

  /* The handshake failed, so the handler never ran. */
  g_assert_cmpuint (f->n_requests, ==, 1);
  assert_document (f, GOOD_V2);
  url = dup_meta (f->cache_dir, "url");
  etag = dup_meta (f->cache_dir, "etag");
  fetched = dup_meta (f->cache_dir, "fetched");
  last_error = dup_meta (f->cache_dir, "last_error");
  g_assert_cmpstr (url, ==, https_url);
  g_assert_cmpstr (etag, ==, "\"v0\"");
  g_assert_cmpstr (fetched, ==, "2024-01-02T03:04:05Z");
  g_assert_cmpstr (last_error, ==, error->message);
}

/* --- cancelling and timing out ------------------------------------------ */

static void
test_cancel (Fixture       *f,
             gconstpointer  user_data)
{
  g_autoptr(PaddockRequirements) requirements = paddock_requirements_new (f->url, f->cache_dir);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GCancellable) cancelled = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) early_error = NULL;
  g_autofree char *meta_before = NULL;
  g_autofree char *meta_after = NULL;

  fetch_good (f, requirements);
  meta_before = read_cache_file (f->cache_dir, "meta.json");

  /* The server holds the request and the caller cancels meanwhile. */
  f->hold = TRUE;
  f->cancel_held = cancellable;
  g_assert_false (fetch (requirements, cancellable, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (f->n_requests, ==, 2);
  g_assert_cmpuint (f->held->len, ==, 1);

  /* Cancelled before it starts: nothing is asked. */
  g_cancellable_cancel (cancelled);
  g_assert_false (fetch (requirements, cancelled, NULL, &early_error));
  g_assert_error (early_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (f->n_requests, ==, 2);

  assert_document (f, GOOD_V1);
  meta_after = read_cache_file (f->cache_dir, "meta.json");
  g_assert_cmpstr (meta_after, ==, meta_before);
}

static void
test_timeout (Fixture       *f,
              gconstpointer  user_data)
{
  g_autoptr(PaddockRequirements) requirements = paddock_requirements_new (f->url, f->cache_dir);
  g_autoptr(GError) error = NULL;
  g_autofree char *last_error = NULL;

  fetch_good (f, requirements);

  paddock_requirements_set_timeout (requirements, 1);
  f->hold = TRUE;
  g_assert_false (fetch (requirements, NULL, NULL, &error));
  g_assert_error (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_FETCH);
  assert_message_contains (error, f->url);
  assert_message_contains (error, "no complete answer within 1 s; the last good copy was kept");

  assert_document (f, GOOD_V1);
  last_error = dup_meta (f->cache_dir, "last_error");
  g_assert_cmpstr (last_error, ==, error->message);
}

/* --- the synchronous call ------------------------------------------------- */

typedef struct
{
  GMutex mutex;
  GCond cond;
  GMainContext *context;
  GMainLoop *loop;
  char *url;
  guint n_requests;
} ThreadServer;

static void
handle_in_thread (SoupServer        *server,
                  SoupServerMessage *msg,
                  const char        *path,
                  GHashTable        *query,
                  gpointer           user_data)
{
  ThreadServer *ts = user_data;

  g_atomic_int_inc (&ts->n_requests);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, GOOD_V2, strlen (GOOD_V2));
}

static gpointer
run_server_thread (gpointer user_data)
{
  ThreadServer *ts = user_data;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (context, FALSE);
  g_autoptr(SoupServer) server = NULL;
  g_autofree char *base = NULL;

  g_main_context_push_thread_default (context);
  server = soup_server_new (NULL, NULL);
  soup_server_add_handler (server, "/requirements.json", handle_in_thread, ts, NULL);
  base = listen_loopback (server, 0);

  g_mutex_lock (&ts->mutex);
  ts->url = g_strconcat (base, "/requirements.json", NULL);
  ts->context = context;
  ts->loop = loop;
  g_cond_signal (&ts->cond);
  g_mutex_unlock (&ts->mutex);

  g_main_loop_run (loop);

  soup_server_disconnect (server);
  g_clear_object (&server);
  while (g_main_context_iteration (context, FALSE))
    ;
  g_main_context_pop_thread_default (context);

  return NULL;
}

static gboolean
quit_loop (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

static gboolean
mark_ran (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
test_sync (Fixture       *f,
           gconstpointer  user_data)
{
  ThreadServer ts = { 0 };
  g_autoptr(PaddockRequirements) requirements = NULL;
  g_autoptr(GError) error = NULL;
  GThread *thread;
  PaddockRequirementsOutcome outcome = PADDOCK_REQUIREMENTS_NOT_MODIFIED;
  gboolean idle_ran = FALSE;
  guint idle_id;

  g_mutex_init (&ts.mutex);
  g_cond_init (&ts.cond);
  thread = g_thread_new ("server", run_server_thread, &ts);
  g_mutex_lock (&ts.mutex);
  while (ts.url == NULL)
    g_cond_wait (&ts.cond, &ts.mutex);
  g_mutex_unlock (&ts.mutex);

  /* The caller's own context does not run during the call. */
  idle_id = g_idle_add (mark_ran, &idle_ran);

  requirements = paddock_requirements_new (ts.url, f->cache_dir);
  g_assert_true (paddock_requirements_fetch_sync (requirements, NULL, &outcome, &error));
  g_assert_no_error (error);
  g_assert_cmpint (outcome, ==, PADDOCK_REQUIREMENTS_UPDATED);
  g_assert_false (idle_ran);
  g_source_remove (idle_id);

  g_main_context_invoke (ts.context, quit_loop, ts.loop);
  g_thread_join (thread);

  g_assert_cmpuint (ts.n_requests, ==, 1);
  assert_document (f, GOOD_V2);

  g_assert_finalize_object (g_steal_pointer (&requirements));
  g_free (ts.url);
  g_mutex_clear (&ts.mutex);
  g_cond_clear (&ts.cond);
}

/* --- what the loader makes of the cache -------------------------------- */

/* The managed rule that matched `curl x`, or NULL. */
static PaddockRule *
find_managed_match (PaddockDecision *decision)
{
  for (guint i = 0; i < decision->matched->len; i++)
    {
      PaddockMatch *match = g_ptr_array_index (decision->matched, i);

      if (match->rule->layer == PADDOCK_LAYER_MANAGED)
        return match->rule;
    }

  return NULL;
}

static PaddockDecision *
load_and_judge_curl (const char *workspace_path)
{
  g_autoptr(PaddockPolicyLoader) loader = paddock_policy_loader_new ();
  g_autoptr(PaddockWorkspace) workspace = NULL;
  g_autoptr(PaddockPolicy) policy = NULL;
  g_autoptr(PaddockAction) action = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[] = { "curl", "https://example.com/", NULL };

  workspace = paddock_workspace_new_for_path (workspace_path, &error);
  g_assert_no_error (error);
  policy = paddock_policy_loader_load (loader, workspace, &error);
  g_assert_no_error (error);
  action = paddock_action_new_exec (argv, workspace_path);

  return paddock_policy_evaluate (policy, action, NULL);
}

/* The loader reads exactly what this module writes: nothing before the
 * first fetch (most restrictive), the fetched rules after it, and the
 * same rules after a failed fetch. */
static void
test_loader_reads_cache (Fixture       *f,
                         gconstpointer  user_data)
{
#if PADDOCK_DEVELOPMENT
  g_autofree char *etc = g_strdup (paddock_paths_get_sysconfdir ());
  g_autofree char *config_path = g_build_filename (etc, "config.json", NULL);
  g_autofree char *config = g_strdup_printf ("{\"version\": 1, \"requirements_url\": \"%s\"}", f->url);
  g_autofree char *cache = paddock_policy_loader_dup_requirements_cache ();
  g_autofree char *workspace = g_build_filename (f->tmp, "workspace", NULL);
  g_autofree char *configured = NULL;
  g_autoptr(PaddockRequirements) requirements = NULL;
  g_autoptr(PaddockDecision) before = NULL;
  g_autoptr(PaddockDecision) after = NULL;
  g_autoptr(PaddockDecision) after_failure = NULL;
  g_autoptr(GError) error = NULL;
  PaddockRule *rule;

  g_assert_true (g_str_has_prefix (cache, g_get_user_cache_dir ()));
  g_assert_true (g_str_has_prefix (etc, g_getenv ("PADDOCK_SYSCONFDIR")));
  g_assert_no_errno (g_mkdir_with_parents (etc, 0700));
  g_assert_no_errno (g_mkdir_with_parents (workspace, 0700));
  g_assert_true (g_file_set_contents (config_path, config, -1, NULL));
  configured = paddock_policy_loader_dup_requirements_url (&error);
  g_assert_no_error (error);
  g_assert_cmpstr (configured, ==, f->url);

  before = load_and_judge_curl (workspace);
  rule = find_managed_match (before);
  g_assert_nonnull (rule);
  g_assert_cmpint (before->verdict, ==, PADDOCK_VERDICT_FORBIDDEN);
  g_assert_nonnull (strstr (rule->reason, "were never fetched"));

  requirements = paddock_requirements_new (configured, cache);
  fetch_good (f, requirements);
  after = load_and_judge_curl (workspace);
  rule = find_managed_match (after);
  g_assert_nonnull (rule);
  g_assert_cmpint (after->verdict, ==, PADDOCK_VERDICT_FORBIDDEN);
  g_assert_cmpstr (rule->source, ==, f->url);
  g_assert_cmpstr (rule->reason, ==, "use the proxy");
  g_assert_cmpuint (rule->line, ==, 4);

  set_answer (f, SOUP_STATUS_OK, UNKNOWN_KEY, "\"bad\"");
  g_assert_false (fetch (requirements, NULL, NULL, &error));
  g_assert_error (error, PADDOCK_POLICY_ERROR, PADDOCK_POLICY_ERROR_SCHEMA);
  after_failure = load_and_judge_curl (workspace);
  rule = find_managed_match (after_failure);
  g_assert_nonnull (rule);
  g_assert_cmpstr (rule->reason, ==, "use the proxy");

  g_assert_no_errno (g_unlink (config_path));
#else
  g_test_skip ("only a development build lets PADDOCK_SYSCONFDIR move the system config");
#endif
}

static void
drop_message (const char     *domain,
              GLogLevelFlags  level,
              const char     *message,
              gpointer        user_data)
{
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *home = NULL;
  g_autofree char *cache = NULL;
  g_autofree char *config = NULL;
  g_autofree char *state = NULL;
  g_autofree char *etc = NULL;
  int ret;

  setlocale (LC_ALL, "C.UTF-8");

  /* The loader test uses the real cache and config paths: point them
   * into a private folder before GLib reads them. */
  home = g_dir_make_tmp ("paddock-requirements-home-XXXXXX", NULL);
  g_assert_nonnull (home);
  cache = g_build_filename (home, "cache", NULL);
  config = g_build_filename (home, "config", NULL);
  state = g_build_filename (home, "state", NULL);
  etc = g_build_filename (home, "etc", NULL);
  g_setenv ("XDG_CACHE_HOME", cache, TRUE);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  g_setenv ("XDG_STATE_HOME", state, TRUE);
  g_setenv ("PADDOCK_SYSCONFDIR", etc, TRUE);

  /* Loopback only: no proxy from the environment may step in. */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_unsetenv ("http_proxy");
  g_unsetenv ("https_proxy");
  g_unsetenv ("HTTP_PROXY");
  g_unsetenv ("HTTPS_PROXY");
  g_unsetenv ("all_proxy");
  g_unsetenv ("ALL_PROXY");

  g_test_init (&argc, &argv, NULL);
  /* GIO's socket client narrates every connection otherwise. */
  g_log_set_handler ("GLib-GIO", G_LOG_LEVEL_DEBUG, drop_message, NULL);

#define ADD(path, func) \
  g_test_add ("/requirements/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("fetch/first", test_fetch_first);
  ADD ("fetch/not-modified", test_fetch_not_modified);
  ADD ("fetch/changed", test_fetch_changed);
  ADD ("fetch/same-bytes", test_fetch_same_bytes);
  ADD ("fail/keeps-last-good", test_fail_keeps_last_good);
  ADD ("fail/never-fetched", test_fail_never_fetched);
  ADD ("fail/too-large", test_fail_too_large);
  ADD ("token", test_token);
  ADD ("redirect", test_redirect);
  ADD ("url/refused", test_url_refused);
  ADD ("url/userinfo", test_url_userinfo);
  ADD ("url/change", test_url_change);
  ADD ("tls/verified", test_tls_verified);
  ADD ("cancel", test_cancel);
  ADD ("timeout", test_timeout);
  ADD ("sync", test_sync);
  ADD ("loader", test_loader_reads_cache);

#undef ADD

  ret = g_test_run ();
  remove_tree (home);

  return ret;
}
