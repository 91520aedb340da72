/*
** greplib.c: module sxsfix.grep, searching logs for a set of patterns
** (the engine is src/core/grep.c). In the style of lrexlib: compile once,
** then search; a bad pattern raises with its id and offset.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lauxlib.h"

#include "core/grep.h"
#include "lua/modules.h"

#define SET_MT "sxsfix.grep.set"

typedef struct gset {
  sx_grep *g;             /* NULL once closed */
  sx_grep_opts o;
} gset;

static int opt_bool(lua_State *L, int t, const char *k, int def) {
  int ty = lua_getfield(L, t, k), v = ty == LUA_TNIL ? def : lua_toboolean(L, -1);
  lua_pop(L, 1);
  return v;
}

static lua_Integer opt_int(lua_State *L, int t, const char *k, lua_Integer def, lua_Integer max) {
  lua_getfield(L, t, k);
  lua_Integer v = def;
  if (!lua_isnil(L, -1)) {
    int isnum;
    v = lua_tointegerx(L, -1, &isnum);
    if (!isnum || v < 0 || v > max) luaL_error(L, "option '%s': expected an integer from 0 to %d", k, (int)max);
  }
  lua_pop(L, 1);
  return v;
}

static const char *const search_opts[] = {"after", "before", "context", "count", "max_count", "threads", NULL};
static const char *const compile_opts[] = {"after", "before", "context", "fixed", "ignore_case", "max_count", NULL};

/* Limits from an options table at t (absent fields keep o's values). */
static void read_limits(lua_State *L, int t, sx_grep_opts *o) {
  o->max_count = (uint64_t)opt_int(L, t, "max_count", (lua_Integer)o->max_count, LUA_MAXINTEGER);
  lua_Integer c = opt_int(L, t, "context", -1, 64);
  if (c >= 0) o->before = o->after = (int)c;
  o->before = (int)opt_int(L, t, "before", o->before, 64);
  o->after = (int)opt_int(L, t, "after", o->after, 64);
}

/* Adds one pattern; ids (at index ids) gets its id. A pattern that does not
   compile: -1 with the message in bad (a recoverable failure: patterns are
   data, from signatures and users). */
static int add_one(lua_State *L, gset *s, int ids, int fixed, int icase, char *bad, size_t badlen) {
  /* stack: ... id pattern */
  size_t len, off;
  const char *p = luaL_checklstring(L, -1, &len);
  char msg[320];
  int flags = (fixed ? SX_GREP_FIXED : 0) | (icase ? SX_GREP_ICASE : 0);
  int i = sx_grep_add(s->g, p, len, flags, msg, sizeof msg, &off);
  if (i < 0) {
    snprintf(bad, badlen, "pattern %s: %s at offset %d", luaL_tolstring(L, -2, NULL), msg, (int)off);
    return -1;
  }
  lua_pop(L, 1);
  lua_rawseti(L, ids, i + 1);  /* ids[i + 1] = id */
  return 0;
}

/* An entry { id =, pattern =, fixed =, ignore_case = } at the top. */
static int add_entry(lua_State *L, gset *s, int ids, lua_Integer n, int fixed, int icase, char *bad, size_t badlen) {
  static const char *const keys[] = {"fixed", "id", "ignore_case", "pattern", NULL};
  int e = lua_gettop(L);
  sx_checkfields(L, e, 1, lua_pushfstring(L, "pattern entry %d", (int)n), keys);
  lua_pop(L, 1);
  if (lua_getfield(L, e, "id") == LUA_TNIL) { lua_pop(L, 1); lua_pushinteger(L, n); }
  if (lua_getfield(L, e, "pattern") != LUA_TSTRING)
    luaL_error(L, "grep.compile: pattern entry %s has no 'pattern' string", luaL_tolstring(L, -2, NULL));
  if (add_one(L, s, ids, opt_bool(L, e, "fixed", fixed), opt_bool(L, e, "ignore_case", icase), bad, badlen) != 0)
    return -1;
  lua_pop(L, 1);
  return 0;
}

