-- sxsfix.expand: listing with nested origins, expansion summary, options
-- allow-list, the error tiers.
local t = require "t"
local expand = require "sxsfix.expand"
local fs = require "sxsfix.fs"
local host = require "sxsfix.host"

local msu_rel = "cabs/msu/Windows6.1-KB3118401-x64.msu"

t.test("list gives names, sizes, times and nested origins", function()
  local msu = t.testdata(msu_rel)
  local entries = t.ok(expand.list(msu), "list")
  local outer, inner = 0, nil
  for _, e in ipairs(entries) do
    if e.origin == msu then outer = outer + 1 end
    if e.name == "update.mum" then inner = e end
  end
  t.eq(outer, 4, "entries of the outer cab")
  t.ok(inner, "update.mum from the inner cab")
  t.eq(inner.origin, msu .. ">Windows6.1-KB3118401-x64.cab", "origin")
  t.ok(inner.size > 0 and math.type(inner.mtime) == "integer", "size and mtime")
  t.eq(os.date("!%Y", inner.mtime), "2015", "year of the archive's time")
end)

t.test("list filter and nested = false", function()
  local msu = t.testdata(msu_rel)
  local only = t.ok(expand.list(msu, { filter = "UPDATE.MUM" }))
  t.eq(#only, 1, "one update.mum, matched case-insensitively")
  t.eq(only[1].name, "update.mum", "its name")
  t.eq(#t.ok(expand.list(msu, { filter = "*.mum" })), 8, "the update cab's eight .mum files")
  local flat = t.ok(expand.list(msu, { nested = false }))
  t.eq(#flat, 4, "outer entries only")
end)

t.test("expand returns a summary and writes the inner folder", function()
  local msu = t.testdata(msu_rel)
  local dir = t.ok(fs.tempdir("sxsfix-exp"))
  local r, msg = expand.run(msu, dir .. "/x", { inner = "Windows*-KB*.cab" })
  t.ok(r, msg)
  t.eq(r.archives, 2, "the .msu and its update cab (WSUSSCAN.cab not matched)")
  t.ok(r.files > 4 and r.bytes > 0, "counts")
  t.ok(fs.readfile(dir .. "/x/Windows6.1-KB3118401-x64/update.mum"), "update.mum")
  t.eq(fs.isdir(dir .. "/x/WSUSSCAN"), false, "WSUSSCAN.cab left a file")
  local again, amsg, code = expand.run(msu, dir .. "/x")
  t.eq(again, nil, "second expansion without overwrite")
  t.match(amsg, "already exists", "message")
  t.eq(code, expand.codes.exists, "code")
  t.ok(expand.run(msu, dir .. "/x", { overwrite = true }), "with overwrite")
  fs.rmtree(dir)
end)

t.test("bad input: nil, message naming the file, negative code", function()
  local dir = t.ok(fs.tempdir("sxsfix-exp"))
  t.ok(fs.writefile(dir .. "/fake.msu", "PK\3\4 not a cabinet"))
  local r, msg, code = expand.run(dir .. "/fake.msu", dir .. "/out")
  t.eq(r, nil)
  t.match(msg, "fake%.msu: has an unknown signature")
  t.eq(code, expand.codes.format)
  local l, lmsg = expand.list(dir .. "/missing.cab")
  t.eq(l, nil)
  t.match(lmsg, "missing%.cab")
  fs.rmtree(dir)
end)

t.test("arguments and options are checked", function()
  t.raises(function() expand.list() end, "bad argument #1")
  t.raises(function() expand.run("a.cab", "") end, "empty path")
  t.raises(function() expand.run("a.cab", "d", { filtr = "*" }) end, "unknown option 'filtr'")
  t.raises(function() expand.list("a.cab", { overwrite = true }) end, "unknown option 'overwrite'")
  t.raises(function() expand.run("a.cab", "d", { filter = {} }) end, "string expected")
end)

t.test("codes are distinct negative numbers", function()
  local seen = {}
  for name, c in pairs(expand.codes) do
    t.ok(c < 0 and not seen[c], name)
    seen[c] = true
  end
  t.eq(host.features().expand, true, "expand feature")
end)

return t.done()
