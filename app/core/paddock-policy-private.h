/* paddock-policy-private.h: shared by paddock-policy*.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "paddock-host.h"
#include "paddock-policy.h"

G_BEGIN_DECLS

typedef struct _CommandNode CommandNode;

typedef struct
{
  const PaddockPatternToken *token;
  CommandNode *child;
} CommandEdge;

/* A trie over argv tokens: the cost of matching grows with the length
 * of the command, not with the number of rules. */
struct _CommandNode
{
  GHashTable *words;     /* word → GPtrArray of CommandEdge* */
  GPtrArray *regexes;    /* CommandEdge* with a regex token */
  GPtrArray *edges;      /* every edge, owned */
  GPtrArray *rules;      /* PaddockRule* ending here */
};

typedef struct
{
  PaddockRule *rule;
  PaddockHostPattern *pattern; /* NULL: every host */
} NetworkEntry;

typedef struct
{
  PaddockRule *rule;
  char *path;                  /* resolved, absolute */
} PathEntry;

struct _PaddockPolicy
{
  GObject parent_instance;

  char *workspace;
  char *home;
  GPtrArray *documents;
  GPtrArray *notes;

  /* Commands */
  GHashTable *programs;        /* basename → CommandNode* */
  GPtrArray *program_regexes;  /* PaddockRule* whose program is a regex */

  /* Network */
  GHashTable *hosts_exact;     /* canonical name → GPtrArray of NetworkEntry* */
  GHashTable *hosts_wild;      /* base name → GPtrArray of NetworkEntry* */
  GPtrArray *hosts_other;      /* IP, CIDR and every-host entries */
  GPtrArray *network_entries;  /* every NetworkEntry, owned */

  /* Paths */
  GPtrArray *hidden;           /* PathEntry*: deny_read */
  GPtrArray *protected_names;  /* PaddockRule*: protected */
  GPtrArray *writable;         /* PathEntry*: writable roots, workspace first */

  /* MCP and fail-closed rules */
  GPtrArray *mcp_rules;
  GPtrArray *any_rules;

  /* Resolved settings */
  PaddockSandboxMode sandbox_mode;
  PaddockApprovalMode approval_mode;
  PaddockNetworkMode network_mode;
  gboolean personal_allow_rules;
  const PaddockSetting *personal_allow_setting;

  /* Pseudo-rules for decisions no written rule made */
  PaddockRule *implicit_exec;
  PaddockRule *implicit_unsandboxed;
  PaddockRule *implicit_write_outside;
  PaddockRule *implicit_write_readonly;
  PaddockRule *implicit_write_full;
  PaddockRule *implicit_read;
  PaddockRule *implicit_network;
  PaddockRule *implicit_mcp;
  /* The managed layer's mcp.allow entries make an allowlist: anything
   * else is forbidden by this rule. NULL when it lists none. */
  PaddockRule *mcp_allowlist;
  GPtrArray *mcp_managed_allow;  /* PaddockRule*: those entries */
};

/* State of one evaluation. */
typedef struct
{
  PaddockPolicy *policy;
  PaddockDecision *decision;
  PaddockGrants *grants;
  guint n_commands;
  const char *cwd;             /* where the action starts */
  GPtrArray *cwds;             /* after a cd: every directory the script may be
                                * in, cwd first; a NULL entry: unknown. NULL
                                * until the first cd. */
} Evaluation;

/* Facts about one simple command beyond its argv. */
typedef struct
{
  const char * const *assignments;
  GPtrArray *redirs;           /* PaddockShellRedir*, nullable */
  GPtrArray *hazards;          /* PaddockShellHazard*, nullable */
  gboolean stdin_pipe;         /* reads a pipe */
  gboolean stdin_heredoc;      /* reads a here-document or here-string */
  gboolean unknown_args;       /* more arguments arrive at run time (xargs) */
  guint depth;                 /* nesting of shells and wrappers */
} CommandContext;

/* paddock-policy.c */
PaddockDecisionPart *_paddock_policy_judge_command (Evaluation          *ev,
                                                    guint                command,
                                                    const char * const  *argv,
                                                    const CommandContext *context,
                                                    GPtrArray           *floors);
void                 _paddock_policy_judge_path    (Evaluation          *ev,
                                                    guint                command,
                                                    PaddockActionKind    kind,
                                                    const char          *path,
                                                    gboolean             only_if_matched);
PaddockRule         *_paddock_policy_new_floor     (const char          *what,
                                                    const char          *reason,
                                                    PaddockVerdict       verdict);

/* paddock-policy-exec.c */
void                 _paddock_policy_evaluate_exec (Evaluation          *ev,
                                                    const char * const  *argv,
                                                    const CommandContext *context);

G_END_DECLS