static int cmp_cstr(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* grep.compile (patterns [, opts]) -> set | nil, "pattern ID: MESSAGE at offset N", code, "input"
   patterns: a string, a list of strings or entries, or { id = "pattern" }. */
static int grep_compile(lua_State *L) {
  int pt = lua_type(L, 1);
  luaL_argexpected(L, pt == LUA_TSTRING || pt == LUA_TTABLE, 1, "string or table");
  int hasopts = !lua_isnoneornil(L, 2);
  if (hasopts) {
    sx_checkopts(L, 2, compile_opts);
  }
  gset *s = lua_newuserdatauv(L, sizeof *s, 1);  /* created closed, then opened */
  s->g = NULL;
  memset(&s->o, 0, sizeof s->o);
  luaL_setmetatable(L, SET_MT);
  if (!(s->g = sx_grep_new())) return luaL_error(L, "not enough memory");
  int fixed = hasopts && opt_bool(L, 2, "fixed", 0), icase = hasopts && opt_bool(L, 2, "ignore_case", 0);
  if (hasopts) read_limits(L, 2, &s->o);
  lua_newtable(L);
  int ids = lua_gettop(L);
  char bad[400];
  if (pt == LUA_TSTRING) {
    lua_pushinteger(L, 1);
    lua_pushvalue(L, 1);
    if (add_one(L, s, ids, fixed, icase, bad, sizeof bad) != 0) goto badpattern;
  } else {
    lua_Integer n = luaL_len(L, 1), named = 0;
    for (lua_Integer i = 1; i <= n; i++) {
      int t = lua_rawgeti(L, 1, i);
      if (t == LUA_TTABLE) {
        if (add_entry(L, s, ids, i, fixed, icase, bad, sizeof bad) != 0) goto badpattern;
        continue;
      }
      lua_pushinteger(L, i);
      lua_insert(L, -2);
      if (add_one(L, s, ids, fixed, icase, bad, sizeof bad) != 0) goto badpattern;
    }
    lua_pushnil(L);  /* named patterns, in id order so that results are stable */
    while (lua_next(L, 1)) {
      lua_pop(L, 1);
      if (lua_type(L, -1) == LUA_TSTRING) named++;
      else if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1 || lua_tointeger(L, -1) > n)
        luaL_error(L, "grep.compile: pattern ids must be strings (or list positions)");
    }
    const char **keys = lua_newuserdatauv(L, (size_t)named * sizeof *keys + 1, 0);
    lua_Integer k = 0;
    lua_pushnil(L);
    while (lua_next(L, 1)) {
      lua_pop(L, 1);
      if (lua_type(L, -1) == LUA_TSTRING) keys[k++] = lua_tostring(L, -1);
    }
    qsort(keys, (size_t)named, sizeof *keys, cmp_cstr);
    for (k = 0; k < named; k++) {
      lua_pushstring(L, keys[k]);
      if (lua_getfield(L, 1, keys[k]) != LUA_TSTRING)
        luaL_error(L, "grep.compile: pattern %s: a named pattern is a string (entries go in the list part)", keys[k]);
      if (add_one(L, s, ids, fixed, icase, bad, sizeof bad) != 0) goto badpattern;
    }
    lua_pop(L, 1);
  }
  luaL_argcheck(L, sx_grep_count(s->g) > 0, 1, "no patterns");
  lua_setiuservalue(L, -2, 1);  /* set's uservalue = ids */
  return 1;
badpattern:
  sx_grep_free(s->g);  /* the set is closed; gc frees nothing more */
  s->g = NULL;
  plat_err e;
  plat_failc(&e, PLAT_EC_INPUT, plat_errcode(PLAT_E_INVAL), "%s", bad);
  return sx_pushfail(L, &e);
}

static gset *checkset(lua_State *L) {
  gset *s = luaL_checkudata(L, 1, SET_MT);
  luaL_argcheck(L, s->g != NULL, 1, "pattern set is closed");
  return s;
}

/* The results being built by a search: matches at index m, errors at e. */
typedef struct collect {
  lua_State *L;
  int m, e, f, ids;
  lua_Integer nm, ne, nf;
  int faults;             /* faults in the file being searched */
  char warn[600];         /* a note on it (a line too long), or "" */
} collect;

static void push_lines(lua_State *L, const sx_grep_line *l, int n) {
  lua_createtable(L, n, 0);
  for (int i = 0; i < n; i++) {
    lua_createtable(L, 0, 2);
    lua_pushinteger(L, (lua_Integer)l[i].line);
    lua_setfield(L, -2, "line");
    lua_pushlstring(L, l[i].text, l[i].len);
    lua_setfield(L, -2, "text");
    lua_rawseti(L, -2, i + 1);
  }
}

