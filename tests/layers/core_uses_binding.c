/* A core engine that includes a binding's header: must not compile. */
#include "lua/modules.h"
int layer_probe(void) { return 0; }
