/* paddock-decision.h: a verdict with its complete provenance
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "paddock-action.h"
#include "paddock-rule.h"

G_BEGIN_DECLS

/* One rule that matched one part of the action. */
typedef struct
{
  PaddockRule *rule;
  guint part;          /* index into PaddockDecision.parts */
  gboolean applied;    /* FALSE when the rule was set aside */
  char *note;          /* why it was set aside; nullable */
} PaddockMatch;

/* One judged piece of the action: a simple command of a script, the
 * target of a redirection, a host, an MCP tool. */
typedef struct
{
  PaddockActionKind kind;
  char **argv;          /* what was judged, raw: the argv of a command; the
                         * path; host and port; MCP server and tool. It
                         * lives in the part's own allocation */
  char *subject;        /* display text when argv does not say it; nullable */
  guint command;        /* the simple command this part belongs to */
  PaddockVerdict verdict;
  PaddockRule *decisive;
  PaddockVerdict verdict_before_approval;
  char *approval_effect;/* nullable */
} PaddockDecisionPart;

typedef struct _PaddockDecision PaddockDecision;

struct _PaddockDecision
{
  /*< private >*/
  gatomicrefcount ref_count;

  /*< public >*/
  PaddockAction *action;
  PaddockVerdict verdict;
  PaddockRule *decisive;        /* never NULL; implicit decisions have pseudo-rules */
  PaddockApprovalMode approval_mode;
  char *approval_effect;        /* what the approval mode changed; nullable */
  gboolean review;              /* a prompt that the reviewer sees first */
  GPtrArray *parts;             /* PaddockDecisionPart* */
  GPtrArray *matched;           /* PaddockMatch*, every layer */
};

#define PADDOCK_TYPE_DECISION (paddock_decision_get_type ())

GType            paddock_decision_get_type (void) G_GNUC_CONST;
PaddockDecision *paddock_decision_new      (PaddockAction   *action);
PaddockDecision *paddock_decision_ref      (PaddockDecision *decision);
void             paddock_decision_unref    (PaddockDecision *decision);

const char      *paddock_decision_get_layer  (const PaddockDecision *decision);

/* The machine-readable form shared by `paddockctl check --json`, the
 * audit log and telemetry. */
JsonNode        *paddock_decision_to_json    (const PaddockDecision *decision);
/* The explanation a person reads. */
char            *paddock_decision_to_text    (const PaddockDecision *decision);

/* What the part is about, escaped for display ("git push", "/etc/x",
 * "example.com:443", "mcp github/create_issue"). Computed when asked: most
 * decisions are never shown. */
char            *paddock_decision_part_dup_subject (const PaddockDecisionPart *part);
void             paddock_decision_part_free  (PaddockDecisionPart *part);
void             paddock_match_free          (PaddockMatch        *match);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaddockDecision, paddock_decision_unref)

G_END_DECLS
