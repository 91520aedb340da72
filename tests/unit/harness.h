/* harness.h: shared helpers for the cmocka unit tests. */
#ifndef SXSFIX_HARNESS_H
#define SXSFIX_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

/* A fresh temporary folder for one test (group state), removed afterwards. */
int th_tempdir_setup(void **state);
int th_tempdir_teardown(void **state);

/* "dir/name" with the platform's separator, in a static rotating buffer. */
const char *th_join(const char *dir, const char *name);

/* Write text to root/rel (its folders made) with modification time mtime
   (ns); the test fails when it cannot. */
void th_put(const char *root, const char *rel, const char *text, int64_t mtime);
/* The contents of root/rel (malloc'd), or NULL when it cannot be read. */
char *th_get(const char *root, const char *rel);

/* 1 when the tests run under Wine (the runner sets SXSFIX_EXPECT_WINE=1). */
int th_expect_wine(void);

/* Path of a file or folder under ../shared/testdata (SXSFIX_TESTDATA), or
   NULL when it is absent; TH_TESTDATA skips the test with a message then. */
const char *th_testdata(const char *rel);
#define TH_TESTDATA(var, rel) do { \
    if (!((var) = th_testdata(rel))) { \
      print_message("SKIP: test data %s is absent (../shared/testdata)\n", rel); \
      skip(); \
    } \
  } while (0)

/* Skip the current test under Wine, printing why (Wine fakes or stubs some
   APIs: BackupRead, FindFirstStreamW, SetSecurityInfo, ...). */
#define TH_SKIP_UNDER_WINE(reason) do { \
    if (th_under_wine()) { \
      print_message("SKIP under Wine: %s\n", reason); \
      skip(); \
    } \
  } while (0)

/* 1 when this process runs under Wine (ntdll!wine_get_version). */
int th_under_wine(void);

#endif
