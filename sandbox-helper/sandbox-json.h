/* sandbox-json.h: the small strict JSON reader the helper needs
 *
 * The helper stays free of GIO and json-glib: it starts for every
 * command, and every library it loads is time the command waits.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  SANDBOX_JSON_NULL,
  SANDBOX_JSON_BOOLEAN,
  SANDBOX_JSON_INTEGER,
  SANDBOX_JSON_STRING,
  SANDBOX_JSON_ARRAY,
  SANDBOX_JSON_OBJECT,
} SandboxJsonType;

typedef struct _SandboxJson SandboxJson;

struct _SandboxJson
{
  SandboxJsonType type;
  gboolean boolean;
  gint64 integer;
  char *string;      /* STRING; UTF-8, never holds a NUL */
  GPtrArray *items;  /* ARRAY and OBJECT: SandboxJson* */
  GPtrArray *keys;   /* OBJECT: char*, parallel to items */
};

/* Strict RFC 8259, plus: numbers must be integers that fit in 64 bits,
 * strings may not contain \u0000, member names may not repeat, nesting
 * stops at 32 levels. Errors are SANDBOX_ERROR_SPEC with "offset N: …". */
SandboxJson *sandbox_json_parse (const char  *text,
                                 gsize        length,
                                 GError     **error);
void         sandbox_json_free  (SandboxJson *json);
/* The member @key of an object, or NULL. */
SandboxJson *sandbox_json_get   (SandboxJson *object,
                                 const char  *key);
const char  *sandbox_json_type_name (SandboxJsonType type);
/* @text (UTF-8) as a JSON string, quoted. */
void         sandbox_json_append_string (GString    *out,
                                         const char *text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SandboxJson, sandbox_json_free)

G_END_DECLS