static int on_match(void *ud, const sx_grep_match *m) {
  collect *c = ud;
  lua_State *L = c->L;
  luaL_checkstack(L, 8, NULL);
  lua_createtable(L, 0, 8);
  lua_pushstring(L, m->file);
  lua_setfield(L, -2, "file");
  lua_pushinteger(L, (lua_Integer)m->line);
  lua_setfield(L, -2, "line");
  lua_pushlstring(L, m->text, m->len);
  lua_setfield(L, -2, "text");
  lua_rawgeti(L, c->ids, m->pattern + 1);
  lua_setfield(L, -2, "pattern");
  lua_pushstring(L, m->encoding);
  lua_setfield(L, -2, "encoding");
  lua_createtable(L, m->ncap, 0);
  for (int i = 0; i < m->ncap; i++) {
    if (m->cap[i]) lua_pushlstring(L, m->cap[i], m->caplen[i]);
    else lua_pushboolean(L, 0);  /* a group that did not take part */
    lua_rawseti(L, -2, i + 1);
  }
  lua_setfield(L, -2, "captures");
  if (m->nbefore) { push_lines(L, m->before, m->nbefore); lua_setfield(L, -2, "before"); }
  if (m->nafter) { push_lines(L, m->after, m->nafter); lua_setfield(L, -2, "after"); }
  lua_rawseti(L, c->m, ++c->nm);
  return 0;
}

/* Pushes an error entry { file, message, code, class }. */
static void push_error(lua_State *L, const char *file, const plat_err *e) {
  luaL_checkstack(L, 4, NULL);
  lua_createtable(L, 0, 6);
  lua_pushstring(L, file);
  lua_setfield(L, -2, "file");
  lua_pushstring(L, e->msg);
  lua_setfield(L, -2, "message");
  lua_pushinteger(L, e->code);
  lua_setfield(L, -2, "code");
  lua_pushstring(L, plat_errclass_name(e->cls));
  lua_setfield(L, -2, "class");
}

static void on_error(void *ud, const char *file, const plat_err *e) {
  collect *c = ud;
  c->faults = 0;
  c->warn[0] = '\0';
  push_error(c->L, file, e);
  lua_rawseti(c->L, c->e, ++c->ne);
}

/* A line a pattern could not be run to completion on: an error entry
   with its line and pattern id. */
static void on_fault(void *ud, const sx_grep_match *m, const plat_err *e) {
  collect *c = ud;
  lua_State *L = c->L;
  push_error(L, m->file, e);
  lua_pushinteger(L, (lua_Integer)m->line);
  lua_setfield(L, -2, "line");
  lua_rawgeti(L, c->ids, m->pattern + 1);
  lua_setfield(L, -2, "pattern");
  lua_rawseti(L, c->e, ++c->ne);
  c->faults++;
}

static void on_longline(void *ud, const char *file, uint64_t line, size_t limit) {
  collect *c = ud;
  if (line)
    snprintf(c->warn, sizeof c->warn, "%.400s: line %llu is longer than %llu bytes: searched in parts / printed truncated",
             file, (unsigned long long)line, (unsigned long long)limit);
  else
    snprintf(c->warn, sizeof c->warn, "%.400s: a line is longer than %llu bytes: searched in parts",
             file, (unsigned long long)limit);
}

static void on_done(void *ud, const char *file, uint64_t matches) {
  collect *c = ud;
  lua_State *L = c->L;
  luaL_checkstack(L, 4, NULL);
  lua_createtable(L, 0, 3);
  lua_pushstring(L, file);
  lua_setfield(L, -2, "file");
  lua_pushinteger(L, (lua_Integer)matches);
  lua_setfield(L, -2, "matches");
  if (c->faults) {  /* read to its end, but some lines not fully searched */
    lua_pushboolean(L, 1);
    lua_setfield(L, -2, "incomplete");
  }
  c->faults = 0;
  if (c->warn[0]) {  /* e.g. a line longer than the limit: searched in parts */
    lua_pushstring(L, c->warn);
    lua_setfield(L, -2, "warning");
  }
  c->warn[0] = '\0';
  lua_rawseti(L, c->f, ++c->nf);
}

/* Searches the paths (argument 2: a string or a list); pushes matches and
   errors and the files searched. */
