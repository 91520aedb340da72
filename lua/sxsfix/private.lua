-- sxsfix.private: the folders and files sxsfix keeps for itself (work,
-- backup, logs, repair history) are private to the administrators. A
-- standard user who could write there could swap a DLL between expansion
-- and copy, plant junctions, or forge the history.
--
--   private.folder(path) -> true | nil, msg, code
--     creates path private (fs.mkdir_private), or accepts an existing one
--     only when fs.check_private does; the message says how to remove it.
--   private.file(path) -> true | nil (absent) | nil, msg, code
--     an existing file (the history) is trusted only when private.
--   private.prepare(settings) -> true | nil, msg, code
--     the backup and log folders and the history's folder, parents first,
--     and the history file itself: what a repair writes besides its work.
local fs = require "sxsfix.fs"

local M = {}

-- How an administrator removes path, as a command for this system.
local function how_to_remove(path, dir)
  local native = fs.map(path) or path
  if fs.sep == "\\" then
    return dir and string.format('rmdir /s /q "%s"', native) or string.format('del /f "%s"', native)
  end
  return string.format("rm -rf '%s'", native)
end

local function refuse(path, msg, code, dir)
  return nil, string.format("%s (as an administrator: %s)", msg, how_to_remove(path, dir)), code
end

function M.folder(path)
  local ok, msg, code = fs.mkdir_private(path)
  if ok then return true end
  if code ~= fs.EEXIST then return nil, msg, code end
  local st = fs.stat(path)
  if st and st.type ~= "dir" and st.type ~= "link" then
    return refuse(path, fs.map(path) .. ": exists and is not a folder", code, false)
  end
  ok, msg, code = fs.check_private(path)
  if ok then return true end
  return refuse(path, msg, code, true)
end

function M.file(path)
  local st, serr, scode = fs.stat(path)
  if not st then
    if fs.errkind(scode) == "notfound" then return nil end  -- absent
    return nil, serr, scode
  end
  local ok, msg, code = fs.check_private(path)
  if ok then return true end
  return refuse(path, msg, code, st.type == "dir")
end

function M.prepare(settings)
  local folders = { settings.backup, settings.logdir }
  if settings.history then
    local parent = fs.dirname(settings.history)
    if parent ~= "" and parent ~= settings.history then folders[#folders + 1] = parent end
  end
  -- as native paths (a link out of --root fails here), parents first
  -- (C:\ProgramData\sxsfix before its Logs), each once
  local native, seen = {}, {}
  for _, f in ipairs(folders) do
    local n, msg, code = fs.map(f)
    if not n then return nil, msg, code end
    if not seen[n] then seen[n] = true; native[#native + 1] = n end
  end
  table.sort(native, function(a, b) return #a < #b end)
  for _, f in ipairs(native) do
    local ok, msg, code = M.folder(f)
    if not ok then return nil, msg, code end
  end
  if settings.history then
    local ok, msg, code = M.file(settings.history)
    if ok == nil and msg then return nil, msg, code end
  end
  return true
end

return M
