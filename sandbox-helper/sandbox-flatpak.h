/* sandbox-flatpak.h: running inside Flatpak, through flatpak-spawn
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sandbox-spec.h"

G_BEGIN_DECLS

/* Whether we run inside Flatpak: @root/.flatpak-info exists. */
gboolean  sandbox_flatpak_detect            (const char         *root);
/* Whether flatpak-spawn can carry @spec faithfully; if not,
 * SANDBOX_ERROR_SPEC says why (a command that is empty or starts with
 * "-", an environment entry that is not NAME=VALUE). */
gboolean  sandbox_flatpak_check_spec        (const SandboxSpec  *spec,
                                             GError            **error);
/* The flatpak-spawn command line for @spec: "flatpak-spawn --sandbox …
 * -- COMMAND…", with the workspace and writable roots exposed with
 * --sandbox-expose-path, read-only where the mode says so. NULL in
 * full-access mode (the caller runs the command itself) and for a spec
 * that sandbox_flatpak_check_spec() refuses. */
GStrv     sandbox_flatpak_build_argv        (const SandboxSpec  *spec);
/* What this mode cannot give that the bwrap sandbox gives, one line
 * each, for the person to read; each line completes "the sandbox
 * cannot …". */
GStrv     sandbox_flatpak_missing_features  (const SandboxSpec  *spec);

G_END_DECLS
