/* The control: what a core engine may include compiles. */
#include "core/copy.h"
#include "platform/platform.h"
int layer_probe(void) { return (int)sizeof(copy_plan); }
