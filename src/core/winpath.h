/* winpath.h: Windows paths as scripts write them, mapped to native paths.
**
** Scripts write C:\Windows\WinSxS, c:/x, %SystemRoot%\WinSxS, %windir%,
** %SystemDrive%, %ProgramData% or \\?\C:\...; native paths (/mnt/win/x,
** D:\x on Windows without a root, or below a root on a drive letter, as
** D:\ProgramData under --root D:\) pass through unchanged.
**
** With a root (--root DIR) the system drive C: is DIR: C:\Windows becomes
** DIR/Windows, the variables take their offline meaning (%SystemRoot% =
** %windir% = C:\Windows, %SystemDrive% = C:, %ProgramData% = C:\ProgramData)
** and other drive letters are an error. Below DIR the separator is the one
** DIR is spelled with (on Windows '/' when DIR has one, else native). "."
** and ".." are resolved and can never climb above DIR. Where the file
** system is case-sensitive (POSIX), each component is matched
** case-insensitively against what exists, so WinSxS finds winsxs; a
** component that does not exist keeps its spelling.
*/
#ifndef SXSFIX_WINPATH_H
#define SXSFIX_WINPATH_H

#include <stddef.h>

typedef struct sx_winpath {
  const char *root;   /* --root DIR (native), or NULL for the running system */
  char sep;           /* native separator */
  int fold_case;      /* resolve components case-insensitively on disk */
  int live_windows;   /* without a root, C:\ and %VARS% are the running system's */
} sx_winpath;

/* Defaults for this platform, with root (may be NULL). */
void sx_winpath_init(sx_winpath *wp, const char *root);

/* Map path to a native path, malloc'd in *out. Returns 0, or -1 with a
   message naming the path in err; under a root, SX_WINPATH_LINK when an
   existing component is a link (symlink, junction, mount point) that
   leads out of the root or nowhere: err names the link and its target.
   Links that stay inside the root are followed. */
#define SX_WINPATH_LINK (-2)
int sx_winpath_map(const sx_winpath *wp, const char *path, char **out, char *err, size_t errlen);

/* The same link check for a native path below the root (as fs.map or a
   walk returns them): 0, or SX_WINPATH_LINK with err filled. Paths not
   below the root (an update, a scripts folder) are not checked. */
int sx_winpath_check(const sx_winpath *wp, const char *path, char *err, size_t errlen);

/* Expand %SystemRoot%, %windir%, %SystemDrive%, %ProgramData% (offline
   meanings with a root, the environment otherwise); other %NAME% stay as
   written, as cmd.exe leaves unknown variables. malloc'd result, or NULL
   with a message in err when a known variable has no value here. */
char *sx_winpath_expand(const sx_winpath *wp, const char *s, char *err, size_t errlen);

/* Path helpers that accept both '\' and '/' and know drive letters. */
int sx_path_isabs(const char *p);           /* "C:\x", "\x", "/x", "\\srv\x" */
size_t sx_path_dirlen(const char *p);       /* length of the folder part, keeping a root ("C:\", "/") */
const char *sx_path_base(const char *p, size_t *len);  /* last component, trailing separators excluded */
/* The one path join of sxsfix (fs.join, the engines): b when a is empty, a
   when b is empty, else a + sep + b; b is taken as relative, whatever it
   looks like. malloc'd; NULL when out of memory.
   - dflt 0, native paths (the engines): sep is plat_sep(), b's '/' become
     it too (names from archives are '/'-separated), and a + sep is always
     where b starts (no sep is added only when a ends with plat_sep());
   - else script paths (fs.join) and '/'-relative paths (copy_join): sep is
     the separator a already uses ('/' first: a POSIX name may hold a '\';
     else dflt), b's '/' become '\' when it is '\', and no second separator
     follows one that ends a (or a drive "C:"). */
char *sx_path_join(const char *a, const char *b, char dflt);

#endif
