-- Servicing stack facts (sxsfix.stack) and the signature data.
local t = require "t"
local stack = require "sxsfix.stack"

local NEW = "amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.26100.5074_none_a5532eb7772ad4c4"
local OLD = "amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.26100.4652_none_77d853660bacf544"

t.test("parse component folder names", function()
  local c = t.ok(stack.parse(NEW))
  t.eq(c.arch, "amd64"); t.eq(c.name, "microsoft-windows-servicingstack")
  t.eq(c.key, "31bf3856ad364e35"); t.eq(c.version, "10.0.26100.5074")
  t.eq(c.culture, "none"); t.eq(c.hash, "a5532eb7772ad4c4")
  t.ok(stack.is_stack(c))
  local o = t.ok(stack.parse("wow64_microsoft-windows-servicingstack-onecore_31bf3856ad364e35_10.0.19041.1_en-us_0123456789abcdef"))
  t.eq(o.culture, "en-us"); t.ok(stack.is_stack(o))
  t.ok(not stack.is_stack(stack.parse("amd64_microsoft-windows-kernel32_31bf3856ad364e35_10.0.26100.1_none_0123456789abcdef")))
  t.eq(stack.parse("Manifests"), nil)
  t.eq(stack.parse("amd64_x_31bf3856_10.0.1.1_none_ab"), nil, "short key")
end)

t.test("parse real component names from collected logs", function()
  local p = t.testdata("misc/winsxs_component_dirnames_extracted_from_collected_logs.txt")
  local n, stacks = 0, 0
  for line in io.lines(p) do
    line = line:gsub("\r$", "")
    if line ~= "" then
      local c = stack.parse(line)
      if c then n = n + 1; if stack.is_stack(c) then stacks = stacks + 1 end end
    end
  end
  t.ok(n > 900, "most names parse (" .. n .. ")")
  t.eq(stacks, 17, "servicingstack folders among them")
end)

t.test("version order is numeric", function()
  t.eq(stack.vcmp("10.0.26100.5074", "10.0.26100.4652"), 1)
  t.eq(stack.vcmp("10.0.9.1", "10.0.10.1"), -1)
  t.eq(stack.vcmp("10.0.26100.5074", "10.0.26100.5074"), 0)
  t.eq(stack.build("10.0.26100.5074"), "26100")
  t.eq(stack.folder_of([[%SystemRoot%\WinSxS\]] .. NEW .. [[\]]), NEW)
end)

t.test("validate: the SSU must provide the damaged folders themselves", function()
  local ok, d = stack.validate({ NEW }, { NEW:upper() })
  t.ok(ok, "same name, other case")
  ok, d = stack.validate({ NEW }, { (NEW:gsub("^amd64", "arm64")) })
  t.ok(not ok); t.match(d.reason, "arm64"); t.eq(d.missing[1], NEW)
  ok, d = stack.validate({ NEW }, { (NEW:gsub("26100%.5074", "26100.5100")) })
  t.ok(not ok); t.match(d.reason, "10%.0%.26100%.5100")
  ok, d = stack.validate({ NEW }, { (NEW:gsub("26100%.5074", "22621.4000")) })
  t.ok(not ok); t.match(d.reason, "build 22621")
  ok, d = stack.validate({ NEW }, {})
  t.ok(not ok); t.match(d.reason, "no servicing stack folder")
  ok, d = stack.validate({}, { OLD })
  t.ok(not ok); t.match(d.reason, "nothing to repair")
end)

t.test("signatures are well-formed data", function()
  local seen = {}
  for _, s in ipairs(require "sxsfix.signatures") do
    t.eq(type(s.id), "string"); t.ok(not seen[s.id], "unique id " .. s.id); seen[s.id] = true
    t.eq(type(s.text), "string"); t.eq(type(s.meaning), "string")
    t.ok(type(s.logs) == "table" and #s.logs > 0, s.id .. " names its logs")
    local groups = require("sxsfix.defaults").logs
    for _, g in ipairs(s.logs) do t.ok(groups[g], s.id .. ": log group " .. g .. " exists") end
    t.ok(s.text ~= "0x80070003" or s.near, "a bare 0x80070003 needs context")
  end
end)

-- A PE file's first bytes: "MZ", e_lfanew = 0x40, "PE\0\0", an x64 file
-- header with a 0xF0-byte optional header whose SizeOfHeaders is hdrs.
local function pe(hdrs, opt)
  local h = "MZ" .. string.rep("\0", 58) .. string.pack("<I4", 0x40)
    .. "PE\0\0" .. string.pack("<I2I2I4I4I4I2I2", 0x8664, 0, 0, 0, 0, opt or 0xF0, 0x2022)
    .. string.pack("<I2", 0x20B) .. string.rep("\0", 58) .. string.pack("<I4", hdrs)
  return h .. string.rep("\0", 0x400 - #h)
end

t.test("PE header check", function()
  local h = pe(0x400)
  t.eq(stack.check_pe(h, 5000), nil, "whole PE file")
  t.eq(stack.check_pe(h:sub(1, 100), 5000), nil, "headers beyond what was read are not judged")
  t.eq(stack.check_pe("", 0), "empty (0 bytes)")
  t.eq(stack.check_pe(string.rep("\0", 64), 64), "all zeros (64 bytes)")
  t.match(stack.check_pe(string.rep("\0", 4096), 90000), "^zero%-filled %(90000 bytes")
  t.eq(stack.check_pe("ZM" .. h:sub(3), 5000), "not an executable: no MZ header")
  t.match(stack.check_pe(h:sub(1, 100), 100), "^truncated: 100 bytes, inside its PE headers")
  t.match(stack.check_pe(h:sub(1, 50), 50), "^truncated: 50 bytes, shorter than the DOS header")
  t.match(stack.check_pe(h:sub(1, 66), 66), "^truncated: 66 bytes, but its PE header is at offset 64")
  t.match(stack.check_pe(h, 0x300), "shorter than its headers %(SizeOfHeaders 1024%)")
  t.match(stack.check_pe(h:sub(1, 64) .. "NE\0\0" .. h:sub(69), 5000), "no PE signature at offset 64")
  t.eq(stack.check_pe(pe(0x400, 16), 0x300), nil, "no SizeOfHeaders in a 16-byte optional header")
  t.ok(stack.is_pe_name("en-US\\wcp.dll.MUI") and stack.is_pe_name("TiWorker.exe") and not stack.is_pe_name("x.manifest"))
  t.eq(stack.arch_name("amd64"), "x64")
end)

t.test("fs.head reads the first bytes only", function()
  local fs = require "sxsfix.fs"
  local dir = t.ok(fs.tempdir("sxsfix-head"))
  local f = fs.join(dir, "a.dll")
  t.ok(fs.writefile(f, pe(0x400) .. string.rep("x", 100000)))
  t.eq(#t.ok(fs.head(f, 4096)), 4096)
  t.eq(t.ok(fs.head(f, 4096)):sub(1, 2), "MZ")
  t.ok(fs.writefile(f, "MZ"))
  t.eq(fs.head(f, 4096), "MZ", "a shorter file whole")
  local none, msg, code = fs.head(fs.join(dir, "absent.dll"), 16)
  t.eq(none, nil); t.match(msg, "absent%.dll"); t.eq(fs.errkind(code), "notfound")
  t.raises(function() fs.head(f, -1) end, "0 to 1048576")
  if fs.sep == "/" and not fs.root() then  -- no %windir% here: an answer, not a raise
    local p, m = fs.resolve("%windir%\\x")
    t.eq(p, nil); t.match(m, "%-%-root")
  end
  t.ok(fs.rmtree(dir))
end)

return t.done()
