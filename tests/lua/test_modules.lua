-- The C modules sxsfix.host and sxsfix.fs, through Lua: fields, error tiers.
local t = require "t"
local host = require "sxsfix.host"
local fs = require "sxsfix.fs"

local tmp = assert(fs.tempdir("sxsfix-lua"))
local function path(...) return table.concat({ tmp, ... }, fs.sep) end

t.test("host fields", function()
  t.match(host.version, "^%d+%.%d+%.%d+")
  t.eq(math.type(host.api), "integer")
  t.eq(host.api, require("sxsfix.version").api, "script set api")
  t.ok(host.platform == "posix" or host.platform == "win32", "platform")
  t.eq(host.platform == "win32", fs.sep == "\\", "separator matches platform")
  t.ok(host.wine == false or type(host.wine) == "string", "wine")
end)

t.test("versions: Lua always, others a version or false", function()
  local v = host.versions()
  t.eq(v.lua, _VERSION:match("%d+%.%d+") .. v.lua:match("^%d+%.%d+(.*)$"), "lua version")
  for _, k in ipairs({ "pcre2", "libarchive", "wimlib", "hivex" }) do
    t.ok(v[k] == false or v[k]:match("^%d+%.%d+"), k .. " version")
  end
end)

t.test("features say why they are missing", function()
  for k, v in pairs(host.features()) do
    t.ok(v == true or (type(v) == "string" and v:find("built without")), k)
  end
end)

