/* fuzz_hostile: a copy and its rollback while a hostile writer acts at
   random journal records: it swaps a folder of the destination for a link
   to a folder outside, swaps a file for a link to a file outside, creates
   files, and opens folders to everyone. Nothing outside the destination is
   ever written: the outside folder keeps exactly its one file, unchanged. */
#include <string.h>

#include "core/copy.h"
#include "fuzzutil.h"

static const char *D, *OUT, *SENT;
static const uint8_t *acts;
static size_t nacts;
static int seen;

/* 1 when a folder between D and p is a link: the writer's own path calls
   would follow it (its writes outside would not be the engine's). */
static int through_link(const char *p) {
  char *q = strdup(p);
  int link = 0;
  for (char *sl = strrchr(q, '/'); sl && sl - q > (long)strlen(D); sl = strrchr(q, '/')) {
    *sl = '\0';
    plat_info st;
    plat_err e;
    if (plat_stat(q, 0, &st, &e) == 0 && st.type == PLAT_LINK) link = 1;
  }
  free(q);
  return link;
}

/* The writer: at checkpoint number acts[2i] % 16, action acts[2i+1]. */
static int hostile(const char *verb, const char *rel) {
  (void)verb;
  seen++;
  for (size_t i = 0; i + 1 < nacts; i += 2) {
    if (acts[i] % 16 != seen) continue;
    plat_err e;
    char *p = *rel ? fz_join(D, rel) : strdup(D);
    if (through_link(p)) { free(p); continue; }
    char *parent = strdup(p), *sl = strrchr(parent, '/');
    if (sl && strlen(parent) > strlen(D)) *sl = '\0';
    char *aside = malloc(strlen(parent) + 16);
    sprintf(aside, "%s.moved%d", parent, seen);
    switch (acts[i + 1] % 4) {
      case 0:  /* the item's folder becomes a link to the outside */
        if (strcmp(parent, D) != 0 && plat_rename(parent, aside, &e) == 0) plat_symlink(OUT, parent, &e);
        break;
      case 1: { /* the item itself becomes a link to the outside file */
        if (!*rel) break;
        char *a2 = malloc(strlen(p) + 16);
        sprintf(a2, "%s.moved%d", p, seen);
        if (plat_rename(p, a2, &e) == 0 || plat_is_notfound(e.code)) plat_symlink(SENT, p, &e);
        free(a2);
        break;
      }
      case 2:  /* a file where the copy is about to write */
        plat_write_file(p, "theirs", 6, &e);
        break;
      case 3: { /* the folder opened to everyone */
        plat_meta m;
        if (plat_meta_get(parent, PLAT_META_OWNER, &m, &e) == 0) {
          m.mode = (m.mode & ~07777u) | 0777;
          plat_meta_set(parent, PLAT_META_OWNER, &m, &e);
          plat_meta_free(&m);
        }
        break;
      }
    }
    free(aside);
    free(parent);
    free(p);
  }
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n) {
  if (n < 10) return 0;
  const char *t = fz_tmpdir();
  char *s = fz_join(t, "s"), *d = fz_join(t, "d"), *b = fz_join(t, "b"), *out = fz_join(t, "out");
  char *sent = fz_join(out, "sentinel"), *j = fz_join(b, "journal.txt");
  D = d, OUT = out, SENT = sent;
  acts = data + 1;
  nacts = 8;
  seen = 0;
  size_t cut = (n - 9) * data[0] / 256;
  const uint8_t *dd = data + 9, *sd = data + 9 + cut;
  size_t dn = cut, sn = n - 9 - cut;
  fz_tree(d, &dd, &dn);
  fz_tree(s, &sd, &sn);
  plat_err e;
  plat_mkdirs(out, &e);
  fz_write(sent, "outside", 7);
  char *before = fz_snapshot(out);
  copy_os.checkpoint = hostile;
  copy_opts o = {0};
  o.backup = b;
  copy_plan p;
  copy_summary sum;
  if (copy_plan_build(s, d, &o, &p, &e) == 0) {
    copy_apply(s, d, &o, &p, &sum, &e);
    copy_plan_free(&p);
    copy_rollback_stats rs;
    plat_info st;
    if (plat_stat(j, 0, &st, &e) == 0 && copy_rollback(j, &rs, &e) == 0) free(rs.first_error);
  }
  copy_os.checkpoint = NULL;
  char *after = fz_snapshot(out);
  FZ_CHECK(strcmp(before, after) == 0, "written outside the destination:\n--- before\n%s--- after\n%s", before, after);
  fz_only(t, "s", "d", "b", "out", NULL);
  free(before), free(after);
  fz_rmtree(s), fz_rmtree(d), fz_rmtree(b), fz_rmtree(out);
  free(s), free(d), free(b), free(out), free(sent), free(j);
  return 0;
}
