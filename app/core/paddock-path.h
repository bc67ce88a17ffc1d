/* paddock-path.h: resolving the paths an action names
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Expands "~" and "~/…" against @home, makes @path absolute against
 * @cwd, removes "." and ".." lexically and then resolves symbolic links
 * of the longest prefix that exists, so a link inside the workspace that
 * points at ~/.ssh is judged as ~/.ssh. Returns NULL when the path cannot
 * be known statically ("~user", a variable, an unknown @cwd). */
char     *paddock_path_resolve     (const char *path,
                                    const char *cwd,
                                    const char *home);

/* Lexical only: "~" expansion, absolute against @cwd, "." and ".."
 * removed. NULL when that is impossible. */
char     *paddock_path_normalize   (const char *path,
                                    const char *cwd,
                                    const char *home);

/* Whether @path is @root or lies below it (component-wise, both
 * absolute and normalised). */
gboolean  paddock_path_is_within   (const char *path,
                                    const char *root);

/* Whether the components of @relative appear, in order and adjacent,
 * among the components of @path below @root ("a/.git/x" holds ".git"). */
gboolean  paddock_path_has_components (const char *path,
                                       const char *root,
                                       const char *relative);

G_END_DECLS
