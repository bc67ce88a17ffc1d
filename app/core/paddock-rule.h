/* paddock-rule.h: one rule, as loaded from one place in one layer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "paddock-types.h"

G_BEGIN_DECLS

typedef enum
{
  PADDOCK_RULE_COMMAND = 0,
  PADDOCK_RULE_NETWORK,
  PADDOCK_RULE_PATH,
  PADDOCK_RULE_MCP,
  /* Matches every action: a layer that failed to load, or requirements
   * that were never fetched, fail closed through such a rule. */
  PADDOCK_RULE_ANY,
} PaddockRuleKind;

typedef enum
{
  PADDOCK_TOKEN_WORDS = 0, /* one word, or alternatives */
  PADDOCK_TOKEN_REGEX,     /* an anchored regular expression */
} PaddockTokenKind;

typedef struct
{
  PaddockTokenKind kind;
  char **words;
  GRegex *regex;
} PaddockPatternToken;

typedef enum
{
  PADDOCK_PATH_ACCESS_READ  = 1 << 0,
  PADDOCK_PATH_ACCESS_WRITE = 1 << 1,
} PaddockPathAccess;

typedef struct _PaddockRule PaddockRule;

/* Plain data; every field is public and owned by the rule. */
struct _PaddockRule
{
  /*< private >*/
  gatomicrefcount ref_count;

  /*< public >*/
  PaddockRuleKind kind;
  PaddockLayer layer;
  PaddockVerdict verdict;
  char *source;            /* file path, URL or "gsettings:KEY" */
  guint line;              /* 1-based; 0 when unknown */
  guint column;            /* 1-based; 0 when unknown */
  char *text;              /* the rule as written */
  char *reason;            /* nullable */
  gboolean grant_once;     /* "grant": "once": ask every time */
  gboolean review_human;   /* "review": "human": skip the reviewer */

  /* PADDOCK_RULE_COMMAND: token prefix; tokens[0] is the program */
  PaddockPatternToken *tokens;
  guint n_tokens;
  char **when_any;         /* applies only if an argument is one of these */
  char **unless_any;       /* never applies if an argument is one of these */
  gboolean stdin_pipe;     /* applies only when stdin is a pipe */
  char **host_paths;       /* Codex host_executable(): accepted full paths */

  /* PADDOCK_RULE_NETWORK */
  char *host;              /* "example.com", "*.x.org", "**.x.org", "10.0.0.0/8" */
  gboolean host_is_pattern;/* a session grant of a pattern rather than of one host */
  guint16 port;            /* 0: any port */
  char *protocol;          /* NULL: any protocol */

  /* PADDOCK_RULE_PATH */
  char *path;              /* absolute; or a bare name when path_is_name */
  gboolean path_is_name;   /* a protected name, matched at any depth */
  PaddockPathAccess access;

  /* PADDOCK_RULE_MCP */
  char *server;            /* "*" for any */
  char *tool;              /* NULL or "*" for any */
};

#define PADDOCK_TYPE_RULE (paddock_rule_get_type ())

GType        paddock_rule_get_type (void) G_GNUC_CONST;
PaddockRule *paddock_rule_new      (PaddockRuleKind  kind,
                                    PaddockLayer     layer,
                                    PaddockVerdict   verdict);
PaddockRule *paddock_rule_ref      (PaddockRule     *rule);
void         paddock_rule_unref    (PaddockRule     *rule);

void         paddock_rule_set_source (PaddockRule *rule,
                                      const char  *source,
                                      guint        line,
                                      guint        column);

/* Appends a token of alternatives (a NULL-terminated array, copied). */
void         paddock_rule_add_words  (PaddockRule        *rule,
                                      const char * const *words);
/* Takes ownership of @regex. */
void         paddock_rule_add_regex  (PaddockRule *rule,
                                      GRegex      *regex);

/* "file:line:col", "URL" or "gsettings:KEY"; newly allocated. */
char        *paddock_rule_dup_location (const PaddockRule *rule);

/* The rule text on one line, whitespace runs collapsed, and escaped for
 * display. */
char        *paddock_rule_dup_display_text (const PaddockRule *rule);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaddockRule, paddock_rule_unref)

G_END_DECLS
