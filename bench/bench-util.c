/* bench-util.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bench-util.h"

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

double
bench_quantile (GArray *values,
                double  q)
{
  g_array_sort (values, compare_doubles);
  return g_array_index (values, double, (guint) (q * (values->len - 1) + 0.5));
}

double
bench_median (GArray *values)
{
  return bench_quantile (values, 0.5);
}
