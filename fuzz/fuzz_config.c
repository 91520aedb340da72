/* fuzz_config: settings validation (lua/sxsfix/config.lua). The input
   drives the building of a --config table: keys of the defaults at every
   level, unknown keys, and values of every type. config.merge must either
   succeed or raise a usage error (never a Lua runtime error), and merging
   its result again must succeed unchanged in shape. */
#include <string.h>

#include "fuzzutil.h"
#include "luastate.h"

static const char *code =
  "local config, defaults = require 'sxsfix.config', require 'sxsfix.defaults'\n"
  "local function keys(t)\n"
  "  local ks = {}\n"
  "  for k in pairs(t) do ks[#ks + 1] = k end\n"
  "  table.sort(ks, function(a, b) return tostring(a) < tostring(b) end)\n"
  "  return ks\n"
  "end\n"
  "return function(s)\n"
  "  local pos = 0\n"
  "  local function byte() pos = pos + 1; return s:byte(pos) or 0 end\n"
  "  local function text() local n = byte() % 12; local t = s:sub(pos + 1, pos + n); pos = pos + n; return t end\n"
  "  local build\n"
  "  local function value(d, depth)\n"
  "    local c = byte() % 9\n"
  "    if c == 0 then return byte() * 1.5 - 100\n"
  "    elseif c == 1 then return math.tointeger(byte() - 128)\n"
  "    elseif c == 2 then return text()\n"
  "    elseif c == 3 then return byte() % 2 == 0\n"
  "    elseif c == 4 and depth < 4 then return build(type(d) == 'table' and d or {}, depth + 1)\n"
  "    elseif c == 5 and depth < 4 then local l = {}; for i = 1, byte() % 4 do l[i] = value(nil, depth + 1) end; return l\n"
  "    elseif c == 6 then return 0/0\n"
  "    else return type(d) == 'table' and depth < 4 and build(d, depth + 1) or d end\n"
  "  end\n"
  "  function build(d, depth)\n"
  "    local t, ks = {}, keys(d)\n"
  "    for _ = 1, byte() % 5 do\n"
  "      local c, k = byte()\n"
  "      if c < 200 and #ks > 0 then k = ks[c % #ks + 1]\n"
  "      elseif c < 230 then k = text()\n"
  "      else k = byte() % 5 + 1 end\n"
  "      t[k] = value(d[k], depth)\n"
  "    end\n"
  "    return t\n"
  "  end\n"
  "  local user = build(defaults, 0)\n"
  "  local ok, r = pcall(config.merge, defaults, user)\n"
  "  if not ok then\n"
  "    if type(r) == 'table' and type(r.usage) == 'string' then return true end\n"
  "    return false, tostring(r)\n"
  "  end\n"
  "  local ok2, r2 = pcall(config.merge, defaults, r)\n"
  "  if not ok2 then return false, 'merged settings refused: ' .. tostring(type(r2) == 'table' and r2.usage or r2) end\n"
  "  return true\n"
  "end\n";

static lua_State *L;
static int fn;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n) {
  if (!L) L = fz_lua(code, &fn);
  lua_rawgeti(L, LUA_REGISTRYINDEX, fn);
  lua_pushlstring(L, (const char *)data, n);
  FZ_CHECK(lua_pcall(L, 1, 2, 0) == LUA_OK, "harness raised: %s", lua_tostring(L, -1));
  FZ_CHECK(lua_toboolean(L, -2), "%s", lua_tostring(L, -1));
  lua_pop(L, 2);
  return 0;
}
