-- sxsfix.stack: facts about servicing stack folders, as pure functions.
--
-- A WinSxS component folder is named
--   ARCH_NAME_PUBLICKEYTOKEN_VERSION_CULTURE_HASH
--   amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.26100.5074_none_a5532eb7772ad4c4
-- CBS binds the servicing stack through the registry key
-- ...\Component Based Servicing\Version (value name = version, data = the
-- folder): the highest listed version whose folder holds cbscore.dll. A
-- repair must therefore restore the damaged folders themselves, under the
-- very same names; an SSU of another version adds a folder and fixes nothing.

local M = {}

-- The component name of the servicing stack itself (not -onecore etc.).
M.STACK = "microsoft-windows-servicingstack"

-- parse(folder) -> { folder, arch, name, key, version, culture, hash } | nil
function M.parse(folder)
  local arch, name, key, version, culture, hash =
    folder:match("^(%w+)_(.-)_(%x+)_(%d+%.%d+%.%d+%.%d+)_([%w%-]+)_(%x+)$")
  if not arch or #key ~= 16 then return nil end
  return { folder = folder, arch = arch:lower(), name = name:lower(), key = key:lower(),
           version = version, culture = culture:lower(), hash = hash:lower() }
end

-- is_stack(c): c (from parse) is a servicing stack component (any *servicingstack* name).
function M.is_stack(c)
  return c ~= nil and c.name:find("servicingstack", 1, true) ~= nil
end

-- vcmp(a, b) -> -1 | 0 | 1, comparing dotted versions number by number.
function M.vcmp(a, b)
  local pa, pb = {}, {}
  for n in a:gmatch("%d+") do pa[#pa + 1] = tonumber(n) end
  for n in b:gmatch("%d+") do pb[#pb + 1] = tonumber(n) end
  for i = 1, math.max(#pa, #pb) do
    local x, y = pa[i] or 0, pb[i] or 0
    if x ~= y then return x < y and -1 or 1 end
  end
  return 0
end

-- build(version) -> "26100" (the third part of 10.0.26100.5074)
function M.build(version)
  return version:match("^%d+%.%d+%.(%d+)")
end

-- The folder name at the end of a registry path such as
-- %SystemRoot%\WinSxS\amd64_..._none_a5532eb7772ad4c4
function M.folder_of(path)
  return (path:gsub("[\\/]+$", "")):match("([^\\/]+)$")
end

-- The file kinds whose headers are checked: Windows executables (PE files).
M.PE_EXT = { dll = true, exe = true, sys = true, mui = true }

-- is_pe_name(name) -> true for a .dll, .exe, .sys or .mui file name.
function M.is_pe_name(name)
  local ext = name:match("%.(%w+)$")
  return ext ~= nil and M.PE_EXT[ext:lower()] == true
end

-- check_pe(head, size) -> nil when the file looks like a whole PE file, else
-- why not. head: the file's first bytes (a few KiB), size: its length.
-- A PE file starts with "MZ"; the 32-bit value at 0x3C (e_lfanew) points at
-- "PE\0\0", then a 20-byte file header, then the optional header, whose
-- SizeOfHeaders (offset 60 in it, for PE32 and PE32+ alike) no whole file
-- is shorter than.
function M.check_pe(head, size)
  if size == 0 then return "empty (0 bytes)" end
  if not head:find("[^%z]") then
    return size <= #head and string.format("all zeros (%d bytes)", size)
      or string.format("zero-filled (%d bytes; the first %d are all zeros)", size, #head)
  end
  if head:sub(1, 2) ~= "MZ" then return "not an executable: no MZ header" end
  if #head < 0x40 then return string.format("truncated: %d bytes, shorter than the DOS header", size) end
  local lfanew = string.unpack("<I4", head, 0x3C + 1)
  if lfanew + 4 > size then
    return string.format("truncated: %d bytes, but its PE header is at offset %d", size, lfanew)
  end
  if lfanew + 4 > #head then return nil end  -- a header beyond what was read: not judged
  if head:sub(lfanew + 1, lfanew + 4) ~= "PE\0\0" then
    return string.format("no PE signature at offset %d (e_lfanew)", lfanew)
  end
  local at = lfanew + 24 + 60  -- SizeOfHeaders
  if at + 4 > size then
    return string.format("truncated: %d bytes, inside its PE headers", size)
  end
  if at + 4 > #head then return nil end
  local optsize = string.unpack("<I2", head, lfanew + 20 + 1)
  if optsize < 64 then return nil end  -- no SizeOfHeaders to compare with
  local hdrs = string.unpack("<I4", head, at + 1)
  if size < hdrs then
    return string.format("truncated: %d bytes, shorter than its headers (SizeOfHeaders %d)", size, hdrs)
  end
  return nil
end

-- arch_name(arch) -> the name Microsoft's downloads use: amd64 -> x64.
function M.arch_name(arch)
  return ({ amd64 = "x64", x86 = "x86", arm64 = "arm64", wow64 = "x64" })[arch] or arch
end

-- validate(damaged, provided) -> ok, details
--   damaged:  list of folder names that must be restored
--   provided: list of servicingstack folder names the SSU holds
-- ok when every damaged folder is provided under the same name (compared
-- case-insensitively, as Windows does). details = { missing = {...},
-- provided = {...}, reason = "..." } explains a refusal.
function M.validate(damaged, provided)
  local have = {}
  for _, p in ipairs(provided) do have[p:lower()] = p end
  local missing = {}
  for _, d in ipairs(damaged) do
    if not have[d:lower()] then missing[#missing + 1] = d end
  end
  if #damaged == 0 then
    return false, { missing = missing, provided = provided,
                    reason = "nothing to repair: no servicing stack folder is damaged" }
  end
  if #missing == 0 then return true, { missing = missing, provided = provided } end
  local want, got = M.parse(missing[1]), provided[1] and M.parse(provided[1])
  local reason
  if #provided == 0 then
    reason = "the update holds no servicing stack folder"
  elseif want and got and want.arch ~= got.arch then
    reason = string.format("the update is for %s, the damaged stack is %s", got.arch, want.arch)
  elseif want and got and M.build(want.version) ~= M.build(got.version) then
    reason = string.format("the update is for build %s, the damaged stack is build %s",
      M.build(got.version), M.build(want.version))
  elseif want and got then
    reason = string.format("the update is servicing stack %s, the damaged stack is %s",
      got.version, want.version)
  else
    reason = "the update does not hold the damaged folders"
  end
  return false, { missing = missing, provided = provided, reason = reason }
end

return M
