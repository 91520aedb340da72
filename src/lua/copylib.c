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

#define PLAN "sxsfix.copy.plan"

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
    return plat_failc(e, PLAT_EC_INPUT, plat_errcode(PLAT_E_INVAL),
                      "%s/%s: not covered by the verified signature", x->src, rel);
  }
  if (sx_fhash(f, rel, "sha256", hex, sizeof hex, e) != 0) return -1;
  if (strcmp(hex, hit->hex) != 0) {
    return plat_failc(e, PLAT_EC_INPUT, plat_errcode(PLAT_E_INVAL),
                      "%s/%s: changed since its signature was verified", x->src, rel);
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

/* A plan object: what copy.plan decided, applied and verified as it is. */
typedef struct lplan {
  char *src, *dst, *template;   /* native paths; template NULL: security from the source */
  char *file_template;          /* with a template: a new file's security (NULL: derived) */
  int compare, applied;
  copy_plan p;
} lplan;

static char *dupstr(lua_State *L, const char *s) {
  char *d = s ? strdup(s) : NULL;
  if (s && !d) luaL_error(L, "not enough memory");
  return d;
}

/* Planning options at arg (optional): compare, security, file_template
   (with a template: the file whose security new files get). Unknown keys raise. */
static void plan_opts(lua_State *L, int arg, lplan *lp) {
  static const char *const allowed[] = { "compare", "file_template", "security", NULL };
  sx_checkopts(L, arg, allowed);
  if (lua_isnoneornil(L, arg)) return;
  lua_getfield(L, arg, "compare");
  lp->compare = lua_toboolean(L, -1);
  lua_getfield(L, arg, "security");
  if (!lua_isnil(L, -1)) {
    const char *s = lua_tostring(L, -1);
    luaL_argcheck(L, s && (strcmp(s, "source") == 0 || (strncmp(s, "template:", 9) == 0 && s[9])),
                  arg, "security must be \"source\" or \"template:PATH\"");
    if (s[0] == 't') {  /* the path goes through sx_checkpath (Windows paths, --root) */
      lua_pushstring(L, s + 9);
      int top = lua_gettop(L);
      lp->template = dupstr(L, sx_checkpath(L, top));
    }
  }
  lua_getfield(L, arg, "file_template");
  if (!lua_isnil(L, -1)) lp->file_template = dupstr(L, sx_checkpath(L, lua_gettop(L)));
}

/* Applying options at arg: backup (required), journal, verify, threads, sha256
   (src names the source in sha256's messages), at_boot, service. */
static int apply_opts(lua_State *L, int arg, const char *src, copy_opts *o) {
  static const char *const allowed[] = { "at_boot", "backup", "journal", "service", "sha256", "threads", "verify", NULL };
  luaL_checktype(L, arg, LUA_TTABLE);
  sx_checkopts(L, arg, allowed);
  lua_getfield(L, arg, "threads");  /* 0 or absent: one per processor, at most PLAT_MAX_THREADS */
  int isnum = 1;
  lua_Integer th = lua_isnil(L, -1) ? 0 : lua_tointegerx(L, -1, &isnum);
  luaL_argcheck(L, isnum && th >= 0 && th <= PLAT_MAX_THREADS, arg, "threads must be an integer from 0 to 8");
  o->threads = th ? (int)th : plat_cpu_count();
  lua_pop(L, 1);
  lua_getfield(L, arg, "verify");  /* true: sizes and metadata; "full": the bytes read back too */
  int vt = lua_type(L, -1);
  luaL_argcheck(L, vt == LUA_TNIL || vt == LUA_TBOOLEAN || (vt == LUA_TSTRING && strcmp(lua_tostring(L, -1), "full") == 0),
                arg, "verify must be true, false or \"full\"");
  int verify = lua_toboolean(L, -1);
  o->verify_full = vt == LUA_TSTRING;
  o->verify = verify;
  lua_getfield(L, arg, "at_boot");
  o->at_boot = lua_toboolean(L, -1);
  lua_getfield(L, arg, "service");  /* the string stays referenced by the options table */
  luaL_argcheck(L, lua_isnil(L, -1) || (lua_type(L, -1) == LUA_TSTRING && *lua_tostring(L, -1)), arg,
                "service must be a service's name");
  o->service = lua_tostring(L, -1);
  /* the paths stay alive in their stack slots for the call */
  lua_getfield(L, arg, "backup");
  int bk = lua_gettop(L);
  luaL_argcheck(L, lua_type(L, bk) == LUA_TSTRING && *lua_tostring(L, bk), arg,
                "backup (a folder) is required");
  o->backup = sx_checkpath(L, bk);
  lua_getfield(L, arg, "journal");
  int jn = lua_gettop(L);
  if (!lua_isnil(L, jn)) {
    luaL_argcheck(L, lua_type(L, jn) == LUA_TSTRING && *lua_tostring(L, jn), arg,
                  "journal must be a file path");
    o->journal = sx_checkpath(L, jn);
  }
  lua_getfield(L, arg, "sha256");
  int sh = lua_gettop(L);
  if (!lua_isnil(L, sh)) {  /* the expect stays on the stack above it */
    check_expect(L, sh, arg, o);
    ((expect *)o->check_ud)->src = src;
  }
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

static lplan *check_plan(lua_State *L) { return luaL_checkudata(L, 1, PLAN); }

/* The items table (the plan's uservalue) made anew from the engine's items. */
static void store_items(lua_State *L, int ud, const lplan *lp) {
  push_items(L, &lp->p);
  lua_setiuservalue(L, ud, 1);
}

/* copy.plan (src, dst [, {compare, security, file_template}]) -> plan | nil, msg, code, class
   plan.items, plan.source, plan.destination; plan:apply(opts), plan:verify() */
static int copy_plan_(lua_State *L) {
  plat_err e;  /* a link out of --root on either path: nil, msg, code */
  const char *src = sx_trypath(L, 1, &e), *dst = src ? sx_trypath(L, 2, &e) : NULL;
  if (!dst) return sx_pushfail(L, &e);
  lua_settop(L, 3);  /* the options, or nil, at 3; the plan at 4 */
  lplan *lp = lua_newuserdatauv(L, sizeof *lp, 1);
  memset(lp, 0, sizeof *lp);  /* created empty, then filled */
  luaL_setmetatable(L, PLAN);
  int ud = lua_gettop(L);
  lp->src = dupstr(L, src);
  lp->dst = dupstr(L, dst);
  plan_opts(L, 3, lp);
  lua_settop(L, ud);
  copy_opts o = { .compare = lp->compare, .template = lp->template, .file_template = lp->file_template };
  if (copy_plan_build(src, dst, &o, &lp->p, &e) != 0) return sx_pushfail(L, &e);
  store_items(L, ud, lp);
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

/* plan:apply {backup, journal?, verify?, sha256?, at_boot?, service?}
   -> summary | nil, msg, code, class
   summary = { dirs, files, bytes, items, pending, verify_failed? }. Carries
   out this plan's items as they are (nothing is planned again); a plan
   applies once. at_boot: a file in use is replaced at the next boot (its
   item's pending is the replacement's name beside it). */
static int plan_apply(lua_State *L) {
  lplan *lp = check_plan(L);
  luaL_argcheck(L, !lp->applied, 1, "this plan was applied already: make a new one");
  copy_opts o = { .compare = lp->compare, .template = lp->template, .file_template = lp->file_template };
  int verify = apply_opts(L, 2, lp->src, &o);
  o.mount = sx_getroot(L);  /* recorded: a rollback may find the volume elsewhere */
  plat_err e;
  copy_summary s;
  lp->applied = 1;
  if (copy_apply(lp->src, lp->dst, &o, &lp->p, &s, &e) != 0) return sx_pushfail(L, &e);
  long bad = 0;
  if (verify && (bad = copy_verify(lp->src, lp->dst, &o, &lp->p, &e)) < 0) return sx_pushfail(L, &e);
  store_items(L, 1, lp);
  lua_createtable(L, 0, 5);
  push_count(L, "dirs", &s.dirs);
  push_count(L, "files", &s.files);
  push_count(L, "bytes", &s.bytes);
  lua_getiuservalue(L, 1, 1);
  lua_setfield(L, -2, "items");
  setint(L, "pending", s.pending);
  if (verify) setint(L, "verify_failed", (uint64_t)bad);
  return 1;
}

/* plan:verify () -> { checked, failed, items } | nil, msg, code, class:
   re-reads the destination's copied and same items, compares with the source */
static int plan_verify(lua_State *L) {
  lplan *lp = check_plan(L);
  copy_opts o = { .compare = lp->compare, .template = lp->template, .file_template = lp->file_template,
                  .threads = plat_cpu_count(), .verify_full = 1 };
  plat_err e;
  long bad = copy_verify(lp->src, lp->dst, &o, &lp->p, &e);
  if (bad < 0) return sx_pushfail(L, &e);
  uint64_t checked = 0;
  for (size_t i = 0; i < lp->p.n; i++)
    checked += lp->p.items[i].type == PLAT_FILE &&
               (lp->p.items[i].action == CA_SAME || lp->p.items[i].done);
  store_items(L, 1, lp);
  lua_createtable(L, 0, 3);
  setint(L, "checked", checked);
  setint(L, "failed", (uint64_t)bad);
  lua_getiuservalue(L, 1, 1);
  lua_setfield(L, -2, "items");
  return 1;
}

/* copy.verify (src, dst [, opts]) -> as plan:verify, of a new plan */
static int copy_verify_(lua_State *L) {
  int n = copy_plan_(L);
  if (lua_isnil(L, -n)) return n;
  lua_replace(L, 1);
  lua_settop(L, 1);
  return plan_verify(L);
}

static int plan_gc(lua_State *L) {
  lplan *lp = check_plan(L);
  copy_plan_free(&lp->p);
  free(lp->src); free(lp->dst); free(lp->template); free(lp->file_template);
  memset(lp, 0, sizeof *lp);
  return 0;
}

static int plan_index(lua_State *L) {
  lplan *lp = check_plan(L);
  const char *k = luaL_checkstring(L, 2);
  if (strcmp(k, "items") == 0) lua_getiuservalue(L, 1, 1);
  else if (strcmp(k, "source") == 0) lua_pushstring(L, lp->src);
  else if (strcmp(k, "destination") == 0) lua_pushstring(L, lp->dst);
  else if (strcmp(k, "applied") == 0) lua_pushboolean(L, lp->applied);
  else {
    luaL_getmetatable(L, PLAN);
    lua_getfield(L, -1, "methods");
    lua_getfield(L, -1, k);
  }
  return 1;
}

static int plan_tostring(lua_State *L) {
  lplan *lp = check_plan(L);
  lua_pushfstring(L, "copy plan (%s -> %s, %d items%s)", lp->src ? lp->src : "?", lp->dst ? lp->dst : "?",
                  (int)lp->p.n, lp->applied ? ", applied" : "");
  return 1;
}

/* copy.rollback (journal) -> { restored, removed, kept, changed, failed, cancelled, started, error? } | nil, msg, code */
static int copy_rollback_(lua_State *L) {
  plat_err e;
  const char *j = sx_trypath(L, 1, &e);
  if (!j) return sx_pushfail(L, &e);
  copy_rollback_stats st;
  if (copy_rollback_in(j, sx_getroot(L), &st, &e) != 0) return sx_pushfail(L, &e);
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

/* copy.mounted_path (journal) -> the journal's path under the --root it was
   written under (when it records one and lies below --root now) | false | nil, msg, code */
static int copy_mounted_path_(lua_State *L) {
  plat_err e;
  const char *j = sx_trypath(L, 1, &e);
  char *old;
  if (!j || copy_journal_mount_path(j, sx_getroot(L), &old, &e) != 0) return sx_pushfail(L, &e);
  if (old) lua_pushstring(L, old);
  else lua_pushboolean(L, 0);
  free(old);
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
  {"mounted_path", copy_mounted_path_},
  {"pending", copy_pending_},
  {"plan", copy_plan_},
  {"rollback", copy_rollback_},
  {"verify", copy_verify_},
  {NULL, NULL}
};

static const luaL_Reg plan_methods[] = {
  {"apply", plan_apply},
  {"verify", plan_verify},
  {NULL, NULL}
};

static const luaL_Reg plan_meta[] = {
  {"__gc", plan_gc},
  {"__index", plan_index},
  {"__tostring", plan_tostring},
  {NULL, NULL}
};

int luaopen_sxsfix_copy(lua_State *L) {
  if (luaL_newmetatable(L, PLAN)) {
    luaL_setfuncs(L, plan_meta, 0);
    luaL_newlib(L, plan_methods);
    lua_setfield(L, -2, "methods");
  }
  lua_pop(L, 1);
  luaL_newlib(L, copylib);
  return 1;
}
