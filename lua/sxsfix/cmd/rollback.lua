-- sxsfix rollback JOURNAL|FOLDER|--last: undo a copy from its journal
-- (newest first): overwritten files get their backed-up bytes and metadata
-- back in place, created files and folders are removed, folders get their
-- metadata back. FOLDER is a backup folder as repair prints it
-- (BACKUP/<time>, holding 1/journal.txt, 2/journal.txt...: undone last to
-- first) or a copy's --backup folder (journal.txt); --last is the newest
-- <time> folder in this installation's backup folder (settings.backup).
-- Refuses a journal whose destination is not the folder it was written
-- for, or that others could have written; under --root, one naming a
-- destination or backup outside the root, and one that the installation's
-- repair history does not name with its SHA-256 (unless --trust-journal);
-- a journal written under another --root (the volume mounted elsewhere) has
-- its paths read below this one. Leaves items changed after the
-- copy as they are. Cancels the replacements at the next boot it scheduled
-- for files in use, and starts a service it stopped again. Records its
-- progress: a second run after a complete one does nothing, a run after an
-- interrupted one finishes it (under --root too: the progress goes to
-- JOURNAL.rollback, so the journal keeps the hash the history names).
local args = require "sxsfix.args"
local copy = require "sxsfix.copy"
local fs = require "sxsfix.fs"

-- A repair's backup folder: its UTC time, "-2" to "-9" for a later repair
-- in the same second (repair.lua); these sort by name in time order.
local function stamp(name)
  return name:match("^%d%d%d%d%d%d%d%d%-%d%d%d%d%d%d$") or name:match("^%d%d%d%d%d%d%d%d%-%d%d%d%d%d%d%-[2-9]$")
end

-- A journal is hostile input too: a regular file of at most JOURNAL_MAX
-- bytes (a record per change; hashing a larger one would take as long as
-- it names), not a link (not followed) or a FIFO (it would block); true,
-- or nil, one line naming path and what was expected.
local JOURNAL_MAX = 256 * 1024 * 1024
local function plain(path, want)
  local st, err = fs.stat(path)
  if not st then return nil, tostring(err) end
  if st.type == "link" then
    return nil, path .. ": a link, not followed (expected the " .. want .. " itself)"
  end
  if want == "journal" and st.type ~= "file" then
    return nil, path .. ": not a regular file (" .. st.type .. "; expected a journal)"
  end
  if want == "journal" and st.size > JOURNAL_MAX then
    return nil, string.format("%s: longer than %d bytes (expected a journal): not read", path, JOURNAL_MAX)
  end
  return true
end

-- true when the journal path is there and plain, false when absent; nil, msg.
local function present(path)
  local st, err, code = fs.stat(path)
  if st then return plain(path, "journal") end
  if fs.errkind(code) == "notfound" then return false end
  return nil, tostring(err)  -- a link out of --root on the way, ...
end

