/* bench-util.h: what the benchmarks share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Sorts @values (double) and returns the value at @q (0 to 1). */
double bench_quantile (GArray *values,
                       double  q);
/* The median of @values (double), sorting them. */
double bench_median   (GArray *values);

G_END_DECLS
