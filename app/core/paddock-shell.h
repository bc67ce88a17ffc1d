/* paddock-shell.h: split a shell script into simple commands, statically
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  PADDOCK_REDIR_READ,        /* <  */
  PADDOCK_REDIR_WRITE,       /* >, >|, &>, >& FILE */
  PADDOCK_REDIR_APPEND,      /* >>, &>> */
  PADDOCK_REDIR_READ_WRITE,  /* <> */
  PADDOCK_REDIR_DUP,         /* >&N, <&N, >&-, N>&M : no file involved */
  PADDOCK_REDIR_HEREDOC,     /* << and <<- : target is the body text */
  PADDOCK_REDIR_HERESTRING,  /* <<< : target is the word */
} PaddockRedirKind;

typedef struct
{
  PaddockRedirKind kind;
  int fd;            /* the redirected descriptor (default 0 or 1; -1 for &> forms meaning 1 and 2) */
  char *target;      /* file name after quote removal; heredoc body; dup target text */
  guint line, column;/* 1-based position of the operator in the script */
} PaddockShellRedir;

typedef struct
{
  char *construct;   /* short human name, e.g. "command substitution", "eval", "variable in command position" */
  guint line, column;/* 1-based */
} PaddockShellHazard;

typedef struct
{
  char **argv;          /* words after quote removal; may be empty (only assignments/redirections) */
  char **assignments;   /* leading NAME=VALUE words (after quote removal of the value) */
  GPtrArray *redirs;    /* PaddockShellRedir* */
  GPtrArray *hazards;   /* PaddockShellHazard*, found in this command */
  guint line, column;   /* where the command starts */
  gboolean stdin_pipe;  /* stdin comes from a previous pipeline stage, a here-document or a here-string */
} PaddockShellCommand;

/* Returns a GPtrArray of PaddockShellCommand* (free func set), in source order.
 * Fails only on syntax that cannot be tokenised (unterminated quote,
 * unterminated here-document, unbalanced parentheses, ...): PADDOCK_SHELL_ERROR_SYNTAX,
 * message naming line and column. */
GPtrArray *paddock_shell_parse (const char *script, GError **error);
void paddock_shell_command_free (PaddockShellCommand *command);

void paddock_shell_redir_free  (PaddockShellRedir  *redir);
void paddock_shell_hazard_free (PaddockShellHazard *hazard);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaddockShellCommand, paddock_shell_command_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaddockShellRedir, paddock_shell_redir_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaddockShellHazard, paddock_shell_hazard_free)

G_END_DECLS
