/* paddock-requirements.h: the organisation's requirements, fetched over
 * HTTPS and cached with their ETag, the last good copy kept
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define PADDOCK_TYPE_REQUIREMENTS (paddock_requirements_get_type ())

G_DECLARE_FINAL_TYPE (PaddockRequirements, paddock_requirements, PADDOCK, REQUIREMENTS, GObject)

typedef enum
{
  PADDOCK_REQUIREMENTS_UPDATED,      /* the cache now holds a different document */
  PADDOCK_REQUIREMENTS_NOT_MODIFIED, /* 304, or the same bytes again */
} PaddockRequirementsOutcome;

/* The largest document accepted, after any Content-Encoding is undone. */
#define PADDOCK_REQUIREMENTS_MAX_SIZE (4 * 1024 * 1024)
/* How long one fetch may take, redirects included. */
#define PADDOCK_REQUIREMENTS_DEFAULT_TIMEOUT 30

/* @url is the requirements_url of the system config: https://, or
 * http:// on a loopback host for tests. @cache_dir is usually
 * paddock_policy_loader_dup_requirements_cache(); it holds
 * document.json (the last good body, byte for byte) and meta.json
 * ({"url", "etag", "fetched", "checked", "last_error"}). */
/* Whether @url can name the organisation's requirements: https://, or
 * http:// on a loopback host (exactly localhost, 127.0.0.1 or ::1) for
 * tests. On refusal @error (PADDOCK_POLICY_ERROR_INVALID) says why,
 * without any credential the URL holds. */
gboolean             paddock_requirements_check_url     (const char           *url,
                                                         GError              **error);

PaddockRequirements *paddock_requirements_new           (const char           *url,
                                                         const char           *cache_dir);

/* A bearer token sent as "Authorization: Bearer" to the origin of the
 * URL only (never to a redirect target elsewhere), or NULL for none. It
 * never appears in an error, a file or a log. */
void                 paddock_requirements_set_token     (PaddockRequirements  *self,
                                                         const char           *token);
/* The most one fetch may take, in seconds (at least 1). */
void                 paddock_requirements_set_timeout   (PaddockRequirements  *self,
                                                         guint                 seconds);

/* GETs the URL (conditionally, when the cache holds this URL's ETag),
 * validates the body as a managed policy and only then replaces the
 * cache. On failure the last good copy stays and meta.json's last_error
 * says why: PADDOCK_POLICY_ERROR_FETCH for the network, TLS, an HTTP
 * status or a body over PADDOCK_REQUIREMENTS_MAX_SIZE; the validator's
 * code (SYNTAX, SCHEMA, …) for a body that is not a valid policy;
 * PADDOCK_POLICY_ERROR_IO when the cache cannot be written;
 * G_IO_ERROR_CANCELLED, with the cache untouched, when cancelled. */
void                 paddock_requirements_fetch_async   (PaddockRequirements  *self,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
gboolean             paddock_requirements_fetch_finish  (PaddockRequirements  *self,
                                                         GAsyncResult         *result,
                                                         PaddockRequirementsOutcome *outcome,
                                                         GError              **error);
/* For the CLI: runs paddock_requirements_fetch_async() on a private
 * main context, so nothing else of the caller's runs meanwhile. */
gboolean             paddock_requirements_fetch_sync    (PaddockRequirements  *self,
                                                         GCancellable         *cancellable,
                                                         PaddockRequirementsOutcome *outcome,
                                                         GError              **error);

G_END_DECLS
