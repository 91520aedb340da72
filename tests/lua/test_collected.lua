-- sxsfix.collected (logs from another machine), sxsfix.neighbours (rules
-- checked as data) and the zip primitive.
local t = require "t"
local fs = require "sxsfix.fs"
local expand = require "sxsfix.expand"
local collected = require "sxsfix.collected"
local neighbours = require "sxsfix.neighbours"

local dir = assert(fs.tempdir("sxsfix-coll"))
local function file(rel, data)
  local p = fs.join(dir, rel)
  assert(fs.mkdirs(fs.dirname(p)))
  assert(fs.writefile(p, data))
  return p
end

-- A stored (uncompressed) zip, written here byte by byte.
local function crc32(s)
  local c = 0xFFFFFFFF
  for i = 1, #s do
    c = c ~ s:byte(i)
    for _ = 1, 8 do c = (c >> 1) ~ (0xEDB88320 & -(c & 1)) end
  end
  return ~c & 0xFFFFFFFF
end
-- An entry { name, data, true } is streamed: its local header declares no
-- sizes (flag 8), a data descriptor after its data gives them.
local function zip(entries)
  local out, central, off = {}, {}, 0
  for _, e in ipairs(entries) do
    local name, data, streamed = e[1], e[2], e[3]
    local crc = crc32(data)
    local flags, lcrc, lsize, dd = 0, crc, #data, ""
    if streamed then
      flags, lcrc, lsize = 8, 0, 0
      dd = string.pack("<I4I4I4I4", 0x08074b50, crc, #data, #data)
    end
    local lh = string.pack("<I4I2I2I2I2I2I4I4I4I2I2", 0x04034b50, 20, flags, 0, 0, 0, lcrc, lsize, lsize, #name, 0) .. name
    central[#central + 1] = string.pack("<I4I2I2I2I2I2I2I4I4I4I2I2I2I2I2I4I4", 0x02014b50, 20, 20, flags, 0, 0, 0,
      crc, #data, #data, #name, 0, 0, 0, 0, 0, off) .. name
    out[#out + 1] = lh .. data .. dd
    off = off + #lh + #data + #dd
  end
  local cd = table.concat(central)
  return table.concat(out) .. cd .. string.pack("<I4I2I2I2I2I4I4I2", 0x06054b50, 0, 0, #entries, #entries, #cd, off, 0)
end

local CBS = "2023-05-22 12:48:44, Info                  CBS    Loaded Servicing Stack v10.0.19041.2905\r\n"
local DISM = "2023-05-22 12:48:44, Info                  DISM   DISM Provider Store: PID=1 TID=2 Getting the collection\r\n"

t.test("zip: an unknown format unless asked for, then expanded", function()
  local z = file("a.zip", zip { { "Panther/setupact.log", "hello\r\n" } })
  local r, msg, code = expand.run(z, fs.join(dir, "out1"))
  t.eq(r, nil, "no zip without zip = true (an update is never a zip)")
  t.match(msg, "a%.zip: has an unknown signature")
  t.eq(code, expand.codes.format)
  local s = t.ok(expand.run(z, fs.join(dir, "out2"), { zip = true, nested = false }))
  t.eq(s.files, 1)
  t.eq(fs.readfile(fs.join(dir, "out2", "Panther", "setupact.log")), "hello\r\n")
end)

t.test("zip: a traversal name is refused before anything is written", function()
  local z = file("evil.zip", zip { { "ok.log", "x" }, { "../../evil.log", "y" } })
  local r, msg, code = expand.run(z, fs.join(dir, "out3"), { zip = true })
  t.eq(r, nil)
  t.match(msg, "entry '%.%./%.%./evil%.log' refused")
  t.eq(code, expand.codes.unsafe)
  t.eq(fs.stat(fs.join(dir, "out3", "ok.log")), nil, "nothing written")
end)

t.test("zip: an entry that does not declare its size is refused before anything is written", function()
  local z = file("streamed.zip", zip { { "ok.log", "x" }, { "Panther/setupact.log", "hello\r\n", true } })
  local r, msg, code = expand.run(z, fs.join(dir, "out4"), { zip = true })
  t.eq(r, nil)
  t.match(msg, "entry 'Panther/setupact%.log': its header does not declare its size %(a streamed zip%)")
  t.eq(code, expand.codes.corrupt)
  t.eq(fs.stat(fs.join(dir, "out4", "ok.log")), nil, "nothing written")
end)

t.test("collected: logs found by name and by content, others left", function()
  local root = fs.join(dir, "tree")
  file("tree/a/CBS Win 10.log", CBS)
  file("tree/a/b/notes.txt", DISM)
  file("tree/rickaK77_setupact.log", "x\r\n")
  file("tree/WindowsUpdate.log", "2023-05-22 12:48:44.123 1234 Agent 0x80070003\r\n")
  file("tree/random.log", "nothing to see\r\n")
  file("tree/c/d/e/f/SetupDiagResults.log", "Matching Profile found: X\r\n")
  local c = t.ok(collected.open(root, { collected = { depth = 3 } }))
  local got = {}
  for _, f in ipairs(c.files) do got[fs.basename(f.path)] = f.group end
  t.eq(got["CBS Win 10.log"], "cbs", "by name")
  t.eq(got["notes.txt"], "dism", "by its first lines")
  t.eq(got["rickaK77_setupact.log"], "panther")
  t.eq(got["WindowsUpdate.log"], nil, "not a setup, DISM or CBS log")
  t.eq(got["random.log"], nil)
  t.eq(got["SetupDiagResults.log"], nil, "deeper than depth 3")
  t.eq(c.logs.panther.alias[fs.join(root, "rickaK77_setupact.log")], "setupact.log", "known as setupact.log")
  c:close()
end)

t.test("collected: a zip is expanded privately and removed by close", function()
  local root = fs.join(dir, "ztree")
  file("ztree/pc.zip", zip { { "Windows/Logs/CBS/CBS.log", CBS } })
  local c = t.ok(collected.open(root, {}))
  t.eq(#c.files, 1)
  local tmp = c.temps[1]
  t.ok(fs.isdir(tmp), "expanded into a work folder")
  t.eq(c:name(c.files[1].path), fs.join(root, "pc.zip") .. ":Windows/Logs/CBS/CBS.log", "named ZIP:member")
  c:close()
  t.eq(fs.stat(tmp), nil, "the work folder is gone")
end)

t.test("rules: each built-in one has its facts and a source URL", function()
  local list = neighbours.list({})
  t.ok(#list >= 8, "rules")
  for _, r in ipairs(list) do t.match(r.source, "^https://learn%.microsoft%.com/", r.id) end
  t.raises(function() neighbours.list({ rules = { add = { { id = "x", phase = "p", meaning = "m", fix = "f", tool = "t",
    signatures = { { text = "a", logs = { "cbs" } } } } } } }) end, "rule x needs source")
  t.raises(function() neighbours.list({ rules = { add = { list[1] } } }) end, "defined twice")
  t.eq(#neighbours.list({ rules = { disable = { list[1].id } } }), #list - 1, "disable")
end)

fs.rmtree(dir)
return t.done()
