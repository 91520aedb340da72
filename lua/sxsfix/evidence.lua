-- sxsfix.evidence: finds the signatures (sxsfix.signatures) in the log
-- groups of the settings (sxsfix.defaults logs), one grep pass per group.
--
--   evidence.find(settings [, signatures]) ->
--     { items = { {signature, meaning, file, line, text, time, utc, epoch}... },
--         (time: the line's own time, the installation's local time, or the
--         file's time when the line has none; utc/epoch: the same in UTC)
--       history = { same, for lines older than the last repair },
--       errors = { {file, message, code}... },  -- unreadable logs (absent ones are not errors)
--       groups = { {name, dir, state, files, errors, message, code}... },
--       history_error = why the repair history was not trusted, or nil,
--       repaired = the last repair that stands, UTC ISO 8601, or nil,
--       zone = {name, offset, source, error}: the installation's time zone,
--       searched = number of files searched }
-- A group's state: "searched"; "not present" (its folder does not exist:
-- no upgrade was ever tried, say); "unreadable" (its folder cannot be
-- reached or read); "incomplete" (some of its files could not be read or
-- searched in full: access denied, a damaged cab member, a search error).
local fs = require "sxsfix.fs"
local grep = require "sxsfix.grep"
local clock = require "sxsfix.clock"

local M = {}

