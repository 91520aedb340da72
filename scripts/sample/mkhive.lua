-- mkhive.lua OUT: write an empty registry hive (regf) with one root key and
-- one security descriptor, for hivexsh to fill in (scripts/sample-image.sh).
-- Run with: lua5.4 scripts/sample/mkhive.lua OUT (or sxsfix run ...)
--
-- Layout: a 4 KiB base block, then one 4 KiB hive bin holding the root key
-- (nk), its security cell (sk) and one free cell. Offsets of cells are
-- relative to the start of the first bin. Facts of the format: "regf"
-- base block with sequence numbers, version 1.3, root cell offset, bins
-- size, and at 508 the XOR of the first 127 dwords; "hbin" headers of 32
-- bytes; cells are a signed size (negative = in use) followed by data.
local out = assert(arg[1], "usage: mkhive.lua OUT")

local BIN = 4096
local FILETIME = 133700000000000000  -- a fixed time, so the output is reproducible

local function pad8(s)  -- cells are 8-byte aligned, size field included
  local n = #s + 4
  return s .. string.rep("\0", (8 - n % 8) % 8)
end
local function cell(data)
  data = pad8(data)
  return string.pack("<i4", -(#data + 4)) .. data
end

-- A self-relative security descriptor: owner and group BUILTIN\Administrators,
-- DACL granting full access to SYSTEM and Administrators.
local function sid(auth, ...)
  local subs = { ... }
  local s = string.pack("<BB", 1, #subs) .. string.pack(">I6", auth)
  for _, v in ipairs(subs) do s = s .. string.pack("<I4", v) end
  return s
end
local admins, system = sid(5, 32, 544), sid(5, 18)
local function ace(mask, who)
  return string.pack("<BBI2I4", 0, 0x02, 8 + #who, mask) .. who  -- allowed, container-inherit
end
local aces = ace(0xF003F, system) .. ace(0xF003F, admins)
local acl = string.pack("<BBI2I2I2", 2, 0, 8 + #aces, 2, 0) .. aces
local hdr = 20
local owner_off, group_off = hdr, hdr + #admins
local dacl_off = group_off + #admins
local sd = string.pack("<BBI2I4I4I4I4", 1, 0, 0x8004, owner_off, group_off, 0, dacl_off)
  .. admins .. admins .. acl

local NK_OFF = 0x20                    -- first cell after the bin header
local root_name = "ROOT"
local nk_len = 4 + #pad8(string.rep("\0", 76) .. root_name)
local SK_OFF = NK_OFF + nk_len

local nk = string.pack("<c2I2I8I4I4I4I4I4I4I4I4I4I4I4I4I4I4I4I2I2",
  "nk", 0x2C, FILETIME, 0, 0xFFFFFFFF,  -- flags: hive entry, no delete, ASCII name
  0, 0, 0xFFFFFFFF, 0xFFFFFFFF,          -- subkeys, volatile subkeys, their lists
  0, 0xFFFFFFFF,                         -- values and their list
  SK_OFF, 0xFFFFFFFF,                    -- security, class name
  0, 0, 0, 0, 0,                         -- max lengths, work var
  #root_name, 0) .. root_name
local sk = string.pack("<c2I2I4I4I4I4", "sk", 0, SK_OFF, SK_OFF, 1, #sd) .. sd

local cells = cell(nk) .. cell(sk)
assert(#cell(nk) == nk_len, "nk cell size")
local free = BIN - 0x20 - #cells
local bin = string.pack("<c4I4I4I8I8I4", "hbin", 0, BIN, 0, FILETIME, 0)
  .. cells .. string.pack("<i4", free) .. string.rep("\0", free - 4)
assert(#bin == BIN, "bin size")

local base = string.pack("<c4I4I4I8I4I4I4I4I4I4I4", "regf", 1, 1, FILETIME,
  1, 3, 0, 1, NK_OFF, BIN, 1)
base = base .. string.rep("\0", 508 - #base)
local x = 0
for i = 1, 508, 4 do x = x ~ string.unpack("<I4", base, i) end
if x == 0xFFFFFFFF then x = 0xFFFFFFFE elseif x == 0 then x = 1 end
base = base .. string.pack("<I4", x) .. string.rep("\0", 4096 - 512)

local f = assert(io.open(out, "wb"))
f:write(base, bin)
f:close()
