/* fuzz_journal: the copy journal read back by a rollback. The harness fixes
   the dst, backup and root records to folders of its own (lines the input
   starts with "src", "dst", "backup" or "root" are dropped), then lets the input say what
   to undo. A rollback must never touch anything outside those folders: a
   sentinel file beside them must survive. The input's first "mount" line
   goes into the head, after the backup record ("mount @..." is the
   harness's folder followed by the rest): then the rollback runs
   under --root (the harness's folder), as if the volume had been mounted
   at that recorded root during the copy (remount.c). */
#include <string.h>

#include "core/copy_int.h"  /* journal_id: the journal format itself */
#include "fuzzutil.h"

static int pinned(const char *line, size_t k) {
  return (k >= 3 && !memcmp(line, "src", 3)) || (k >= 3 && !memcmp(line, "dst", 3)) ||
         (k >= 6 && !memcmp(line, "backup", 6)) || (k >= 4 && !memcmp(line, "root", 4));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n) {
  const char *t = fz_tmpdir();
  char *d = fz_join(t, "d"), *b = fz_join(t, "b"), *j = fz_join(t, "journal"), *sent = fz_join(t, "sentinel");
  char *text = malloc(n + 3 * strlen(t) + 128), *o = text;
  plat_err e;
  plat_mkdirs(d, &e);
  plat_mkdirs(b, &e);
  plat_info di;
  FZ_CHECK(plat_stat(d, 0, &di, &e) == 0, "%s", e.msg);
  char id[48];
  journal_id(&di, id, sizeof id);
  o += sprintf(o, "sxsfix-copy-journal 3\ndst %s\nbackup %s\n", d, b);
  char *head = o;  /* where a mount line goes */
  o += sprintf(o, "root  %s\n", id);
  int mount = 0;
  for (size_t i = 0; i < n;) {
    const uint8_t *nl = memchr(data + i, '\n', n - i);
    size_t k = nl ? (size_t)(nl - (data + i)) + 1 : n - i;
    if (!mount && nl && k > 6 && !memcmp(data + i, "mount ", 6)) {  /* into the head; "@" is the folder */
      int at = data[i + 6] == '@';
      size_t m = k + (at ? strlen(t) - 1 : 0);
      memmove(head + m, head, (size_t)(o - head));
      memcpy(head, "mount ", 6);
      if (at) memcpy(head + 6, t, strlen(t));
      memcpy(head + m - (k - 6 - at), data + i + 6 + at, k - 6 - at);
      o += m;
      mount = 1;
    } else if (!pinned((const char *)data + i, k)) { memcpy(o, data + i, k); o += k; }
    i += k;
  }
  fz_write(j, text, (size_t)(o - text));
  fz_write(sent, "x", 1);
  copy_rollback_stats st;
  if ((mount ? copy_rollback_in(j, t, &st, &e) : copy_rollback(j, &st, &e)) != 0) FZ_CHECK(e.msg[0] != '\0', "failure without a message");
  free(st.first_error);
  plat_info info;
  FZ_CHECK(plat_stat(sent, 1, &info, &e) == 0, "the rollback removed a file outside the destination");
  fz_only(t, "d", "b", "journal", "journal.rollback", "sentinel", NULL);  /* and the rollback's progress */
  char *pj = fz_join(t, "journal.rollback");
  plat_remove(pj, &e);
  fz_rmtree(d), fz_rmtree(b);
  free(d), free(b), free(j), free(sent), free(text), free(pj);
  return 0;
}
