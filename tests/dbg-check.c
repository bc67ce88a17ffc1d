#include "config.h"
#include "test-util.h"
int main (int argc, char **argv) {
  g_autofree char *ws = test_make_dir ("ws");
  g_autoptr(PaddockPolicy) p = test_policy_new_with_defaults (ws, g_get_home_dir (), -1);
  const char *a[] = { "bash", "-c", argv[1], NULL };
  g_autoptr(PaddockDecision) d = test_check_argv (p, a);
  g_autofree char *t = paddock_decision_to_text (d);
  g_print ("%s", t);
  return 0;
}