static void search_aux(lua_State *L, gset *s) {
  int pt = lua_type(L, 2);
  luaL_argexpected(L, pt == LUA_TSTRING || pt == LUA_TTABLE, 2, "path or list of paths");
  sx_grep_opts o = s->o;
  int threads = 0;  /* 0: one per processor */
  if (!lua_isnoneornil(L, 3)) {
    sx_checkopts(L, 3, search_opts);
    read_limits(L, 3, &o);
    threads = (int)opt_int(L, 3, "threads", threads, PLAT_MAX_THREADS);
    o.count_only = opt_bool(L, 3, "count", 0);  /* files[i].matches: lines matched; no matches */
  }
  if (threads == 0) threads = plat_cpu_count();
  lua_Integer n = pt == LUA_TSTRING ? 1 : luaL_len(L, 2);
  lua_createtable(L, (int)n, 0);  /* the paths as the system names them, kept alive here */
  int pathtab = lua_gettop(L);
  const char **paths = lua_newuserdatauv(L, (size_t)n * sizeof *paths + 1, 0);
  lua_newtable(L);  /* the paths refused (a link out of --root): path -> message */
  int refused = lua_gettop(L);
  size_t np = 0;
  for (lua_Integer i = 1; i <= n; i++) {
    if (pt == LUA_TSTRING) lua_pushvalue(L, 2);
    else if (lua_rawgeti(L, 2, i) != LUA_TSTRING) luaL_error(L, "bad argument #2 to 'search' (paths[%d] is not a string)", (int)i);
    plat_err pe;
    if (!sx_trypath(L, lua_gettop(L), &pe)) {  /* not read; reported below, first */
      lua_pushstring(L, pe.msg);
      lua_pushinteger(L, pe.code);
      lua_rawseti(L, refused, (lua_Integer)lua_rawlen(L, refused) + 1);  /* code */
      lua_rawseti(L, refused, (lua_Integer)lua_rawlen(L, refused) + 1);  /* message */
      lua_rawseti(L, refused, (lua_Integer)lua_rawlen(L, refused) + 1);  /* path */
      continue;
    }
    lua_rawseti(L, pathtab, (lua_Integer)++np);
    lua_rawgeti(L, pathtab, (lua_Integer)np);
    paths[np - 1] = lua_tostring(L, -1);
    lua_pop(L, 1);
  }
  lua_getiuservalue(L, 1, 1);
  lua_newtable(L);
  lua_newtable(L);
  lua_newtable(L);
  int top = lua_gettop(L);
  collect c = { L, top - 2, top - 1, top, top - 3, 0, 0, 0, 0, "" };
  sx_grep_sink sink = { on_match, on_error, on_done, &c, on_fault, on_longline };
  for (lua_Integer i = 1; i + 2 <= (lua_Integer)lua_rawlen(L, refused); i += 3) {
    plat_err pe;
    lua_rawgeti(L, refused, i);      /* code, message, path */
    pe.code = (int)lua_tointeger(L, -1);
    pe.cls = plat_errclass_of(pe.code);
    lua_rawgeti(L, refused, i + 1);
    snprintf(pe.msg, sizeof pe.msg, "%s", lua_tostring(L, -1));
    lua_rawgeti(L, refused, i + 2);
    on_error(&c, lua_tostring(L, -1), &pe);
    lua_pop(L, 3);
  }
  sx_grep_paths(s->g, paths, np, threads, &o, &sink);
  lua_remove(L, top - 3);  /* ids */
  lua_remove(L, top - 4);  /* refused paths */
  lua_remove(L, top - 5);  /* path pointers */
  lua_remove(L, top - 6);  /* paths */
}

/* set:search (paths [, opts]) -> matches, errors, files */
static int set_search(lua_State *L) {
  search_aux(L, checkset(L));
  return 3;
}

/* The iterator of set:matches. Upvalues: 1 the set, 2 the paths (a
   list), 3 the options, 4 the index of the last path searched, 5 and 6
   that path's matches and errors, 7 the position in them. One path is
   searched only when the entries of the one before are used up. */
