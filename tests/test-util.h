/* test-util.h: helpers shared by the tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <string.h>

#include <json-glib/json-glib.h>

#include "paddock-policy.h"

G_BEGIN_DECLS

/* A fresh folder under the test's temporary directory, removed with
 * everything in it when the test program exits. */
char          *test_make_dir        (const char *name);
void           test_remove_tree     (const char *path);
/* Raises the soft limit on open descriptors to @wanted, or skips the
 * test and returns FALSE. */
gboolean       test_raise_fd_limit  (guint       wanted);
/* Whether bwrap can make a sandbox here; @why says why not. */
gboolean       test_sandbox_usable  (char      **why);
/* Writes @contents to @dir/@name (creating folders) and returns the path. */
char          *test_write_file      (const char *dir,
                                     const char *name,
                                     const char *contents);

/* Builds a policy for @workspace from pairs of (PaddockLayer, JSON text),
 * ended by -1. Each document is named "LAYER.json". */
/* Our environment, with HOME at @base and Paddock's folders (config,
 * state, cache, runtime, etc) made under it. */
char         **test_environment     (const char *base);
/* The first column of the first row @sql gives in the audit store of
 * the folders test_environment() made under @base, or NULL. */
char          *test_store_query     (const char *base,
                                     const char *sql);
/* Whether any file under @dir (links not followed) holds @needle. */
gboolean       test_tree_contains   (const char *dir,
                                     const char *needle);

/* The steps a scripted client printed, one JSON object a line with its
 * "step": name → JsonObject. */
GHashTable    *test_steps_parse     (const char *output);
/* The step @name; fails the test when the client never reported it. */
JsonObject    *test_step            (GHashTable *steps,
                                     const char *name);

PaddockPolicy *test_policy_new      (const char *workspace,
                                     const char *home,
                                     ...);
/* Same, with the shipped defaults added as the defaults layer. */
PaddockPolicy *test_policy_new_with_defaults (const char *workspace,
                                              const char *home,
                                              ...);

PaddockDecision *test_check_argv    (PaddockPolicy      *policy,
                                     const char * const *argv);
/* bash -c SCRIPT */
PaddockDecision *test_check_script  (PaddockPolicy      *policy,
                                     const char         *script);

#define test_assert_verdict(decision, expected)                                 \
  G_STMT_START {                                                                \
    const PaddockDecision *_d = (decision);                                     \
    if (_d->verdict != (expected))                                              \
      {                                                                         \
        g_autofree char *_text = paddock_decision_to_text (_d);                 \
        g_test_message ("%s", _text);                                           \
      }                                                                         \
    g_assert_cmpstr (paddock_verdict_to_string (_d->verdict), ==,               \
                     paddock_verdict_to_string (expected));                     \
  } G_STMT_END

G_END_DECLS