-- The journals of a backup folder, in the order to undo them; nil, msg.
local function journals_in(dir)
  local own = fs.join(dir, "journal.txt")
  local here, err = present(own)
  if here == nil then return nil, err end
  if here then return { own } end
  local names, lerr = fs.list(dir, { type = "dir" })
  if not names then return nil, lerr end
  local nums = {}
  for _, n in ipairs(names) do
    if n:match("^%d+$") then
      local ok, jerr = present(fs.join(dir, n, "journal.txt"))
      if ok == nil then return nil, jerr end
      if ok then nums[#nums + 1] = tonumber(n) end
    end
  end
  if #nums == 0 then
    return nil, dir .. ": no journal in this folder (expected journal.txt or 1/journal.txt, as repair writes)"
  end
  table.sort(nums, function(a, b) return a > b end)
  local out = {}
  for i, n in ipairs(nums) do out[i] = fs.join(dir, tostring(n), "journal.txt") end
  return out
end

-- The newest BACKUP/<time> folder of this installation; nil, msg.
local function last_backup(settings)
  local base, merr = fs.map(settings.backup)
  if not base then return nil, merr end
  local names = fs.list(base, { type = "dir" })
  if not names then return nil, base .. ": no backup folder (no repair was applied here)" end
  local best
  for _, n in ipairs(names) do
    if stamp(n) and (not best or n > best) then best = n end
  end
  if not best then return nil, base .. ": no backup folder of a repair (expected YYYYMMDD-HHMMSS)" end
  return fs.join(base, best)
end

-- The repair backup folder (BACKUP/<time>) that path is or lies in (a
-- journal BACKUP/<time>/N/journal.txt, its folder N), or nil.
local function repair_folder(path)
  local p = path
  for _ = 1, 3 do
    if stamp(fs.basename(p)) then return p end
    local up = fs.dirname(p)
    if up == "" or up == p then return nil end
    p = up
  end
end

local function sha256(path)
  local ok, hex = pcall(require("sxsfix.authenticode").hash, path, "sha256")
  return ok and hex or nil  -- a path hash refuses (a link out of --root): no hash
end

-- Under --root a journal is input from the image: it is trusted only when
-- this installation's repair history names it with its content hash (the
-- repair wrote it so; a rollback never changes it: its progress goes to
-- JOURNAL.rollback). That progress file, when there is one, is honoured
-- only when the history says a rollback of this journal started ("rolling
-- back", written before anything changes): one planted in the image
-- could mark records undone. true, or nil, msg.
local function trusted(settings, journal)
  local evidence = require "sxsfix.evidence"
  local named, why, started, order, begun = evidence.history_journals(settings)
  local key = evidence.journal_key(journal)
  local here = key
  local was = copy.mounted_path(journal)  -- the volume mounted elsewhere then: named there, maybe later
  local old = was and (evidence.journal_key(was) or evidence.path_key(was))
  if old and named[old] and (order[old] or 0) > (key and order[key] or 0) then key = old end
  local want, have = key and named[key], sha256(fs.resolve(journal) or journal)
  -- a repair killed before its "repaired" line: its "repairing" line,
  -- written before it changed anything, names the journal (no hash yet)
  if not want and not why and have and here and begun[here] then want = have:lower() end
  if want and have and want == have:lower() then
    if not fs.stat(journal .. ".rollback") or started[key] or (here and started[here]) then return true end
    return nil, journal .. ".rollback: rollback progress no rollback in the repair history started " ..
      "(a rollback writes \"rolling back\" there first); one found in the image is used only then " ..
      "(or with --trust-journal); nothing rolled back"
  end
  local reason = why and ("the repair history is not trusted: " .. why)
    or not want and ("the repair history " .. tostring(fs.map(settings.history)) .. " does not name it")
    or ("its SHA-256 " .. tostring(have) .. " is not the " .. want .. " the repair history records")
  return nil, journal .. ": not a journal this installation's repairs wrote (" .. reason ..
    "); a journal found in the image is rolled back only then (or with --trust-journal); nothing rolled back"
end

-- Append "TIME VERB FOLDER | journal J sha256:HEX..." to the repair
-- history: "rolling back" before anything changes (under --root the
-- evidence that lets a rerun after a kill use the rollback's progress),
-- "rolled back" after (evidence.lua: it cancels the repair line before
-- it); true, or nil, msg. A history it cannot read (evidence.read_history:
-- not a regular file, too long) is left as it is: false, why.
local function record(settings, verb, folder, journals)
  local ok, err = require("sxsfix.private").prepare(settings)  -- the history is private
  if not ok then return nil, err end
  local path = settings.history
  local old, rerr = require("sxsfix.evidence").read_history(path)
  if not old then return false, rerr end
  local spell = require("sxsfix.evidence").history_spelling  -- as the repair line spells them
  local named = {}
  for _, j in ipairs(journals) do
    local hex = sha256(j)
    if hex then named[#named + 1] = " | journal " .. spell(settings, j) .. " sha256:" .. hex end
  end
  return fs.writefile(path, old .. os.date("!%Y-%m-%dT%H:%M:%SZ") .. " " .. verb .. " " .. spell(settings, folder) ..
    table.concat(named) .. "\n")
end

local function total(sts)
  local t = { restored = 0, removed = 0, kept = 0, changed = 0, failed = 0, cancelled = 0, started = 0 }
  for _, st in ipairs(sts) do
    for k in pairs(t) do t[k] = t[k] + (st[k] or 0) end
    t.error = t.error or st.error
  end
  return t
end

return {
  summary = "undo a copy or repair from its journal(s) (restores bytes and metadata)",
  usage = "rollback [--trust-journal] JOURNAL|FOLDER|--last",
  options = {
    { "last", help = "undo the newest repair of this installation (its newest backup folder)" },
    { "trust-journal", help = "under --root, roll back a journal the repair history does not name with its hash" },
  },
  help = "FOLDER is the backup folder repair printed (it holds 1/journal.txt, ...)\n" ..
    "or a copy's --backup folder; its journals are undone newest first.",
  run = function(ctx, opts, pos)
    local target = pos[1]
    if opts.last then
      if target then args.usage_error("give a journal or folder, or --last, not both") end
      local dir, err = last_backup(ctx.settings)
      if not dir then
        io.stderr:write("sxsfix rollback: ", err, "\n")
        return ctx.exit.usage, { rollback = { error = err } }
      end
      target = dir
    end
    target = target or args.usage_error("give the journal of a copy (BACKUP/journal.txt), a backup folder, or --last")
    local where = fs.map(target)
    local list = { where or target }
    local st0 = where and fs.stat(where)
    if st0 and st0.type == "dir" then
      local js, err = journals_in(where)
      if not js then
        io.stderr:write("sxsfix rollback: ", err, "\n")
        return ctx.exit.usage, { rollback = { journal = target, error = err } }
      end
      list = js
    else
      local ok, err = plain(list[1], st0 and st0.type ~= "link" and "journal" or "journal or folder")
      if not ok then
        io.stderr:write("sxsfix rollback: ", err, "\n")
        return ctx.exit.usage, { rollback = { journal = target, error = err } }
      end
    end
    if fs.root() and not opts["trust-journal"] then  -- every journal, before anything changes
      for _, journal in ipairs(list) do
        local ok, err = trusted(ctx.settings, journal)
        if not ok then
          io.stderr:write("sxsfix rollback: ", err, "\n")
          return ctx.exit.usage, { rollback = { journal = journal, error = err } }
        end
      end
    end
    local folder = repair_folder(list[1])
    local base = folder and ctx.settings.history and fs.resolve(ctx.settings.backup)
    local key = require("sxsfix.evidence").journal_key  -- "\\" and "/" alike (a Windows path typed with "/")
    local mine = base and key(fs.dirname(folder)) == key(base)
    local unread  -- the history could not be read: said once, left as it is
    if mine and fs.root() then
      local ok, err = record(ctx.settings, "rolling back", folder, list)
      if ok == false then  -- unreadable: left as it is (only --trust-journal gets here)
        io.stderr:write("sxsfix rollback: history ", err, ": the rollback was not recorded (the history was left as it is)\n")
        unread = true
      elseif not ok then
        err = "the repair history could not be written: " .. tostring(err) .. "; nothing rolled back"
        io.stderr:write("sxsfix rollback: ", err, "\n")
        return ctx.exit.failed, { rollback = { journal = target, error = err } }
      end
    end
    local sts = {}
    for _, journal in ipairs(list) do
      local st, err = copy.rollback(journal)
      if not st then
        io.stderr:write("sxsfix rollback: ", err, "\n")
        -- a journal undone before this one changed things: failed, not "nothing changed"
        return ctx.changed and ctx.exit.failed or ctx.exit.usage, { rollback = { journal = journal, error = err } }
      end
      st.journal = journal
      sts[#sts + 1] = st
      for _, k in ipairs { "restored", "removed", "kept", "cancelled", "started", "failed" } do
        if (st[k] or 0) > 0 then ctx.changed = true end
      end
    end
    local st = total(sts)
    print(string.format("restored %d, removed %d, kept %d (not empty), changed %d (left as they are), failed %d",
      st.restored, st.removed, st.kept, st.changed, st.failed)
      .. (st.cancelled > 0 and string.format(", %d replacement(s) at the next boot cancelled", st.cancelled) or "")
      .. (st.started > 0 and string.format(", %d service(s) started again", st.started) or ""))
    if st.error then io.stderr:write("sxsfix rollback: ", st.error, "\n") end
    local did = st.restored + st.removed + st.kept + st.cancelled + st.started
    if folder and did > 0 and ctx.settings.history and not unread then  -- even a partial undo unmakes the repair
      local ok, err = true, nil
      if mine then ok, err = record(ctx.settings, "rolled back", folder, list)
      else err = folder .. " is not in this installation's backup folder " .. (base or ctx.settings.backup) ..
        " (give --root DIR for an offline one)" end
      if ok == false then
        io.stderr:write("sxsfix rollback: history ", err, ": the rollback was not recorded (the history was left as it is)\n")
      elseif not ok or not mine then io.stderr:write("sxsfix rollback: the repair history was not updated: ", tostring(err), "\n") end
    end
    ctx.log("rollback %s: restored %d, removed %d, failed %d", target, st.restored, st.removed, st.failed)
    st.journal = #list == 1 and list[1] or target
    if #list > 1 then st.journals = sts end
    return st.failed > 0 and ctx.exit.failed or ctx.exit.ok, { rollback = st }
  end,
}
