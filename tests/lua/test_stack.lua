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

-- Component manifests (sxsfix.manifest).
local manifest = require "sxsfix.manifest"

local SHA = "http://www.w3.org/2000/09/xmldsig#sha256"
local function entry(name, b64, alg)
  return string.format('<file name="%s" destinationPath="$(runtime.system32)\\"><asmv2:hash xmlns:asmv2="urn:schemas-microsoft-com:asm.v2">'
    .. '<dsig:DigestMethod xmlns:dsig="http://www.w3.org/2000/09/xmldsig#" Algorithm="%s" />'
    .. '<dsig:DigestValue xmlns:dsig="http://www.w3.org/2000/09/xmldsig#">%s</dsig:DigestValue></asmv2:hash></file>\n',
    name, alg or SHA, b64)
end
local function asm(...) return '<?xml version="1.0"?>\n<assembly xmlns="urn:schemas-microsoft-com:asm.v3">\n' .. table.concat({ ... }) .. "</assembly>\n" end
local B64_32 = "qyu+yT+ir3B9nFWz20Qt3mVh0XmeU+dMf2NFJSmJeYw="

t.test("manifest: strict base64", function()
  t.eq(manifest.base64("TWFu"), "Man"); t.eq(manifest.base64("TWE="), "Ma"); t.eq(manifest.base64("TQ=="), "M")
  t.eq(#manifest.base64(B64_32), 32)
  for _, bad in ipairs({ "", "TWF", "TW=u", "T===", "TQ==TWFu", "TWF*", "TWFu\n" }) do
    t.eq(manifest.base64(bad), nil, "rejects " .. bad)
  end
end)

t.test("manifest: file names stay inside the component folder", function()
  t.eq(manifest.safe_name("wcp.dll"), "wcp.dll")
  t.eq(manifest.safe_name("en-US\\wcp.dll.mui"), "en-US/wcp.dll.mui")
  for name, why in pairs({ ["..\\x.dll"] = "'%.%.'", ["a\\..\\..\\x"] = "'%.%.'", ["a/b"] = "'/'",
                           ["C:\\Windows\\win.ini"] = "absolute", ["\\x.dll"] = "absolute",
                           ["a\\\\b"] = "empty path component", [""] = "empty name", ["x.dll."] = "dot or space",
                           ["ab:c"] = "not allow", ["a\1b"] = "not allow", [string.rep("a", 2000)] = "longer" }) do
    local ok, msg = manifest.safe_name(name)
    t.eq(ok, nil, name); t.match(msg, why, name)
  end
end)

t.test("manifest: parse the real shape, and refuse what it is not", function()
  local m = t.ok(manifest.parse(asm(entry("wcp.dll", B64_32), entry("a&amp;b.dll", B64_32),
    '<file name="nohash.cat" />\n', entry("old.dll", "AAAAAAAAAAAAAAAAAAAAAAAAAAA=", "http://www.w3.org/2000/09/xmldsig#sha1"))))
  t.eq(#m.files, 4)
  t.eq(m.files[1].rel, "wcp.dll"); t.eq(m.files[1].alg, "sha256")
  t.eq(m.files[1].hex, "ab2bbec93fa2af707d9c55b3db442dde6561d1799e53e74c7f6345252989798c")
  t.eq(m.files[2].name, "a&b.dll"); t.eq(m.files[3].hex, nil); t.eq(m.files[4].alg, "sha1")
  t.eq(#t.ok(manifest.parse(asm(entry("x", B64_32, "urn:md5")))).files, 1, "an unknown algorithm: presence only")
  local function refused(text, state, pat)
    local ok, msg, st = manifest.parse(text, "M")
    t.eq(ok, nil, pat); t.eq(st, state, pat); t.match(msg, pat)
  end
  refused("DCM\1PA30" .. string.rep("\0", 40), "compressed", "^M: compressed %(DCM/PA30")
  refused("<notes/>", "invalid", "no <assembly>")
  refused("\xff\xfe<\0a\0", "invalid", "UTF%-16")
  refused(asm(entry("a.dll", B64_32), entry("A.DLL", B64_32)), "invalid", 'name="A.DLL"> is listed twice')
  refused(asm(entry("..\\x.dll", B64_32)), "invalid", "outside the component folder")
  refused(asm(entry("a.dll", "!!!!")), "invalid", 'DigestValue "!!!!" is not the base64 of a 32%-byte sha256')
  refused(asm(entry("a.dll", "TWFu")), "invalid", "32%-byte")
  refused('<assembly><file name="a.dll"', "invalid", "never ends")
  refused(asm('<file name="a.dll">'), "invalid", "without </file>")
  refused(asm('<file sourceName="a.dll"/>'), "invalid", "without a name")
  refused(asm('<file name="a&bogus;.dll"/>'), "invalid", "bad XML entity")
  -- a decoder for DCM (none is built in): what it returns is parsed as any manifest
  manifest.decoders[1] = function(data) return data:sub(5, 8) == "PA30" and asm(entry("d.dll", B64_32)) or nil end
  local dm = manifest.parse("DCM\1PA30....", "M")
  manifest.decoders[1] = nil
  t.eq(dm and dm.files[1].name, "d.dll", "a DCM manifest through a decoder")
  local keep = manifest.MAX_FILES
  manifest.MAX_FILES = 3
  local ok, msg, st = manifest.parse(asm(entry("1", B64_32), entry("2", B64_32), entry("3", B64_32), entry("4", B64_32)))
  manifest.MAX_FILES = keep
  t.eq(ok, nil); t.eq(st, "too-big"); t.match(msg, "more than 3 <file> entries")
end)

t.test("manifest: a folder checked against it, files read inside the folder only", function()
  local fs = require "sxsfix.fs"
  local auth = require "sxsfix.authenticode"
  local dir = t.ok(fs.tempdir("sxsfix-manifest"))
  local comp = fs.join(dir, "comp")
  t.ok(fs.mkdirs(fs.join(comp, "en-US")))
  t.ok(fs.writefile(fs.join(comp, "a.dll"), "alpha"))
  t.ok(fs.writefile(fs.join(comp, "en-US/a.dll.mui"), "beta"))
  t.ok(fs.writefile(fs.join(comp, "c.dll"), "DCS\1 stored compressed"))
  local function b64(path)  -- the file's SHA-256 as a manifest writes it
    local h = t.ok(auth.hash(path, "sha256"))
    local raw = h:gsub("%x%x", function(x) return string.char(tonumber(x, 16)) end)
    local a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    local out = raw:gsub("()(..?.?)", function(_, c)
      local n = (c:byte(1) << 16) | ((c:byte(2) or 0) << 8) | (c:byte(3) or 0)
      local s = ""
      for k = 3, 0, -1 do s = s .. a:sub(((n >> (6 * k)) & 63) + 1, ((n >> (6 * k)) & 63) + 1) end
      return #c == 3 and s or s:sub(1, #c + 1) .. string.rep("=", 3 - #c)
    end)
    return out
  end
  local m = t.ok(manifest.parse(asm(entry("a.dll", b64(fs.join(comp, "a.dll"))),
    entry("en-US\\a.dll.mui", b64(fs.join(comp, "en-US/a.dll.mui"))), entry("b.dll", B64_32), entry("c.dll", B64_32))))
  t.eq(manifest.base64(b64(fs.join(comp, "a.dll"))):len(), 32, "the test's own base64")
  local r = manifest.check(comp, m)
  t.eq(r.checked, 3); t.eq(#r.problems, 1); t.eq(r.problems[1].file, "b.dll"); t.match(r.problems[1].problem, "^missing")
  t.eq(#r.notes, 1); t.match(r.notes[1], "c%.dll: kept in the store's DCS form")
  t.ok(fs.writefile(fs.join(comp, "a.dll"), "alphA"))
  r = manifest.check(comp, m, { ["b.dll"] = true })
  t.eq(#r.problems, 1); t.eq(r.problems[1].file, "a.dll"); t.match(r.problems[1].problem, "^content differs from its component manifest %(SHA256 ")
  t.ok(fs.rmtree(dir))
end)

-- The real manifests of the Windows 7 updates in testdata (plain XML; no
-- DCM there): each names its files with SHA-256 digests, and those files
-- are in the same cab under FOLDER\NAME, as _manifest_.cix.xml lists them
-- (as PA30 deltas, not as the files: their digests cannot be compared).
t.test("manifest: real manifests from an update's cab", function()
  local fs = require "sxsfix.fs"
  local expand = require "sxsfix.expand"
  for _, kb in ipairs({ "KB2999226", "KB3118401" }) do
    local cab = t.testdata("cabs/msu/inner/Windows6.1-" .. kb .. "-x64/Windows6.1-" .. kb .. "-x64.cab")
    local dir = t.ok(fs.tempdir("sxsfix-realman"))
    t.ok(expand.run(cab, fs.join(dir, "x")))
    local cix = t.ok(fs.readfile(fs.join(dir, "x/_manifest_.cix.xml")))
    local listed, raw = {}, 0
    local at = cix:find("<File ", 1, true)
    while at do  -- one entry each: up to the next <File
      local nxt = cix:find("<File ", at + 1, true)
      local seg = cix:sub(at, (nxt or #cix + 1) - 1)
      local name = seg:match('^<File id="%d+" name="([^"]+)"')
      if name then listed[name:lower()] = seg:match('<Source type="(%w+)"') or "?" end
      at = nxt
    end
    local manifests, files, named, folders = 0, 0, {}, {}
    for _, rel in ipairs(t.ok(fs.list(fs.join(dir, "x"), { type = "file" }))) do
      if rel:match("%.manifest$") then
        local m = t.ok(manifest.read(fs.join(dir, "x/" .. rel)))
        manifests = manifests + 1
        local folder = rel:gsub("%.manifest$", "")
        folders[folder:lower()] = true
        for _, f in ipairs(m.files) do
          files = files + 1
          t.eq(f.alg, "sha256", rel); t.eq(#f.hex, 64, rel)
          named[(folder .. "\\" .. f.name):lower()] = true
          local kind = listed[(folder .. "\\" .. f.name):lower()]
          t.ok(kind, folder .. "\\" .. f.name .. " is in the cab")
          if kind == "RAW" then raw = raw + 1 end
        end
      end
    end
    for name in pairs(listed) do  -- and every file the cab holds for a component is in its manifest
      local folder = name:match("^(.-)\\")
      if folder and folders[folder] then t.ok(named[name], name .. " is named by its manifest") end
    end
    t.eq(manifests, 10, kb .. ": component manifests in the cab")
    t.ok(files >= 10, "files named by them (" .. files .. ")")
    t.eq(raw, 0, "the cab holds the files as PA30 deltas only")
    t.ok(fs.rmtree(dir))
  end
end)

return t.done()
