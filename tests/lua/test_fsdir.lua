-- sxsfix.fs: enumeration (dir, list, walk, count, isempty), stat, path
-- helpers and the Windows path mapping with a root.
local t = require "t"
local fs = require "sxsfix.fs"
local host = require "sxsfix.host"

local tmp = assert(fs.tempdir("sxsfix-dir"))
local function path(...) return table.concat({ tmp, ... }, fs.sep) end

-- tree: a/ (f1.txt, b/ (f2.log), Ünï дир/ (ファイル.txt)), e/ (empty), top.txt
assert(fs.mkdirs(path("a", "b")))
assert(fs.mkdirs(path("a", "Ünï дир")))
assert(fs.mkdirs(path("e")))
assert(fs.writefile(path("a", "f1.txt"), "1"))
assert(fs.writefile(path("a", "b", "f2.log"), "22"))
assert(fs.writefile(path("a", "Ünï дир", "ファイル.txt"), "333"))
assert(fs.writefile(path("top.txt"), "top"))

local function sorted(list) table.sort(list); return table.concat(list, ",") end

t.test("dir yields names and types, and closes on break", function()
  local seen = {}
  for name, typ in fs.dir(tmp) do seen[#seen + 1] = name .. ":" .. typ end
  t.eq(sorted(seen), "a:dir,e:dir,top.txt:file")
  local iter, _, _, handle = fs.dir(tmp)
  t.match(tostring(handle), "^directory %(")
  for _ in iter, nil, nil, handle do break end
  do
    local iter2, s, c, h2 = fs.dir(tmp)
    for _ in iter2, s, c, h2 do break end  -- the generic for closes h2
    t.eq(tostring(h2), "directory (closed)")
  end
  handle:close()
  handle:close()  -- idempotent
  t.eq(tostring(handle), "directory (closed)")
  t.eq(iter(), nil, "a closed iterator ends")
end)

t.test("dir raises on a missing folder, naming it", function()
  t.raises(function() fs.dir(path("missing")) end, "missing")
end)

t.test("list with match and type", function()
  t.eq(sorted(fs.list(path("a"))), sorted({ "b", "f1.txt", "Ünï дир" }))
  t.eq(sorted(fs.list(path("a"), { type = "dir" })), sorted({ "b", "Ünï дир" }))
  t.eq(sorted(fs.list(path("a"), { match = "ÜNÏ*" })), "Ünï дир")
  t.eq(sorted(fs.list(path("a"), { match = "*.TXT", type = "file" })), "f1.txt")
  t.eq(#fs.list(path("e")), 0)
  local v, msg, code = fs.list(path("missing"))
  t.eq(v, nil); t.match(msg, "missing"); t.eq(math.type(code), "integer")
  t.raises(function() fs.list(tmp, { colour = 1 }) end, "unknown option 'colour'")
  t.raises(function() fs.list(tmp, { type = "pipe" }) end, "invalid option 'pipe'")
end)

t.test("walk: relative paths, depth, filters", function()
  local all = {}
  for p, typ in fs.walk(tmp) do all[#all + 1] = p:gsub("\\", "/") .. ":" .. typ end
  t.eq(sorted(all), sorted({ "a:dir", "a/b:dir", "a/b/f2.log:file", "a/f1.txt:file", "a/Ünï дир:dir",
    "a/Ünï дир/ファイル.txt:file", "e:dir", "top.txt:file" }))
  local files = {}
  for p in fs.walk(tmp, { type = "file", match = "*.txt" }) do files[#files + 1] = p:gsub("\\", "/") end
  t.eq(sorted(files), sorted({ "a/f1.txt", "a/Ünï дир/ファイル.txt", "top.txt" }))
  local shallow = 0
  for _ in fs.walk(tmp, { depth = 2 }) do shallow = shallow + 1 end
  t.eq(shallow, 6, "depth 2: top level and one below")
end)

t.test("count and isempty", function()
  t.eq(fs.count(tmp), 3)
  t.eq(fs.count(tmp, { depth = 0, type = "file" }), 4)
  t.eq(fs.isempty(path("e")), true)
  t.eq(fs.isempty(path("a")), false)
  local v, msg = fs.isempty(path("missing"))
  t.eq(v, nil); t.match(msg, "missing")
end)

t.test("stat: fields, sub-second times, absent is a single nil", function()
  local s = fs.stat(path("a", "b", "f2.log"))
  t.eq(s.type, "file"); t.eq(s.size, 2)
  t.eq(math.type(s.mtime), "float")
  t.ok(math.abs(s.mtime - os.time()) < 3600, "mtime is now-ish")
  t.ok(s.mtime_ns % 1000000000 ~= 0 or s.mtime_ns > 0, "mtime_ns")
  t.eq(fs.stat(path("a")).type, "dir")
  if host.platform == "posix" then
    t.eq(s.nlink, 1); t.ok(s.mode > 0, "mode")
  else
    t.ok(s.attrs > 0, "attrs")
  end
  -- a missing path is a failure like any other: nil, "PATH: ...", code, class
  local none, msg, code, class = fs.stat(path("nothing"))
  t.eq(none, nil); t.match(msg, "nothing: "); t.eq(fs.errkind(code), "notfound"); t.eq(class, "os")
  local rnone, rmsg, rcode = fs.readfile(path("nothing"))
  t.eq(rnone, nil); t.eq(rmsg, msg, "the same message in every module"); t.eq(rcode, code)
end)

t.test("path helpers", function()
  t.eq(fs.join("C:\\Windows", "WinSxS", "x"), "C:\\Windows\\WinSxS\\x")
  t.eq(fs.join("/mnt/win", "Windows"), "/mnt/win/Windows")
  t.eq(fs.join("a", "D:\\abs", "x"), "D:\\abs\\x")  -- a later absolute part replaces what precedes
  local d, b = fs.split("C:\\Windows\\WinSxS")
  t.eq(d, "C:\\Windows"); t.eq(b, "WinSxS")
  t.eq(fs.dirname("C:\\Windows"), "C:\\")
  t.eq(fs.basename("/a/b/"), "b")
end)

t.test("root: C:\\ maps into it, case-insensitively where the disk is case-sensitive", function()
  local root = path("vol")
  assert(fs.mkdirs(fs.join(root, "windows", "winsxs", "amd64_microsoft-windows-servicingstack_1")))
  assert(fs.mkdirs(fs.join(root, "windows", "winsxs", "amd64_microsoft-windows-servicingstack_2")))
  assert(fs.writefile(fs.join(root, "windows", "winsxs", "amd64_microsoft-windows-servicingstack_1", "cbscore.dll"), "x"))
  t.eq(fs.root(), nil)
  assert(fs.setroot(root))
  local ok, err = pcall(function()
    t.eq(fs.root(), root)
    t.ok(fs.isdir("C:\\Windows\\WinSxS"), "mapped folder exists")
    t.ok(fs.isdir("%SystemRoot%\\WinSxS"), "%SystemRoot% expands offline")
    t.eq(fs.expandvars("%windir%\\x"), "C:\\Windows\\x")
    local full = {}
    for _, n in ipairs(fs.list("C:\\Windows\\WinSxS", { match = "*servicingstack*", type = "dir" })) do
      if not fs.isempty(fs.join("C:\\Windows\\WinSxS", n)) then full[#full + 1] = n end
    end
    t.eq(table.concat(full, ","), "amd64_microsoft-windows-servicingstack_1")
    t.raises(function() fs.map("D:\\x") end, "only the system drive")
    t.ok(fs.writefile("C:\\Windows\\New.txt", "n"), "a new file is created under its own spelling")
  end)
  fs.setroot(nil)
  assert(ok, err)
  t.ok(fs.readfile(fs.join(root, "windows", "New.txt")) == "n", "written into the root")
  local v, msg = fs.setroot(path("top.txt"))
  t.eq(v, nil); t.match(msg, "not a folder")
  v, msg = fs.setroot(path("missing"))
  t.eq(v, nil); t.match(msg, "missing")
end)

t.test("long paths enumerate", function()
  local deep = tmp
  for i = 1, 14 do deep = fs.join(deep, string.rep(string.char(96 + i), 24)) end
  t.ok(#deep > 300, "longer than MAX_PATH")
  assert(fs.mkdirs(deep))
  assert(fs.writefile(fs.join(deep, "leaf.txt"), "leaf"))
  local found
  for p in fs.walk(tmp, { match = "leaf.txt" }) do found = p end
  t.ok(found and #found > 300, "leaf found through the walk")
  t.eq(fs.list(deep)[1], "leaf.txt")
  t.eq(fs.stat(fs.join(deep, "leaf.txt")).size, 4)
end)

fs.rmtree(tmp)
return t.done()
