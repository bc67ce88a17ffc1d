/* paddock-policy-document.h: one policy source (a file, a URL, GSettings)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "paddock-rule.h"

G_BEGIN_DECLS

/* A scalar or list value set by one source, with where it was set. */
typedef struct
{
  char *key;          /* "sandbox.mode", "approval.allowed_modes", … */
  GVariant *value;    /* "s", "as" or "b" */
  PaddockLayer layer;
  char *source;
  guint line;
  guint column;
  char *text;         /* as written */
} PaddockSetting;

typedef struct _PaddockPolicyDocument PaddockPolicyDocument;

struct _PaddockPolicyDocument
{
  /*< private >*/
  gatomicrefcount ref_count;

  /*< public >*/
  PaddockLayer layer;
  char *source;        /* file path or URL */
  GPtrArray *rules;    /* PaddockRule* */
  GPtrArray *settings; /* PaddockSetting* */
  char *error;         /* why the source failed; its layer then fails closed */
};

#define PADDOCK_TYPE_POLICY_DOCUMENT (paddock_policy_document_get_type ())

GType                  paddock_policy_document_get_type  (void) G_GNUC_CONST;
PaddockPolicyDocument *paddock_policy_document_new       (PaddockLayer  layer,
                                                          const char   *source);
PaddockPolicyDocument *paddock_policy_document_ref       (PaddockPolicyDocument *document);
void                   paddock_policy_document_unref     (PaddockPolicyDocument *document);

/* Parses a JSON policy. Every error names @source, the line and column,
 * the value and what is accepted; a document that fails is never partly
 * used. */
PaddockPolicyDocument *paddock_policy_document_new_from_json  (PaddockLayer   layer,
                                                               const char    *source,
                                                               const char    *text,
                                                               gssize         length,
                                                               GError       **error);
/* Reads @path and parses it as JSON, or as Codex rules when it ends in
 * ".rules". */
PaddockPolicyDocument *paddock_policy_document_new_from_file  (PaddockLayer   layer,
                                                               const char    *path,
                                                               GError       **error);

/* A document standing for a source that failed: one rule that forbids
 * every action, in @layer, naming @error. A layer that cannot be read
 * must never be looser than one that can. */
PaddockPolicyDocument *paddock_policy_document_new_failed     (PaddockLayer   layer,
                                                               const char    *source,
                                                               const GError  *error);

/* Adds a setting (takes a reference on @value, floating or not). */
void                   paddock_policy_document_add_setting    (PaddockPolicyDocument *document,
                                                               const char            *key,
                                                               GVariant              *value,
                                                               guint                  line,
                                                               guint                  column,
                                                               const char            *text);

/* "source:line:column", or the source alone when the line is unknown. */
char                  *paddock_setting_dup_location (const PaddockSetting *setting);
/* "the managed layer, FILE:LINE:COLUMN", for messages. */
char                  *paddock_setting_dup_origin   (const PaddockSetting *setting);
void                   paddock_setting_free (PaddockSetting *setting);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaddockPolicyDocument, paddock_policy_document_unref)

G_END_DECLS
