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
--
--   servicing.prove(settings, after, repaired) -> { ok, how, lines }
--     after a repair, does servicing work again? ok: true, false, or nil
--     (could not be checked: lines say why). Live: settings.service
--     (TrustedInstaller) is started and must run. Under --root: the stack
--     CBS binds (the highest CBS\Version entry whose folder holds
--     cbscore.dll, from the diagnosis after the repair, `after`) is read
--     again and must be intact; each repaired folder (names, `repaired`)
--     whose version CBS\Version lists must be intact, and a line says
--     when that entry names another folder.
local fs = require "sxsfix.fs"
local reg = require "sxsfix.reg"
local service = require "sxsfix.service"
local stack = require "sxsfix.stack"

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

local function prove_live(settings)
  local name = settings.service.name
  if name == "" then return { how = "service", lines = { "no service set (settings.service.name): not checked" } } end
  local state, err = service.state(name)
  if state == "absent" then
    return { how = "service", lines = { "the service manager has no " .. name .. " service here: not checked" } }
  end
  if not state then return { how = "service", lines = { name .. ": state unknown: " .. tostring(err) } } end
  local ok, serr = service.start(name, settings.service.wait)
  local now = ok and service.state(name)
  if ok and now == "running" then
    return { ok = true, how = "service", lines = { name .. " started and runs" } }
  end
  return { ok = false, how = "service",
           lines = { name .. " does not run after the repair: " .. tostring(serr or now) } }
end

local function prove_offline(settings, after, repaired)
  local reg_ = after and after.registry or {}
  if reg_.error or not reg_.entries or #reg_.entries == 0 then
    return { how = "offline", lines = { "the CBS\\Version key could not be read" ..
      (reg_.error and (": " .. reg_.error) or "") .. ": not checked" } }
  end
  local out = { how = "offline", ok = true, lines = {} }
  local function say(good, fmt, ...)
    if not good then out.ok = false end
    out.lines[#out.lines + 1] = string.format(fmt, ...)
  end
  local active
  for _, e in ipairs(reg_.entries) do if e.bound then active = e end end
  if not active then say(false, "no CBS\\Version entry's folder holds cbscore.dll: CBS has no stack to bind")
  else  -- read again from the volume, now
    local f = require("sxsfix.diagnose").inspect(active.expanded, settings, settings.key_files)
    local why = {}
    for _, p in ipairs(f.problems or {}) do why[#why + 1] = p.file .. ": " .. p.problem end
    say(f.state == "ok", "the active stack (CBS binds it): %s, %s: %s", active.version, tostring(active.folder),
      f.state == "ok" and "cbscore.dll and the key files present and whole"
      or (f.state:upper() .. (#why > 0 and (" (" .. table.concat(why, "; ") .. ")") or "")))
  end
  for _, name in ipairs(repaired or {}) do
    local c = stack.parse(name)
    local entry
    for _, e in ipairs(reg_.entries) do
      if c and e.version == c.version then entry = e end
    end
    if not entry then
      out.lines[#out.lines + 1] = name .. ": its version is not in CBS\\Version (not a stack CBS binds)"
    elseif (entry.folder or ""):lower() ~= name:lower() then  -- a note: CBS binds the folder it names
      out.lines[#out.lines + 1] = string.format("CBS\\Version %s names %s, not the repaired folder %s",
        entry.version, tostring(entry.folder), name)
    else
      say(entry.state == "ok", "CBS\\Version %s names the repaired folder: %s", entry.version, entry.state:upper())
    end
  end
  return out
end

function M.prove(settings, after, repaired)
  if fs.root() then return prove_offline(settings, after, repaired) end
  return prove_live(settings)
end

return M
