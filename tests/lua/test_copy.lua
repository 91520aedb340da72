-- sxsfix.copy: argument checking, plan/apply/verify/rollback through Lua.
local t = require "t"
local copy = require "sxsfix.copy"
local fs = require "sxsfix.fs"

local root = assert(fs.tempdir("sxsfix-copy"))
local S, D, B = root .. "/s", root .. "/d", root .. "/b"
assert(fs.mkdirs(S .. "/sub"))
assert(fs.writefile(S .. "/sub/a.txt", "alpha"))
assert(fs.writefile(S .. "/top.txt", "top"))

t.test("unknown options raise", function()
  t.raises(function() copy.plan(S, D, { colour = true }) end, "unknown option 'colour'")
  t.raises(function() copy.plan(S, D, { security = "owner" }) end, "security must be")
  t.raises(function() copy.apply(S, D, {}) end, "backup")
  t.raises(function() copy.plan(S) end, "bad argument #2")
end)

t.test("a missing source is an operational failure", function()
  local r, err, code = copy.plan(root .. "/nope", D)
  t.eq(r, nil)
  t.match(err, "nope")
  t.ok(math.type(code) == "integer", "code")
end)

t.test("plan, apply with verify, plan again, rollback", function()
  local items = assert(copy.plan(S, D))
  local actions = {}
  for _, it in ipairs(items) do actions[it.path] = it.action end
  t.eq(actions["sub/a.txt"], "new")
  t.eq(actions["top.txt"], "new")
  t.ok(not fs.isdir(D), "plan touched nothing")
  local s = assert(copy.apply(S, D, { backup = B, verify = true }))
  t.eq(s.files.copied, 2, "files copied")
  t.eq(s.bytes.copied, 8, "bytes copied")
  t.eq(s.verify_failed, 0, "verify")
  t.eq(fs.readfile(D .. "/sub/a.txt"), "alpha")
  for _, it in ipairs(assert(copy.plan(S, D))) do t.eq(it.action, "same", it.path) end
  local v = assert(copy.verify(S, D))
  t.eq(v.checked, 2)
  t.eq(v.failed, 0)
  local r = assert(copy.rollback(B .. "/journal.txt"))
  t.eq(r.failed, 0)
  t.ok(not fs.isdir(D), "rollback removed what the copy created")
end)

t.test("verify finds a damaged copy", function()
  assert(copy.apply(S, D, { backup = B .. "2" }))
  assert(fs.writefile(D .. "/top.txt", "TOP"))  -- same size, other bytes (and time)
  local v = assert(copy.verify(S, D))
  local bad
  for _, it in ipairs(v.items) do if it.error then bad = it end end
  t.ok(bad, "a mismatch is reported")
end)

t.test("sha256: each file is checked as it is copied", function()
  local auth = require "sxsfix.authenticode"
  local D3, want = root .. "/d3", {}
  for _, rel in ipairs({ "sub/a.txt", "top.txt" }) do want[rel] = assert(auth.hash(S .. "/" .. rel, "sha256")) end
  t.raises(function() copy.apply(S, D3, { backup = B .. "3", sha256 = { ["top.txt"] = "abc" } }) end, "64 hex digits")
  -- the listed contents: copied
  local s = assert(copy.apply(S, D3, { backup = B .. "3", sha256 = want }))
  t.eq(s.files.copied, 2, "files copied")
  -- top.txt changed since it was hashed: that file fails, the destination keeps its bytes
  assert(fs.writefile(S .. "/top.txt", "pot"))
  s = assert(copy.apply(S, D3, { backup = B .. "4", compare = true, sha256 = want }))
  t.eq(s.files.failed, 1, "the changed file fails")
  local err
  for _, it in ipairs(s.items) do err = err or it.error end
  t.match(err, "top.txt: changed since its signature was verified")
  t.eq(fs.readfile(D3 .. "/top.txt"), "top", "the destination file is untouched")
  -- a file the signature did not cover: not copied
  assert(fs.writefile(S .. "/extra.dll", "x"))
  s = assert(copy.apply(S, D3, { backup = B .. "5", sha256 = want }))
  t.ok(not fs.stat(D3 .. "/extra.dll"), "the uncovered file was not written")
  err = nil
  for _, it in ipairs(s.items) do err = err or (it.path == "extra.dll" and it.error) end
  t.match(err, "extra.dll: not covered by the verified signature")
  assert(fs.writefile(S .. "/top.txt", "top"))
  assert(fs.remove(S .. "/extra.dll"))
end)

fs.rmtree(root)
return t.done()
