/* fuzz_winpath: Windows paths as scripts write them (drive letters, %vars%,
   \\?\, UNC, '.', '..') mapped below a --root: the result must stay below
   the root. The path helpers must stay within their string. */
#include <ctype.h>
#include <string.h>

#include "core/winpath.h"
#include "platform/platform.h"
#include "fuzzutil.h"

static char *root;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n) {
  if (n < 1) return 0;
  if (!root) {
    root = fz_join(fz_tmpdir(), "root");
    char *w = fz_join(root, "Windows"), *sxs = fz_join(w, "WinSxS");
    plat_err e;
    plat_mkdirs(sxs, &e);
    free(w), free(sxs);
  }
  int flags = data[0];
  char *path = fz_cstr(data + 1, n - 1);
  sx_winpath wp;
  sx_winpath_init(&wp, (flags & 1) ? root : NULL);
  wp.fold_case = (flags >> 1) & 1;
  char *out = NULL, err[512];
  if (sx_winpath_map(&wp, path, &out, err, sizeof err) == 0) {
    if ((flags & 1) && path[0] != '/') {   /* native paths pass through by design */
      size_t rl = strlen(root);
      int below = !strncmp(out, root, rl) && (out[rl] == '\0' || out[rl] == '/');
      /* only native paths (/x, relative) may stay outside the root */
      FZ_CHECK(below || (out[0] != '\\' && !(isalpha((unsigned char)out[0]) && out[1] == ':')),
               "'%s' mapped outside the root: '%s'", path, out);
      if (!below) rl = strlen(out);
      for (const char *c = out + rl; *c; c++)
        FZ_CHECK(!(c[0] == '/' && c[1] == '.' && c[2] == '.' && (c[3] == '/' || !c[3])),
                 "'%s' mapped to '%s' keeps a '..'", path, out);
    }
    free(out);
  } else {
    FZ_CHECK(err[0] != '\0' && out == NULL, "failure without a message");
  }
  char *x = sx_winpath_expand(&wp, path, err, sizeof err);
  free(x);
  size_t len = strlen(path), bl;
  FZ_CHECK(sx_path_dirlen(path) <= len, "dirlen past the end");
  const char *b = sx_path_base(path, &bl);
  FZ_CHECK(b >= path && b + bl <= path + len, "base outside the string");
  (void)sx_path_isabs(path);
  size_t half = len / 2;
  char *a = fz_cstr((const uint8_t *)path, half);
  char *j = sx_path_join(a, path + half, (flags & 4) ? '\\' : '/');
  FZ_CHECK(j != NULL, "join failed");
  free(j), free(a), free(path);
  return 0;
}