static int matches_iter(lua_State *L) {
  for (;;) {
    lua_Integer nm = lua_istable(L, lua_upvalueindex(5)) ? (lua_Integer)lua_rawlen(L, lua_upvalueindex(5)) : 0;
    lua_Integer ne = lua_istable(L, lua_upvalueindex(6)) ? (lua_Integer)lua_rawlen(L, lua_upvalueindex(6)) : 0;
    lua_Integer pos = lua_tointeger(L, lua_upvalueindex(7)) + 1;
    if (pos <= nm + ne) {
      lua_pushinteger(L, pos);
      lua_replace(L, lua_upvalueindex(7));
      if (pos <= nm) { lua_rawgeti(L, lua_upvalueindex(5), pos); return 1; }
      lua_rawgeti(L, lua_upvalueindex(6), pos - nm);
      lua_getfield(L, -1, "message");  /* error entries carry .error */
      lua_setfield(L, -2, "error");
      return 1;
    }
    lua_Integer i = lua_tointeger(L, lua_upvalueindex(4)) + 1;
    if (i > (lua_Integer)lua_rawlen(L, lua_upvalueindex(2))) return 0;
    lua_pushinteger(L, i);
    lua_replace(L, lua_upvalueindex(4));
    lua_settop(L, 0);  /* set, path, options at 1..3, as set:search has them */
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_rawgeti(L, lua_upvalueindex(2), i);
    lua_pushvalue(L, lua_upvalueindex(3));
    search_aux(L, checkset(L));
    lua_pop(L, 1);  /* files */
    lua_replace(L, lua_upvalueindex(6));
    lua_replace(L, lua_upvalueindex(5));
    lua_pushinteger(L, 0);
    lua_replace(L, lua_upvalueindex(7));
  }
}

/* set:matches (paths [, opts]) -> iterator: lazily, path after path, each
   path's matches, then its errors (as lrexlib's gmatch: nothing is read
   before the loop asks, and a break leaves the other paths unread) */
static int set_matches(lua_State *L) {
  checkset(L);
  int pt = lua_type(L, 2);
  luaL_argexpected(L, pt == LUA_TSTRING || pt == LUA_TTABLE, 2, "path or list of paths");
  if (!lua_isnoneornil(L, 3)) {  /* a wrong call raises now, not at the first step */
    sx_checkopts(L, 3, search_opts);
    sx_grep_opts o = { 0 };
    read_limits(L, 3, &o);
    opt_int(L, 3, "threads", 0, PLAT_MAX_THREADS);
  }
  lua_settop(L, 3);
  lua_newtable(L);  /* the paths, copied: the caller's list may change */
  lua_Integer n = pt == LUA_TSTRING ? 1 : luaL_len(L, 2);
  for (lua_Integer i = 1; i <= n; i++) {
    if (pt == LUA_TSTRING) lua_pushvalue(L, 2);
    else if (lua_rawgeti(L, 2, i) != LUA_TSTRING)
      luaL_error(L, "bad argument #2 to 'matches' (paths[%d] is not a string)", (int)i);
    lua_rawseti(L, 4, i);
  }
  lua_pushvalue(L, 1);   /* 1 set */
  lua_pushvalue(L, 4);   /* 2 paths */
  lua_pushvalue(L, 3);   /* 3 options */
  lua_pushinteger(L, 0); /* 4 last path searched */
  lua_pushnil(L);        /* 5 its matches */
  lua_pushnil(L);        /* 6 its errors */
  lua_pushinteger(L, 0); /* 7 position */
  lua_pushcclosure(L, matches_iter, 7);
  return 1;
}

/* set:close () and __gc: frees the compiled patterns (idempotent) */
static int set_close(lua_State *L) {
  gset *s = luaL_checkudata(L, 1, SET_MT);
  sx_grep_free(s->g);
  s->g = NULL;
  return 0;
}

static int set_tostring(lua_State *L) {
  gset *s = luaL_checkudata(L, 1, SET_MT);
  if (s->g) lua_pushfstring(L, "grep set (%d patterns)", sx_grep_count(s->g));
  else lua_pushliteral(L, "grep set (closed)");
  return 1;
}

static const luaL_Reg set_methods[] = {
  {"close", set_close},
  {"matches", set_matches},
  {"search", set_search},
  {NULL, NULL}
};

static const luaL_Reg set_meta[] = {
  {"__close", set_close},
  {"__gc", set_close},
  {"__index", NULL},
  {"__tostring", set_tostring},
  {NULL, NULL}
};

static const luaL_Reg greplib[] = {
  {"compile", grep_compile},
  {NULL, NULL}
};

int luaopen_sxsfix_grep(lua_State *L) {
  luaL_newmetatable(L, SET_MT);
  luaL_setfuncs(L, set_meta, 0);
  luaL_newlib(L, set_methods);
  lua_setfield(L, -2, "__index");  /* metatable.__index = method table */
  lua_pop(L, 1);
  luaL_newlib(L, greplib);
  return 1;
}
