/*
** copylib.c: module sxsfix.copy, the ACL-preserving copy (src/core/copy.h).
** Argument checking and marshalling only.
*/
#include <stdlib.h>
#include <string.h>

#include "lauxlib.h"

#include "core/authenticode.h"
#include "core/copy.h"
#include "lua/modules.h"

static const char *const allowed[] = { "at_boot", "backup", "compare", "journal", "security", "service", "sha256", "verify", NULL };

/* opts.sha256 = { [rel] = hex }: every file copied must be listed and have
   that SHA-256 when its bytes are copied (the files a signature covered). */
typedef struct expect_entry { const char *rel, *hex; } expect_entry;
typedef struct expect {
  const char *src;
  size_t n;
  expect_entry e[];
} expect;

static int entry_cmp(const void *a, const void *b) {
  return strcmp(((const expect_entry *)a)->rel, ((const expect_entry *)b)->rel);
}

static int check_sha256(void *ud, const char *rel, plat_file *f, plat_err *e) {
  const expect *x = ud;
  expect_entry key = { rel, NULL }, *hit = bsearch(&key, x->e, x->n, sizeof key, entry_cmp);
  char hex[65];
  if (!hit) {
    e->code = plat_errcode(PLAT_E_INVAL);
    snprintf(e->msg, sizeof e->msg, "%s/%s: not covered by the verified signature", x->src, rel);
    return -1;
  }
  if (sx_fhash(f, rel, "sha256", hex, sizeof hex, e) != 0) return -1;
  if (strcmp(hex, hit->hex) != 0) {
    e->code = plat_errcode(PLAT_E_INVAL);
    snprintf(e->msg, sizeof e->msg, "%s/%s: changed since its signature was verified", x->src, rel);
    return -1;
  }
  return 0;
}

/* The table at idx into a sorted expect (a userdata pushed on the stack,
   alive for the call; its strings stay in the table). */
static void check_expect(lua_State *L, int idx, int arg, copy_opts *o) {
  size_t n = 0;
  luaL_argcheck(L, lua_type(L, idx) == LUA_TTABLE, arg, "sha256 must be a table of path = hex");
  for (lua_pushnil(L); lua_next(L, idx); lua_pop(L, 1)) n++;
  expect *x = lua_newuserdatauv(L, sizeof *x + n * sizeof x->e[0], 0);
  x->src = "";
  x->n = 0;
  for (lua_pushnil(L); lua_next(L, idx); lua_pop(L, 1)) {
    size_t hl = 0;
    const char *hex = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, &hl) : NULL;
    luaL_argcheck(L, lua_type(L, -2) == LUA_TSTRING && hex && hl == 64, arg,
                  "sha256 must map paths to 64 hex digits");
    x->e[x->n].rel = lua_tostring(L, -2);
    x->e[x->n++].hex = hex;
  }
  qsort(x->e, x->n, sizeof x->e[0], entry_cmp);
  o->check = check_sha256;
  o->check_ud = x;
}

/* Options table at arg (optional) into o; unknown keys raise. */
static int check_opts(lua_State *L, int arg, copy_opts *o) {
  memset(o, 0, sizeof *o);
  int verify = 0;
  if (lua_isnoneornil(L, arg)) return 0;
  luaL_checktype(L, arg, LUA_TTABLE);
  lua_pushnil(L);
  while (lua_next(L, arg)) {
    lua_pop(L, 1);
    const char *k = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
    int known = 0;
    for (int i = 0; k && allowed[i]; i++) known |= strcmp(k, allowed[i]) == 0;
    if (!known) return luaL_argerror(L, arg, lua_pushfstring(L, "unknown option '%s'", k ? k : luaL_typename(L, -1)));
  }
  lua_getfield(L, arg, "compare");
  o->compare = lua_toboolean(L, -1);
  lua_getfield(L, arg, "verify");
  verify = lua_toboolean(L, -1);
  lua_getfield(L, arg, "at_boot");
  o->at_boot = lua_toboolean(L, -1);
  lua_pop(L, 3);
  lua_getfield(L, arg, "service");  /* the string stays referenced by the options table */
  luaL_argcheck(L, lua_isnil(L, -1) || (lua_type(L, -1) == LUA_TSTRING && *lua_tostring(L, -1)), arg,
                "service must be a service's name");
  o->service = lua_tostring(L, -1);
  lua_pop(L, 1);
  /* The paths go through sx_checkpath (Windows paths, --root) in slots
     arg+1..arg+3, which keep them alive for the call. */
  lua_settop(L, arg);
  lua_getfield(L, arg, "backup");
  lua_getfield(L, arg, "journal");
  lua_getfield(L, arg, "security");
  if (!lua_isnil(L, arg + 1)) {
    luaL_argcheck(L, lua_type(L, arg + 1) == LUA_TSTRING && *lua_tostring(L, arg + 1), arg,
                  "backup must be a folder path");
    o->backup = sx_checkpath(L, arg + 1);
  }
  if (!lua_isnil(L, arg + 2)) {
    luaL_argcheck(L, lua_type(L, arg + 2) == LUA_TSTRING && *lua_tostring(L, arg + 2), arg,
                  "journal must be a file path");
    o->journal = sx_checkpath(L, arg + 2);
  }
  if (!lua_isnil(L, arg + 3)) {
    const char *s = lua_tostring(L, arg + 3);
    luaL_argcheck(L, s && (strcmp(s, "source") == 0 || (strncmp(s, "template:", 9) == 0 && s[9])),
                  arg, "security must be \"source\" or \"template:PATH\"");
    if (s[0] == 't') {
      lua_pushstring(L, s + 9);
      lua_replace(L, arg + 3);
      o->template = sx_checkpath(L, arg + 3);
    }
  }
  lua_getfield(L, arg, "sha256");  /* arg + 4, then the expect at arg + 5 */
  if (!lua_isnil(L, arg + 4)) check_expect(L, arg + 4, arg, o);
  return verify;
}

