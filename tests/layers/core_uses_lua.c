/* A core engine that includes a Lua header: must not compile (see test_layers.sh). */
#include "lua.h"
int layer_probe(void) { return LUA_OK; }