-- The signature list after settings.signatures.add / .disable.
function M.signatures(settings, base)
  local off = {}
  for _, id in ipairs(settings.signatures and settings.signatures.disable or {}) do off[id] = true end
  local list = {}
  for _, s in ipairs(base or require "sxsfix.signatures") do
    if not off[s.id] then list[#list + 1] = s end
  end
  for _, s in ipairs(settings.signatures and settings.signatures.add or {}) do
    assert(type(s.id) == "string" and type(s.text) == "string" and type(s.logs) == "table",
      "an added signature needs id, text and logs")
    if not off[s.id] then list[#list + 1] = s end
  end
  return list
end

-- "2024-10-08 10:12:05, Error ..." -> "2024-10-08 10:12:05"
local function line_time(text)
  return text:match("^(%d%d%d%d%-%d%d%-%d%d %d%d:%d%d:%d%d)")
end

-- When a log file was last written ("archive.cab:member" -> the cab), epoch.
local function file_time(file)
  local st = fs.stat(file) or fs.stat(file:match("^(.*%.[cC][aA][bB]):") or "")
  return st and st.mtime > 0 and math.floor(st.mtime) or nil
end

-- The repair history at path: its text ("" when it does not exist), or
-- nil, why: it is not a regular file (a FIFO would block the read), or is
-- longer than HISTORY_MAX (a line per repair; a larger one is not a
-- history sxsfix wrote, and reading it would take the memory it names).
M.HISTORY_MAX = 1024 * 1024  -- thousands of repairs; fs.head reads at most this
function M.read_history(path)
  local st, err, code = fs.stat(path)
  if not st then
    if fs.errkind(code) == "notfound" then return "" end
    return nil, err
  end
  if st.type ~= "file" then return nil, path .. ": not a regular file (" .. st.type .. ")" end
  if st.size > M.HISTORY_MAX then
    return nil, string.format("%s: longer than %d bytes: not read", path, M.HISTORY_MAX)
  end
  local text, rerr = fs.head(path, M.HISTORY_MAX)  -- at most that, should it grow meanwhile
  return text, rerr
end

-- The time (epoch) and text of the last repair line of settings.history
-- that no rollback undid, or nil, nil (and why the history was not
-- trusted). Each "TIME rolled back FOLDER" line (sxsfix rollback) cancels
-- the newest repair line before it that is not cancelled yet. Only a
-- private history counts (sxsfix.private: anyone else who can write it
-- could declare all evidence resolved), and lines dated in the future are
-- ignored. Times are compared as times (sxsfix.clock): a line is ISO 8601
-- with its offset, or an old "YYYY-MM-DD HH:MM:SS" in the installation's
-- local time.
local function last_history_line(settings, zone)
  if not settings.history or not fs.resolve(settings.history) then return nil end
  local ok, why = require("sxsfix.private").file(settings.history)
  if not ok then return nil, nil, why and (why .. "; the repair history is ignored") end
  local text, rerr = M.read_history(settings.history)
  if not text then return nil, nil, rerr .. "; the repair history is ignored" end
  zone = zone or clock.zone()
  local now, lines = os.time(), {}
  for line in text:gmatch("[^\r\n]+") do
    local t, rest = clock.parse_history(line, zone)
    if t and t <= now + 60 then lines[#lines + 1] = { t = t, line = line, rest = rest, n = #lines } end
  end
  table.sort(lines, function(a, b) return a.t < b.t or (a.t == b.t and a.n < b.n) end)
  local live = {}  -- the repairs not rolled back, oldest first
  for _, l in ipairs(lines) do
    if l.rest:match("^ rolled back ") then
      -- it cancels the repair that names one of its journals (a repair
      -- killed midway has none: then nothing), else the newest one
      local mine, hit = {}, nil
      for j in l.rest:gmatch("| journal (.-) sha256:") do mine[M.path_key(j)] = true end
      for i = #live, 1, -1 do
        for j in live[i].rest:gmatch("| journal (.-) sha256:") do
          if mine[M.path_key(j)] then hit = i end
        end
        if hit then break end
      end
      if hit then table.remove(live, hit) elseif not next(mine) then live[#live] = nil end
    elseif not l.rest:match("^ rolling back ") and not l.rest:match("^ repairing ") then
      live[#live + 1] = l  -- a rollback's or a repair's start is neither
    end
  end
  local top = live[#live]
  if top then return top.t, top.line end
  return nil
end

-- The time of the last successful repair, or nil (and why the history was
-- not trusted).
function M.last_repair(settings, zone)
  local t, _, why = last_history_line(settings, zone)
  return t, why
end

-- The journals whose files in use the last repair scheduled for the next
-- boot (its history line ends "| reboot pending: J1 | J2"); {} when none.
function M.pending_journals(settings)
  local _, line = last_history_line(settings)
  local out = {}
  local tail = line and line:match("| reboot pending: (.*)$")
  for j in (tail or ""):gmatch("[^|]+") do
    j = j:match("^%s*(.-)%s*$")
    if j ~= "" then out[#out + 1] = j end
  end
  return out
end

-- The same without resolving: "/" for "\\", lower case.
function M.path_key(path)
  return (path:gsub("[\\/]+", "/"):lower())
end

-- A path as history_journals keys it: resolved, "/" for "\\", lower case.
function M.journal_key(path)
  local where = fs.resolve(path)
  return where and M.path_key(where)
end

-- path (a journal or folder below the installation's backup folder, as
-- found: through --root) as the repair history spells it: from
-- settings.backup on (%ProgramData%\sxsfix\Backup\...), as the repair's
-- line does; any other path as it is.
function M.history_spelling(settings, path)
  local base, where = fs.resolve(settings.backup), fs.resolve(path)
  if not base or not where then return path end
  base, where = base:gsub("[\\/]+", "/"):gsub("/$", ""), where:gsub("[\\/]+", "/")
  if where:sub(1, #base + 1):lower() ~= (base .. "/"):lower() then return path end
  local out = settings.backup
  for part in where:sub(#base + 2):gmatch("[^/]+") do out = fs.join(out, part) end
  return out
end

-- The journals the history names with their content hash (each repair
-- line, and each rollback line, names "| journal PATH sha256:HEX" for the
-- journals it wrote or left): { [journal_key(path)] = hex }, the
-- last line naming a journal winning; {} when the history is absent or
-- not private (then nothing in it is trusted), and why.
-- Third result: { [key] = true } for the journals a "TIME rolling back
-- FOLDER | journal ..." line names (sxsfix rollback writes it before it
-- changes anything); fourth: { [key] = line number } of the last line
-- naming each journal (a journal named under an old mount point and again
-- under a new one: the later line wins). Keys are journal_key's, or
-- path_key's for a path that does not resolve here (another mount);
-- fifth: { [key] = true } for the journals a "TIME repairing NAMES |
-- journal J ..." line names (written before a repair changes anything).
function M.history_journals(settings)
  local out, started, order, begun = {}, {}, {}, {}
  if not settings.history or not fs.resolve(settings.history) then return out, nil, started, order, begun end
  local ok, why = require("sxsfix.private").file(settings.history)
  if not ok then return out, why, started, order, begun end
  local text, rerr = M.read_history(settings.history)
  if not text then return out, rerr, started, order, begun end
  local n = 0
  for line in text:gmatch("[^\r\n]+") do
    n = n + 1
    local start = line:match("^%S+ rolling back ") ~= nil
    for path, hex in line:gmatch("| journal (.-) sha256:(%x+)") do
      local k = M.journal_key(path) or M.path_key(path)
      if #hex == 64 then out[k], order[k] = hex:lower(), n end
      if start then started[k] = true end
    end
    if line:match("^%S+ repairing ") then
      for path in (line .. " |"):gmatch("| journal (.-) |") do
        begun[M.journal_key(path) or M.path_key(path)] = true
      end
    end
  end
  return out, nil, started, order, begun
end

-- True when one of the '|'-separated texts of near is on a context line.
local function near_ok(sig, m)
  local lines = { m.text }
  for _, c in ipairs(m.before or {}) do lines[#lines + 1] = c.text end
  for _, c in ipairs(m.after or {}) do lines[#lines + 1] = c.text end
  for alt in sig.near:gmatch("[^|]+") do
    for _, l in ipairs(lines) do
      if l:find(alt, 1, true) then return true end
    end
  end
  return false
end

-- True when the line holds one of the '|'-separated texts of sig.exclude.
local function excluded(sig, text)
  for alt in (sig.exclude or ""):gmatch("[^|]+") do
    if text:find(alt, 1, true) then return true end
  end
  return false
end

local function absent(e)
  return e.code ~= nil and fs.errkind(e.code) == "notfound"
end

-- The state of a log group's folder before searching: nil when it can be
-- searched, else a group record ("not present" or "unreadable").
local function folder_state(name, dir)
  local where, werr = fs.resolve(dir)
  if not where then return { name = name, dir = dir, state = "unreadable", message = werr, files = 0, errors = {} } end
  local st, msg, code = fs.stat(dir, { follow = true })
  if st and st.type == "dir" then
    local _, lmsg, lcode = fs.isempty(dir)  -- can it be listed?
    if not lmsg then return nil end
    return { name = name, dir = dir, state = "unreadable", message = lmsg, code = lcode, files = 0, errors = {} }
  end
  if not st and fs.errkind(code) == "notfound" then return { name = name, dir = dir, state = "not present", files = 0, errors = {} } end
  return { name = name, dir = dir, state = "unreadable", message = msg or (where .. ": not a folder"),
           code = code, files = 0, errors = {} }
end

function M.find(settings, base)
  local sigs = M.signatures(settings, base)
  local rank, byid = {}, {}
  for i, s in ipairs(sigs) do rank[s.id], byid[s.id] = i, s end
  local names = {}
  for name in pairs(settings.logs) do names[#names + 1] = name end
  table.sort(names)

  local zone = clock.zone()  -- the installation's: its logs are in its local time
  local best, errors, searched, seen_err, groups = {}, {}, {}, {}, {}
  for _, group in ipairs(names) do
    local g = settings.logs[group]
    local pats, context = {}, 0
    for _, s in ipairs(sigs) do
      for _, lg in ipairs(s.logs) do
        if lg == group then
          pats[#pats + 1] = { id = s.id, pattern = s.text, fixed = s.fixed and true or false }
          if s.near then context = math.max(context, s.within or 5) end
        end
      end
    end
    local gs = #pats > 0 and folder_state(group, g.dir)
    if gs then groups[#groups + 1] = gs end
    if #pats > 0 and not gs then
      local rec = { name = group, dir = g.dir, state = "searched", files = 0, errors = {} }
      groups[#groups + 1] = rec
      local paths = {}
      for _, f in ipairs(g.files) do paths[#paths + 1] = fs.join(g.dir, f) end
      local set <close>, cerr = grep.compile(pats, { context = context })
      if not set then error("signatures: " .. cerr, 0) end  -- a step failure, as any bad setting
      local matches, errs, files = set:search(paths)
      for _, f in ipairs(files or {}) do searched[f.file] = true end
      rec.files = #(files or {})
      for _, e in ipairs(errs or {}) do
        if not absent(e) and not seen_err[e.file .. "\0" .. e.message] then
          seen_err[e.file .. "\0" .. e.message] = true
          local err = { file = e.file, message = e.message, code = e.code }
          errors[#errors + 1] = err
          rec.errors[#rec.errors + 1] = err
          rec.state = "incomplete"
        end
      end
      for _, m in ipairs(matches or {}) do
        local s = byid[m.pattern]
        local name = g.alias and g.alias[m.file] or fs.basename(m.file)  -- alias: a collected log's role
        if s and (not s.file or name:lower() == s.file:lower())
            and (not s.near or near_ok(s, m)) and not excluded(s, m.text) then
          local key = m.file .. "\0" .. m.line
          local cur = best[key]
          if not cur or rank[s.id] < rank[cur.signature] then
            local t = line_time(m.text)
            local epoch = t and clock.from_local(t, zone) or file_time(m.file)
            best[key] = { signature = s.id, meaning = s.meaning, file = m.file, line = m.line,
                          text = m.text, time = t or (epoch and clock.iso(epoch)), epoch = epoch,
                          utc = epoch and clock.iso(epoch) }
          end
        end
      end
    end
  end

  local repaired, history_error = M.last_repair(settings, zone)
  local items, history = {}, {}
  for _, ev in pairs(best) do
    if repaired and ev.epoch and ev.epoch < repaired then history[#history + 1] = ev
    else items[#items + 1] = ev end
  end
  local function order(a, b)
    if a.file ~= b.file then return a.file < b.file end
    return a.line < b.line
  end
  table.sort(items, order)
  table.sort(history, order)
  local n = 0
  for _ in pairs(searched) do n = n + 1 end
  return { items = items, history = history, errors = errors, groups = groups, searched = n,
           repaired = repaired and clock.iso(repaired), history_error = history_error,
           zone = { name = zone.name, offset = clock.offset_text(zone), source = zone.source, error = zone.error } }
end

return M
