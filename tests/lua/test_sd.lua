-- sxsfix.sd: descriptors from tables, back to tables and text; errors.
local t = require "t"
local sd = require "sxsfix.sd"

local TI = "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464"

t.test("encode, decode and format agree", function()
  local b = sd.encode { owner = TI, group = "S-1-5-18", protected = true,
    dacl = { { type = "allow", flags = "OICI", mask = "FA", sid = TI },
             { type = "deny", flags = 0x08, mask = 0x40000000, sid = "S-1-1-0" } },
    sacl = { { type = "audit", flags = "SAFA", mask = "GA", sid = "S-1-1-0" } } }
  local d = assert(sd.decode(b))
  t.eq(d.owner, TI)
  t.eq(d.group, "S-1-5-18")
  t.eq(d.control, 0x9014)
  t.eq(#d.dacl, 2)
  t.eq(d.dacl[1].type, "allow")
  t.eq(d.dacl[1].flags, 3)
  t.eq(d.dacl[1].mask, 0x1f01ff)
  t.eq(d.dacl[2].type, "deny")
  t.eq(d.sacl[1].type, "audit")
  t.eq(sd.format(b), "O:" .. TI .. " G:S-1-5-18 D:P(A;OICI;FA;;;" .. TI .. ")(D;IO;GW;;;S-1-1-0) S:(AU;SAFA;GA;;;S-1-1-0)")
  t.eq(sd.encode(d), b)  -- a decoded table encodes to the same bytes
end)

t.test("malformed bytes: nil and a message", function()
  local b = sd.encode { owner = TI, dacl = { { type = "allow", mask = "FA", sid = TI } } }
  local d, err, code, class = sd.decode(b:sub(1, #b - 4))
  t.eq(d, nil)
  t.ok(err:find("does not fit", 1, true), err)
  t.eq(type(code), "number"); t.eq(class, "input")
  local s, ferr = sd.format("short")
  t.eq(s, nil)
  t.ok(ferr:find("truncated", 1, true), ferr)
end)

t.test("bad tables raise", function()
  t.ok(not pcall(sd.encode, { owner = "S-1-x" }))
  t.ok(not pcall(sd.encode, { colour = "red" }))
  t.ok(not pcall(sd.encode, { dacl = { { type = "allow", mask = "FZ", sid = TI } } }))
  t.ok(not pcall(sd.encode, { dacl = { { type = "allow", mask = 1 } } }))
  t.ok(not pcall(sd.encode, { dacl = { { type = "maybe", mask = 1, sid = TI } } }))
end)

t.test("sd.get: nil for a file without an NT descriptor", function()
  local dir = assert(require("sxsfix.fs").tempdir("sdtest"))
  local f = dir .. "/x"
  assert(io.open(f, "w")):close()
  local b = sd.get(f)
  if b then t.ok(sd.decode(b), "a real descriptor decodes") end  -- Windows keeps one
  local r, err = sd.get(dir .. "/missing")
  t.eq(r, nil)
  t.ok(err, "a missing file is an error")
  require("sxsfix.fs").rmtree(dir)
end)

t.test("for_file: a folder's descriptor as a file created in it inherits it", function()
  local b = sd.encode { owner = TI, group = "S-1-5-18", protected = true,
    dacl = { { type = "allow", flags = "OICI", mask = "FA", sid = TI },
             { type = "allow", flags = "CI", mask = "FW", sid = "S-1-5-32-545" },   -- subfolders only
             { type = "allow", flags = "OICIIO", mask = "GA", sid = "S-1-3-0" },
             { type = "allow", mask = "FX", sid = "S-1-5-18" },                    -- the folder's own
             { type = "deny", flags = "OINP", mask = "FW", sid = "S-1-1-0" } },
    sacl = { { type = "audit", flags = "OICIFA", mask = "GW", sid = "S-1-1-0" } } }
  t.eq(sd.format(assert(sd.for_file(b))), "O:" .. TI .. " G:S-1-5-18 D:P(A;;FA;;;" .. TI ..
    ")(A;;GA;;;S-1-3-0)(D;;FW;;;S-1-1-0) S:(AU;FA;GW;;;S-1-1-0)")
  local f = sd.encode { owner = TI, dacl = { { type = "allow", mask = "FA", sid = TI } } }
  t.eq(sd.for_file(f), sd.encode { owner = TI, dacl = {} })  -- a file's: nothing passes on
  local d, err = sd.for_file(f:sub(1, 10))
  t.eq(d, nil)
  t.ok(err:find("truncated", 1, true), err)
end)

t.done()
