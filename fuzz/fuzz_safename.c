/* fuzz_safename: archive entry names -> relative destination paths. A name
   accepted must be relative, '/'-separated, free of '.', '..', ':',
   control characters and device names, and accepted again unchanged. */
#include <string.h>

#include "core/safename.h"
#include "fuzzutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n) {
  char *name = fz_cstr(data, n);
  char out[4096], again[4096];
  size_t outlen = n && data[0] < 16 ? (size_t)data[0] * 17 + 1 : sizeof out;  /* small buffers too */
  const char *why = sx_safename(name, out, outlen);
  if (!why) {
    size_t len = strlen(out);
    FZ_CHECK(len < outlen, "output overran its buffer");
    FZ_CHECK(len > 0 && out[0] != '/', "'%s' is not relative", out);
    FZ_CHECK(!strchr(out, '\\') && !strchr(out, ':'), "'%s' keeps a '\\' or ':'", out);
    for (const char *c = out; *c; c++)
      FZ_CHECK((unsigned char)*c >= 0x20 && *c != 0x7f, "control character in '%s'", out);
    for (const char *c = out; c;) {
      const char *end = strchr(c, '/');
      size_t k = end ? (size_t)(end - c) : strlen(c);
      FZ_CHECK(k > 0 && !(k == 1 && c[0] == '.') && !(k == 2 && c[0] == '.' && c[1] == '.'),
               "'%s' has an empty, '.' or '..' component", out);
      c = end ? end + 1 : NULL;
    }
    FZ_CHECK(sx_safename(out, again, sizeof again) == NULL && !strcmp(out, again),
             "'%s' is not accepted unchanged a second time", out);
  } else {
    FZ_CHECK(why[0] != '\0', "empty reason");
  }
  free(name);
  return 0;
}
