-- sxsfix.servicing: is a servicing operation already under way?
--
--   servicing.pending(settings) -> found, notes
--     found: { {what, detail}... }, empty when nothing is pending:
--       "pending.xml"      %windir%\WinSxS\pending.xml exists (CBS finishes
--                          an operation at the next boot)
--       "RebootPending"    the CBS key ...\Component Based Servicing\RebootPending exists
--       "SessionsPending"  its SessionsPending key holds a non-zero value
--                          (Exclusive, TotalSessionPhases)
--       "PendingFileRenameOperations"
--                          the Session Manager holds replacements at the
--                          next boot of others (ours, NAME.sxsfix-pendingN
--                          of an earlier repair, are not counted)
--     notes: what could not be read (not a reason to refuse), one line each
-- Under --root the keys are the offline hives' (SYSTEM: the control set
-- Select\Current names); live, the running system's.
local fs = require "sxsfix.fs"
local reg = require "sxsfix.reg"

local M = {}

-- The CBS key: the parent of settings.stack_key (...\Component Based Servicing).
function M.cbs_key(settings)
  return (settings.stack_key:gsub("\\[^\\]*$", ""))
end

function M.session_manager()
  if not fs.root() then return [[HKLM\SYSTEM\CurrentControlSet\Control\Session Manager]] end
  local cs, err = require("sxsfix.identity").control_set()
  if not cs then return nil, err end
  return string.format([[HKLM\SYSTEM\ControlSet%03d\Control\Session Manager]], cs)
end

local function ours(source)
  return source:lower():match("%.sxsfix%-pending%d*$") ~= nil
end

function M.pending(settings)
  local found, notes = {}, {}
  local function add(what, detail) found[#found + 1] = { what = what, detail = detail } end

  local xml = fs.join(settings.winsxs, "pending.xml")
  local st, _, code = fs.stat(xml)
  if st then add("pending.xml", (fs.map(xml) or xml) .. " exists")
  elseif code and fs.errkind(code) ~= "notfound" then notes[#notes + 1] = xml .. ": could not be checked" end

  local cbs = M.cbs_key(settings)
  local k, err = reg.key(cbs .. [[\RebootPending]])
  if k then add("RebootPending", cbs .. [[\RebootPending exists]])
  elseif err then notes[#notes + 1] = err end
  k, err = reg.key(cbs .. [[\SessionsPending]])
  if k then
    for _, v in ipairs(k.values or {}) do
      if math.type(v.value) == "integer" and v.value ~= 0 then
        add("SessionsPending", string.format([[%s\SessionsPending: %s = %d]], cbs, v.name, v.value))
        break
      end
    end
  elseif err then notes[#notes + 1] = err end

  local sm, serr = M.session_manager()
  local list
  if sm then list, serr = reg.get(sm, "PendingFileRenameOperations") end
  if type(list) == "table" then
    local n, first = 0, nil
    for i = 1, #list, 2 do
      local from = list[i]
      if type(from) == "string" and from ~= "" and not ours(from) then
        n, first = n + 1, first or from
      end
    end
    if n > 0 then
      add("PendingFileRenameOperations", string.format("%s: %d replacement(s) at the next boot (%s%s)",
        sm .. [[\PendingFileRenameOperations]], n, first, n > 1 and ", ..." or ""))
    end
  elseif serr then notes[#notes + 1] = serr end
  return found, notes
end

return M
