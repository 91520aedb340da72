/* regkey.c: freeing a registry key read, shared by both platforms. */
#include <stdlib.h>

#include "platform/platform.h"

void plat_regkey_free(plat_regkey *k) {
  for (size_t i = 0; i < k->nsubkeys; i++) free(k->subkeys[i]);
  for (size_t i = 0; i < k->nvalues; i++) {
    free(k->values[i].name);
    free(k->values[i].data);
  }
  free(k->subkeys);
  free(k->values);
  k->subkeys = NULL;
  k->values = NULL;
  k->nsubkeys = k->nvalues = 0;
}
