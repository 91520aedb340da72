/* main.c: the sxsfix entry point; the host and the Lua CLI do the rest. */
#include <stdio.h>

#include "host/host.h"
#include "platform/platform.h"

int main(int argc, char **argv) {
  if (plat_init(&argc, &argv) != 0) {
    fprintf(stderr, "sxsfix: cannot read the command line\n");
    return SX_EXIT_INTERNAL;
  }
  return host_main(argc, argv);
}