t.test("embedded scripts", function()
  local names = host.scripts()
  t.ok(#names >= 5, "several scripts")
  local found
  for _, n in ipairs(names) do found = found or n == "sxsfix/cli.lua" end
  t.ok(found, "cli.lua embedded")
  t.match(host.script("sxsfix/version.lua"), "api")
  t.eq(host.script("sxsfix/none.lua"), nil)
end)

t.test("fs: write, read, mkdir, remove", function()
  t.ok(fs.mkdirs(path("a", "b")))
  t.ok(fs.isdir(path("a", "b")))
  t.ok(fs.writefile(path("a", "f.txt"), "data\0more"))
  t.eq(fs.readfile(path("a", "f.txt")), "data\0more")
  t.ok(fs.remove(path("a", "f.txt")))
  t.ok(fs.remove(path("a", "b")))
  t.ok(fs.remove(path("a")))
  t.ok(not fs.isdir(path("a")))
end)

t.test("fs: operational failures return nil, 'path: message', code", function()
  local v, msg, code = fs.readfile(path("missing.log"))
  t.eq(v, nil); t.match(msg, "missing%.log: ."); t.eq(math.type(code), "integer")
  v, msg = fs.writefile(path("no", "dir", "x"), "x")
  t.eq(v, nil); t.match(msg, "x: .")
  t.ok(fs.writefile(path("plain"), "x"))
  v, msg = fs.mkdirs(path("plain", "sub"))
  t.eq(v, nil); t.match(msg, "plain")
  v, msg = fs.remove(path("nothing-here"))
  t.eq(v, nil); t.match(msg, "nothing%-here")
end)

t.test("fs and host: bad arguments raise", function()
  t.raises(function() fs.readfile() end, "bad argument #1")
  t.raises(function() fs.writefile("x") end, "bad argument #2")
  t.raises(function() fs.rmtree("") end, "empty path")
  t.raises(function() host.loadfile({}) end, "bad argument #1")
end)

t.test("host.loadfile: BOM and #! line skipped, syntax errors raise", function()
  t.ok(fs.writefile(path("bom.lua"), "\xEF\xBB\xBFreturn 1 + 1"))
  t.eq(host.loadfile(path("bom.lua"))(), 2)
  t.ok(fs.writefile(path("sh.lua"), "#!/usr/bin/env sxsfix\nreturn 3"))
  t.eq(host.loadfile(path("sh.lua"))(), 3)
  t.ok(fs.writefile(path("bad.lua"), "return +"))
  t.raises(function() host.loadfile(path("bad.lua")) end, "bad%.lua:1:")
  local f, msg = host.loadfile(path("none.lua"))
  t.eq(f, nil); t.match(msg, "none%.lua")
end)

t.test("host.loadfile: Lua's signature (mode text only, env)", function()
  t.ok(fs.writefile(path("env.lua"), "x = answer + 1"))
  local env = { answer = 41 }
  host.loadfile(path("env.lua"), "t", env)()
  t.eq(env.x, 42)
  t.eq(rawget(_G, "x"), nil)
  t.raises(function() host.loadfile(path("env.lua"), "b") end, "only text chunks")
end)

t.test("host.exit: the exit codes, one table", function()
  t.eq(host.exit.ok, 0); t.eq(host.exit.issue, 1); t.eq(host.exit.failed, 2)
  t.eq(host.exit.usage, 3); t.eq(host.exit.internal, 4); t.eq(host.exit.unknown, 5)
  t.eq(host.exit.reboot, 3010)
  t.eq(require("sxsfix.cli").exit, host.exit)
  -- the class of a failure (the 4th value of nil, msg, code, class) -> exit code
  t.eq(host.exitclass.input, 3); t.eq(host.exitclass.os, 2)
  t.eq(host.exitclass.resource, 2); t.eq(host.exitclass.internal, 4)
  local none, msg, code, class = fs.readfile(path("absent-file"))
  t.eq(none, nil); t.eq(type(code), "number"); t.eq(class, "os")
end)

t.test("fs.append: creates, appends, fails with nil, msg, code", function()
  local p = path("append-ü.log")
  t.ok(fs.append(p, "one\n"))
  t.ok(fs.append(p, "two\n"))
  t.eq(fs.readfile(p), "one\ntwo\n")
  local ok, msg, code = fs.append(path("no-such-dir") .. fs.sep .. "x.log", "x")
  t.eq(ok, nil); t.match(msg, "no%-such%-dir"); t.ok(type(code) == "number")
end)

t.test("unicode file names", function()
  local p = path("ünïcode-дир")
  t.ok(fs.mkdirs(p))
  t.ok(fs.writefile(p .. fs.sep .. "日志.log", "ok"))
  t.eq(fs.readfile(p .. fs.sep .. "日志.log"), "ok")
end)

t.test("Lua's io.open and os.remove take UTF-8 paths (on Windows: the manifest)", function()
  local p = path("io-ünï-дир.txt")
  local f = assert(io.open(p, "w"))
  f:write("io")
  f:close()
  t.eq(fs.readfile(p), "io", "read back through the wide API")
  t.ok(os.remove(p))
end)

t.test("options reach scripts through sxsfix.ctx", function()
  local ctx = require "sxsfix.ctx"
  t.eq(ctx.command, "run")
  t.eq(type(ctx.opts), "table")
  t.eq(ctx.exit.usage, 3)
end)

t.test("paths past 32,767 characters fail cleanly", function()
  local p = path("deep")
  while #p < 33000 do p = p .. fs.sep .. string.rep("b", 200) end
  local ok, msg, code = fs.mkdirs(p)
  t.eq(ok, nil, "mkdir result"); t.eq(type(msg), "string"); t.eq(math.type(code), "integer")
  local v, m2 = fs.writefile(p .. fs.sep .. "x", "y")
  t.eq(v, nil, "writefile result"); t.eq(type(m2), "string")
  t.eq(fs.readfile(p .. fs.sep .. "x"), nil, "readfile result")
  t.ok(fs.rmtree(path("deep")), "the part that was made is removable")
end)

t.test("rmtree removes the tree", function()
  t.ok(fs.mkdirs(path("tree", "x", "y")))
  t.ok(fs.writefile(path("tree", "x", "f"), "1"))
  t.ok(fs.rmtree(path("tree")))
  t.ok(not fs.isdir(path("tree")))
end)

assert(fs.rmtree(tmp))
return t.done()
