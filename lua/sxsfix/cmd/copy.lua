-- sxsfix copy [--list] [--backup DIR] [--security source|template:PATH]
--             [--compare] SRC DST
-- robocopy SRC DST /E /COPYALL /B /R:0 /W:0, and better: a plan with
-- reasons (--list), content comparison, in-place overwrite with a backup and
-- a journal (sxsfix rollback JOURNAL), security from a template, and a
-- verification pass. Exits with robocopy's bitmask. The robocopy-like log
-- goes to the global --log FILE.
local args = require "sxsfix.args"
local copy = require "sxsfix.copy"
local fs = require "sxsfix.fs"

local BIT = { copied = 1, extras = 2, mismatch = 4, failed = 8, fatal = 16 }

local LABEL = {
  new = { dir = "New Dir", file = "New File" },
  changed = { file = "Changed" },
  same = { dir = "", file = "same" },
  extra = { dir = "*EXTRA Dir", file = "*EXTRA File" },
  skipped = { link = "skipped", other = "skipped" },
  mismatch = { dir = "*MISMATCH", file = "*MISMATCH" },
}

local function item_line(it)
  local label = it.failed and "FAILED" or (LABEL[it.action] or {})[it.type] or it.action
  local size = it.type == "file" and tostring(it.size) or ""
  local line = string.format("  %-12s %14s  %s", label, size, it.path == "" and "." or it.path)
  if it.error then return line .. "\n      " .. it.error end
  if it.action ~= "same" then line = line .. "  (" .. it.reason .. ")" end
  return line
end

-- The summary of a plan that was not applied: what a copy would do.
local function plan_summary(items)
  local s = {}
  for _, k in ipairs { "dirs", "files", "bytes" } do
    s[k] = { total = 0, copied = 0, skipped = 0, mismatch = 0, failed = 0, extras = 0 }
  end
  for _, it in ipairs(items) do
    local c = it.type == "dir" and s.dirs or s.files
    local col = ({ new = "copied", changed = "copied", same = "skipped", skipped = "skipped",
                   extra = "extras", mismatch = "mismatch" })[it.action]
    if it.action ~= "extra" then c.total = c.total + 1 end
    c[col] = c[col] + 1
    if it.type == "file" then
      if it.action ~= "extra" then s.bytes.total = s.bytes.total + it.size end
      s.bytes[col] = s.bytes[col] + it.size
    end
  end
  return s
end

local function table_lines(s)
  local cols = { "total", "copied", "skipped", "mismatch", "failed", "extras" }
  local out = { string.format("%10s%10s%10s%10s%10s%10s%10s", "", "Total", "Copied", "Skipped",
    "Mismatch", "FAILED", "Extras") }
  for _, row in ipairs { { "Dirs", s.dirs }, { "Files", s.files }, { "Bytes", s.bytes } } do
    local l = string.format("%8s :", row[1])
    for _, c in ipairs(cols) do l = l .. string.format("%10d", row[2][c]) end
    out[#out + 1] = l
  end
  return out
end

local function exit_code(s, verify_failed)
  local code = 0
  if s.files.copied + s.dirs.copied > 0 then code = code | BIT.copied end
  if s.files.extras + s.dirs.extras > 0 then code = code | BIT.extras end
  if s.files.mismatch + s.dirs.mismatch + (verify_failed or 0) > 0 then code = code | BIT.mismatch end
  if s.files.failed + s.dirs.failed > 0 then code = code | BIT.failed end
  return code
end

local function write_log(path, lines)
  local f, err = io.open(path, "a")
  if not f then return nil, err end
  f:write(table.concat(lines, "\n"), "\n")
  f:close()
  return true
end

return {
  summary = "copy a folder tree with security, times and xattrs (robocopy /E /COPYALL /B)",
  usage = "copy [--list] [--backup DIR] [--security source|template:PATH] [--compare] SRC DST",
  options = {
    { "list", short = "l", help = "plan only: list each item's action and reason, change nothing" },
    { "backup", value = "DIR", help = "back up overwritten files here (default: a new temporary folder)" },
    { "security", value = "POLICY", help = "source (as robocopy), or template:PATH (new items get PATH's security)" },
    { "compare", help = "compare the contents of files whose size and time are equal" },
  },
  help = "Exit code: robocopy's bitmask, 1 copied, 2 extras, 4 mismatches, 8 failures, 16 fatal.\n" ..
    "The log (header, one line per item, summary) is appended to the global --log FILE.\n" ..
    "Undo a copy with: sxsfix rollback BACKUP/journal.txt",
  run = function(ctx, opts, pos)
    local src, dst = pos[1], pos[2]
    if not src or not dst or pos[3] then
      io.stderr:write("sxsfix copy: give a source and a destination folder\n")
      return BIT.fatal
    end
    local sec = opts.security
    if sec and sec ~= "source" and not sec:match("^template:.") then
      io.stderr:write("sxsfix copy: --security must be 'source' or 'template:PATH'\n")
      return BIT.fatal
    end
    local copts = { compare = opts.compare or nil, security = sec }
    local lines = {
      string.rep("-", 78),
      "  sxsfix copy" .. (opts.list and " (list only)" or "") .. "   " .. os.date("!%Y-%m-%dT%H:%M:%SZ"),
      "  Source : " .. src, "  Dest   : " .. dst,
      "  Options: /E /COPYALL /B /R:0 /W:0" .. (opts.list and " /L" or "") ..
        (opts.compare and " compare-contents" or "") .. " security=" .. (sec or "source"),
    }
    local items, summary, err, verify_failed
    if opts.list then
      items, err = copy.plan(src, dst, copts)
      summary = items and plan_summary(items)
    else
      local backup = opts.backup
      if not backup then backup, err = fs.tempdir("sxsfix-backup") end
      if backup then
        lines[#lines + 1] = "  Backup : " .. backup
        copts.backup, copts.verify = backup, true
        summary, err = copy.apply(src, dst, copts)
        items = summary and summary.items
        verify_failed = summary and summary.verify_failed
        copts.journal = backup .. fs.sep .. "journal.txt"
      end
    end
    lines[#lines + 1] = string.rep("-", 78)
    local code
    if not items then
      lines[#lines + 1] = "  FATAL: " .. err
      io.stderr:write("sxsfix copy: ", err, "\n")
      code = BIT.fatal
    else
      for _, it in ipairs(items) do
        local l = item_line(it)
        lines[#lines + 1] = l
        if it.action ~= "same" or it.error then print(l) end
      end
      lines[#lines + 1] = string.rep("-", 78)
      for _, l in ipairs(table_lines(summary)) do lines[#lines + 1] = l; print(l) end
      if verify_failed then lines[#lines + 1] = "  Verify : " .. verify_failed .. " mismatch(es)" end
      if copts.journal then print("Journal: " .. copts.journal) end
      code = exit_code(summary, verify_failed)
    end
    if ctx.opts.log then
      local ok, lerr = write_log(ctx.opts.log, lines)
      if not ok then io.stderr:write("sxsfix copy: --log ", lerr, "\n"); code = code | BIT.fatal end
    end
    local report = { source = src, destination = dst, list = opts.list or false, backup = copts.backup,
                     journal = copts.journal, summary = summary, items = items, error = err,
                     verify_failed = verify_failed }
    return code, { copy = report }
  end,
}
