/* paddock-tripwire.h: what a run left in the workspace that the host
 * would run later
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define PADDOCK_TYPE_TRIPWIRE (paddock_tripwire_get_type ())

G_DECLARE_FINAL_TYPE (PaddockTripwire, paddock_tripwire, PADDOCK, TRIPWIRE, GObject)

/* Notes the files of @workspace that run on the host later (.envrc,
 * git hooks, nested repositories, Makefile, package.json scripts, …). */
PaddockTripwire *paddock_tripwire_new   (const char      *workspace);
/* What changed since: one line per file, saying what and why it
 * matters, e.g. "created .envrc (direnv runs it when you enter the
 * folder)". */
GStrv            paddock_tripwire_check (PaddockTripwire *self);

G_END_DECLS
