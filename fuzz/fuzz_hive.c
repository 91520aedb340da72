/* fuzz_hive: registry hive files through the registry layer (hivex where
   built in): open, then read every key breadth-first (bounded), decoding
   string values as the bindings do. */
#include <string.h>

#include "core/reg.h"
#include "fuzzutil.h"

#define MAX_KEYS 500

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n) {
  char *file = fz_join(fz_tmpdir(), "hive");
  fz_write(file, data, n);
  plat_err e;
  plat_hive *h = plat_hive_open(file, &e);
  if (!h) {
    FZ_CHECK(e.msg[0] != '\0', "failure without a message");
    free(file);
    return 0;
  }
  char *queue[MAX_KEYS];
  size_t head = 0, tail = 0;
  queue[tail++] = strdup("");
  while (head < tail) {
    char *sub = queue[head++];
    plat_regkey k;
    int rc = sx_hive_read(h, sub, &k, &e);
    if (rc == 1) {
      for (size_t i = 0; i < k.nvalues; i++) {
        const plat_regvalue *v = &k.values[i];
        char tb[32];
        size_t len;
        FZ_CHECK(sx_reg_typename(v->type, tb, sizeof tb) != NULL, "no type name");
        char *s = sx_utf16le_to_utf8(v->data, v->len, &len);
        free(s);
      }
      for (size_t i = 0; i < k.nsubkeys && tail < MAX_KEYS; i++) {
        const char *name = k.subkeys[i];
        char *child = malloc(strlen(sub) + strlen(name) + 2);
        sprintf(child, "%s%s%s", sub, sub[0] ? "\\" : "", name);
        queue[tail++] = child;
      }
      plat_regkey_free(&k);
    } else if (rc < 0) {
      FZ_CHECK(e.msg[0] != '\0', "failure without a message");
    }
  }
  for (size_t i = 0; i < tail; i++) free(queue[i]);
  plat_hive_close(h);
  free(file);
  return 0;
}
