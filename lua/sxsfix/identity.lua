-- sxsfix.identity: which machine a report is about, and when.
--
--   identity.system(settings) -> { computer_name, build, ubr, edition, product,
--                                  display_version, errors = {...} | nil }
--   identity.computer_name() -> name | nil, msg
--   identity.now() -> "2026-12-02T16:40:00Z" (UTC, ISO 8601)
--   identity.control_set() -> N of HKLM\SYSTEM\ControlSet00N (offline) | nil, msg
--   identity.product(product_name, build) -> the product name as the admin
--       knows it: build 22000 and later is Windows 11 whatever ProductName
--       says (the registry keeps "Windows 10 ..." there)
--
-- Live, the computer name comes from the OS (host.computername). Under
-- --root it comes from the installation's own SYSTEM hive:
-- HKLM\SYSTEM\ControlSet00N\Control\ComputerName\ComputerName, where N is
-- HKLM\SYSTEM\Select\Current (the control set Windows boots with).
local host = require "sxsfix.host"
local fs = require "sxsfix.fs"
local reg = require "sxsfix.reg"

local M = {}

M.SELECT = [[HKLM\SYSTEM\Select]]
M.NAME_KEY = [[HKLM\SYSTEM\ControlSet%03d\Control\ComputerName\ComputerName]]

function M.product(name, build)
  if type(name) ~= "string" then return name end
  local b = tonumber(build)
  if b and b >= 22000 then
    name = name:gsub("^(Windows )10(%f[%D])", "%111%2")
  end
  return name
end

function M.now()
  return os.date("!%Y-%m-%dT%H:%M:%SZ")
end

-- The control set the offline installation boots with (SYSTEM\Select\Current).
function M.control_set()
  local current, err = reg.get(M.SELECT, "Current")
  if current == nil then return nil, err or (M.SELECT .. ": no value Current") end
  if math.type(current) ~= "integer" or current < 1 or current > 999 then
    return nil, M.SELECT .. ": Current is not a control set number (" .. tostring(current) .. ")"
  end
  return current
end

-- The offline installation's computer name, from its SYSTEM hive.
local function offline_name()
  local current, err = M.control_set()
  if not current then return nil, err end
  local key = string.format(M.NAME_KEY, current)
  local name, nerr = reg.get(key, "ComputerName")
  if type(name) ~= "string" or name == "" then return nil, nerr or (key .. ": no value ComputerName") end
  return name
end

function M.computer_name()
  if fs.root() then return offline_name() end
  return host.computername()
end

-- The identity fields of every report. version_key: where build, UBR and
-- edition are (settings.version_key). Failures are kept as reasons.
function M.system(settings)
  local sys, errors = {}, {}
  local name, nerr = M.computer_name()
  sys.computer_name = name
  if not name then errors[#errors + 1] = "computer name: " .. tostring(nerr) end
  local k, kerr = reg.key(settings.version_key)
  local v = {}
  for _, val in ipairs(k and k.values or {}) do v[val.name:lower()] = val.value end
  if not k then errors[#errors + 1] = "version: " .. (kerr or ("missing key " .. settings.version_key)) end
  sys.build = v.currentbuild or v.currentbuildnumber
  sys.ubr = v.ubr
  sys.edition = v.editionid
  sys.product = M.product(v.productname, sys.build)
  sys.display_version = v.displayversion
  if #errors > 0 then sys.errors = errors end
  return sys
end

return M