static void setint(lua_State *L, const char *k, uint64_t v) {
  lua_pushinteger(L, (lua_Integer)v);
  lua_setfield(L, -2, k);
}

static const char *type_name(plat_type t) {
  return t == PLAT_DIR ? "dir" : t == PLAT_FILE ? "file" : t == PLAT_LINK ? "link" : "other";
}

static void push_items(lua_State *L, const copy_plan *p) {
  lua_createtable(L, (int)p->n, 0);
  for (size_t i = 0; i < p->n; i++) {
    const copy_item *it = &p->items[i];
    lua_createtable(L, 0, 7);
    lua_pushstring(L, it->rel);
    lua_setfield(L, -2, "path");
    lua_pushstring(L, type_name(it->type));
    lua_setfield(L, -2, "type");
    lua_pushstring(L, copy_action_name(it->action));
    lua_setfield(L, -2, "action");
    lua_pushstring(L, it->reason);
    lua_setfield(L, -2, "reason");
    setint(L, "size", it->size);
    if (it->done) { lua_pushboolean(L, 1); lua_setfield(L, -2, "done"); }
    if (it->failed) { lua_pushboolean(L, 1); lua_setfield(L, -2, "failed"); }
    if (it->error) { lua_pushstring(L, it->error); lua_setfield(L, -2, "error"); }
    if (it->pending) { lua_pushstring(L, it->pending); lua_setfield(L, -2, "pending"); }
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
}

/* copy.plan (src, dst [, opts]) -> items | nil, msg, code */
static int copy_plan_(lua_State *L) {
  plat_err pe;  /* a link out of --root on either path: nil, msg, code */
  const char *src = sx_trypath(L, 1, &pe), *dst = src ? sx_trypath(L, 2, &pe) : NULL;
  if (!dst) return sx_pushfail(L, &pe);
  copy_opts o;
  check_opts(L, 3, &o);
  copy_plan p;
  plat_err e;
  if (copy_plan_build(src, dst, &o, &p, &e) != 0) return sx_pushfail(L, &e);
  push_items(L, &p);
  copy_plan_free(&p);
  return 1;
}

static void push_count(lua_State *L, const char *name, const copy_count *c) {
  lua_createtable(L, 0, 6);
  setint(L, "total", c->total);
  setint(L, "copied", c->copied);
  setint(L, "skipped", c->skipped);
  setint(L, "mismatch", c->mismatch);
  setint(L, "failed", c->failed);
  setint(L, "extras", c->extras);
  lua_setfield(L, -2, name);
}

/* copy.apply (src, dst, opts) -> summary | nil, msg, code
   opts.backup is required; summary = { dirs, files, bytes, items, pending, verify_failed? };
   opts.at_boot: a file in use is replaced at the next boot (its item's
   pending is the replacement's name beside it) */
static int copy_apply_(lua_State *L) {
  plat_err pe;  /* a link out of --root on either path: nil, msg, code */
  const char *src = sx_trypath(L, 1, &pe), *dst = src ? sx_trypath(L, 2, &pe) : NULL;
  if (!dst) return sx_pushfail(L, &pe);
  copy_opts o;
  int verify = check_opts(L, 3, &o);
  luaL_argcheck(L, o.backup != NULL, 3, "backup (a folder) is required");
  if (o.check_ud) ((expect *)o.check_ud)->src = src;
  copy_plan p;
  copy_summary s;
  plat_err e;
  if (copy_plan_build(src, dst, &o, &p, &e) != 0) return sx_pushfail(L, &e);
  if (copy_apply(src, dst, &o, &p, &s, &e) != 0) {
    copy_plan_free(&p);
    return sx_pushfail(L, &e);
  }
  long bad = 0;
  if (verify && (bad = copy_verify(src, dst, &o, &p, &e)) < 0) {
    copy_plan_free(&p);
    return sx_pushfail(L, &e);
  }
  lua_createtable(L, 0, 6);
  push_count(L, "dirs", &s.dirs);
  push_count(L, "files", &s.files);
  push_count(L, "bytes", &s.bytes);
  push_items(L, &p);
  lua_setfield(L, -2, "items");
  setint(L, "pending", s.pending);
  if (verify) setint(L, "verify_failed", (uint64_t)bad);
  copy_plan_free(&p);
  return 1;
}

/* copy.verify (src, dst [, opts]) -> { checked, failed, items } | nil, msg, code */
static int copy_verify_(lua_State *L) {
  plat_err pe;  /* a link out of --root on either path: nil, msg, code */
  const char *src = sx_trypath(L, 1, &pe), *dst = src ? sx_trypath(L, 2, &pe) : NULL;
  if (!dst) return sx_pushfail(L, &pe);
  copy_opts o;
  check_opts(L, 3, &o);
  copy_plan p;
  plat_err e;
  if (copy_plan_build(src, dst, &o, &p, &e) != 0) return sx_pushfail(L, &e);
  long bad = copy_verify(src, dst, &o, &p, &e);
  if (bad < 0) { copy_plan_free(&p); return sx_pushfail(L, &e); }
  uint64_t checked = 0;
  for (size_t i = 0; i < p.n; i++) checked += p.items[i].type == PLAT_FILE && p.items[i].action == CA_SAME;
  lua_createtable(L, 0, 3);
  setint(L, "checked", checked);
  setint(L, "failed", (uint64_t)bad);
  push_items(L, &p);
  lua_setfield(L, -2, "items");
  copy_plan_free(&p);
  return 1;
}

/* copy.rollback (journal) -> { restored, removed, kept, changed, failed, cancelled, started, error? } | nil, msg, code */
static int copy_rollback_(lua_State *L) {
  plat_err e;
  const char *j = sx_trypath(L, 1, &e);
  if (!j) return sx_pushfail(L, &e);
  copy_rollback_stats st;
  if (copy_rollback(j, &st, &e) != 0) return sx_pushfail(L, &e);
  lua_createtable(L, 0, 5);
  setint(L, "restored", st.restored);
  setint(L, "removed", st.removed);
  setint(L, "kept", st.kept);
  setint(L, "changed", st.changed);
  setint(L, "failed", st.failed);
  setint(L, "cancelled", st.cancelled);
  setint(L, "started", st.started);
  if (st.first_error) { lua_pushstring(L, st.first_error); lua_setfield(L, -2, "error"); }
  free(st.first_error);
  return 1;
}

/* copy.pending (journal) -> { {target, replacement, scheduled}... } | nil, msg, code
   the replacements at the next boot a journal records */
static int copy_pending_(lua_State *L) {
  plat_err e;
  const char *j = sx_trypath(L, 1, &e);
  if (!j) return sx_pushfail(L, &e);
  copy_pending_entry *v;
  size_t n;
  if (copy_pending_list(j, &v, &n, &e) != 0) return sx_pushfail(L, &e);
  lua_createtable(L, (int)n, 0);
  for (size_t i = 0; i < n; i++) {
    lua_createtable(L, 0, 3);
    lua_pushstring(L, v[i].target);
    lua_setfield(L, -2, "target");
    lua_pushstring(L, v[i].replacement);
    lua_setfield(L, -2, "replacement");
    lua_pushboolean(L, v[i].scheduled);
    lua_setfield(L, -2, "scheduled");
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  copy_pending_free(v, n);
  return 1;
}

static const luaL_Reg copylib[] = {
  {"apply", copy_apply_},
  {"pending", copy_pending_},
  {"plan", copy_plan_},
  {"rollback", copy_rollback_},
  {"verify", copy_verify_},
  {NULL, NULL}
};

int luaopen_sxsfix_copy(lua_State *L) {
  luaL_newlib(L, copylib);
  return 1;
}
