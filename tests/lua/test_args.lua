-- Command-line parsing (sxsfix.args): option forms, placement, errors.
local t = require "t"
local args = require "sxsfix.args"

local global = {
  { "root", value = "DIR" }, { "json", value = "FILE" }, { "help", short = "h" },
}
local cmds = {
  grep = { options = {
    { "ignore-case", short = "i" }, { "count", short = "c" },
    { "max-count", short = "m", value = "NUM" }, { "regexp", short = "e", value = "P", many = true },
    { "filter", short = "F", value = "GLOB" },
  } },
  run = { passthrough = 1 },
}
local function resolve(n) return cmds[n] or args.usage_error("unknown command '%s'", n) end
local function parse(...) return args.parse({ ... }, global, resolve) end

local function usage_of(f)
  local ok, err = pcall(f)
  t.ok(not ok, "call failed")
  t.eq(type(err), "table", "error type")
  return err.usage
end

t.test("global options before and after the command", function()
  local o, name, _, _, pos = parse("--root", "D", "grep", "x", "--json=out.json")
  t.eq(o.root, "D"); t.eq(o.json, "out.json"); t.eq(name, "grep"); t.eq(pos[1], "x")
  o = parse("grep", "--root=E")
  t.eq(o.root, "E")
end)

t.test("short options: bundled flags, attached and separate values, -F:GLOB", function()
  local _, _, _, c, pos = parse("grep", "-ic", "-m5", "-e", "a", "-eb", "-F:*.dll", "PATH")
  t.ok(c["ignore-case"]); t.ok(c.count); t.eq(c["max-count"], "5")
  t.eq(#c.regexp, 2); t.eq(c.regexp[1], "a"); t.eq(c.regexp[2], "b")
  t.eq(c.filter, "*.dll"); t.eq(pos[1], "PATH")
end)

t.test("long options of a command", function()
  local _, _, _, c = parse("grep", "--max-count", "3", "--ignore-case")
  t.eq(c["max-count"], "3"); t.ok(c["ignore-case"])
end)

t.test("-- ends options", function()
  local _, _, _, _, pos = parse("grep", "--", "-i", "--root")
  t.eq(pos[1], "-i"); t.eq(pos[2], "--root")
end)

t.test("run: everything after the script belongs to the script", function()
  local o, _, _, _, pos = parse("run", "prep.lua", "--root", "x", "-i")
  t.eq(o.root, nil); t.eq(pos[1], "prep.lua"); t.eq(pos[2], "--root"); t.eq(pos[4], "-i")
  o = parse("--root", "R", "run", "prep.lua")
  t.eq(o.root, "R")
end)

t.test("a lone - is a positional (stdin/stdout)", function()
  local _, _, _, _, pos = parse("grep", "-")
  t.eq(pos[1], "-")
end)

t.test("usage errors", function()
  t.match(usage_of(function() parse("nosuch") end), "unknown command 'nosuch'")
  t.match(usage_of(function() parse("--bogus") end), "unknown option '%-%-bogus'")
  t.match(usage_of(function() parse("grep", "-z") end), "grep: unknown option '%-z'")
  t.match(usage_of(function() parse("grep", "-m") end), "needs a value")
  t.match(usage_of(function() parse("--root") end), "%-%-root needs a value")
  t.match(usage_of(function() parse("--help=yes") end), "takes no value")
  t.match(usage_of(function() parse("grep", "-iz") end), "unknown option '%-iz'")
end)

t.test("describe lists every option", function()
  local d = args.describe(cmds.grep.options)
  t.match(d, "%-m, %-%-max%-count NUM")
  t.match(d, "%-e, %-%-regexp P")
end)

return t.done()
