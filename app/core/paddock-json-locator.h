/* paddock-json-locator.h: where each value of a JSON document was written
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _PaddockJsonLocator PaddockJsonLocator;

typedef struct
{
  guint line;        /* 1-based, of the value */
  guint column;      /* 1-based, in characters */
  guint key_line;    /* of the member name; same as line for array elements */
  guint key_column;
  gsize start;       /* byte offsets of the value, end exclusive */
  gsize end;
} PaddockJsonLocation;

/* Scans @text as strict JSON (RFC 8259) and records the position of every
 * value under its JSON pointer ("" for the root, "/commands/0/match").
 * Duplicate member names are an error: json-glib keeps the last one
 * silently, and a policy must never mean something other than it shows.
 * Errors are PADDOCK_POLICY_ERROR_SYNTAX with "LINE:COLUMN: message". */
PaddockJsonLocator        *paddock_json_locator_new    (const char  *text,
                                                        gsize        length,
                                                        GError     **error);
void                       paddock_json_locator_free   (PaddockJsonLocator *locator);
const PaddockJsonLocation *paddock_json_locator_lookup (PaddockJsonLocator *locator,
                                                        const char         *pointer);
/* The text of the value at @pointer, exactly as written. */
char                      *paddock_json_locator_dup_text (PaddockJsonLocator *locator,
                                                          const char         *pointer);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaddockJsonLocator, paddock_json_locator_free)

G_END_DECLS
