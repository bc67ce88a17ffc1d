/* paddock-action.h: something an agent wants to do
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "paddock-types.h"

G_BEGIN_DECLS

typedef struct _PaddockAction PaddockAction;

struct _PaddockAction
{
  /*< private >*/
  gatomicrefcount ref_count;

  /*< public >*/
  PaddockActionKind kind;
  char **argv;         /* EXEC */
  char *cwd;           /* EXEC, READ, WRITE: base of relative paths */
  gboolean unsandboxed;/* EXEC: asks to run outside the sandbox */
  char *path;          /* READ, WRITE */
  char *host;          /* NET, as given */
  guint16 port;        /* NET; 0 when unknown */
  char *protocol;      /* NET; NULL when unknown */
  char *server;        /* MCP */
  char *tool;          /* MCP; NULL for the server as a whole */
};

#define PADDOCK_TYPE_ACTION (paddock_action_get_type ())

GType          paddock_action_get_type  (void) G_GNUC_CONST;
PaddockAction *paddock_action_new_exec  (const char * const *argv,
                                         const char         *cwd);
PaddockAction *paddock_action_new_path  (PaddockActionKind   kind,
                                         const char         *path,
                                         const char         *cwd);
PaddockAction *paddock_action_new_net   (const char         *host,
                                         guint16             port,
                                         const char         *protocol);
PaddockAction *paddock_action_new_mcp   (const char         *server,
                                         const char         *tool);
PaddockAction *paddock_action_ref       (PaddockAction      *action);
void           paddock_action_unref     (PaddockAction      *action);

/* A one-line description for people, with every control, bidirectional
 * and zero-width character escaped. */
char          *paddock_action_to_display (const PaddockAction *action);

/* Escapes what a terminal or a label would hide or reorder: C0/C1
 * controls, DEL, bidirectional overrides and isolates, zero-width and
 * other invisible characters, and invalid UTF-8. */
char          *paddock_escape_for_display (const char *text);
/* Whether @text holds a character that hides or reorders what a person
 * reads: everything paddock_escape_for_display() escapes but the line
 * feed and the tab. */
gboolean       paddock_text_has_hidden_characters (const char *text);
/* Escaped line by line: the line feeds stay, to keep a trace's or an
 * output's shape. */
char          *paddock_escape_keeping_lines (const char *text);
/* Runs of blanks and line breaks made one space, then escaped: a rule
 * as written, on one line. */
char          *paddock_escape_as_one_line (const char *text);
/* argv joined the way a shell would read it back, escaped for display. */
char          *paddock_argv_to_display (const char * const *argv);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaddockAction, paddock_action_unref)

G_END_DECLS
