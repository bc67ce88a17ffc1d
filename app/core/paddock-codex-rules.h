/* paddock-codex-rules.h: Codex CLI execpolicy .rules files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "paddock-rule.h"
#include "paddock-types.h"

G_BEGIN_DECLS

/* Parses a Codex .rules file. @source names the file in messages and in
 * each rule's source; rules are appended to @rules (PaddockRule*) with
 * kind COMMAND or NETWORK, @layer set, line/column of the call, text = the
 * exact call text as written in the file, reason = justification.
 * On error nothing is appended.
 *
 * @rules receives one reference per rule, so it should free its elements
 * with paddock_rule_unref(). Errors are in PADDOCK_POLICY_ERROR: SYNTAX for
 * text outside the Starlark subset Paddock reads, INVALID for a value Codex
 * would refuse, EXAMPLE for a failing match/not_match example. */
gboolean paddock_codex_rules_parse (const char  *source,
                                    const char  *contents,
                                    gssize       length,
                                    PaddockLayer layer,
                                    GPtrArray   *rules,
                                    GError     **error);

G_END_DECLS
