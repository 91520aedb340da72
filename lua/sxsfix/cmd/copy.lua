-- sxsfix copy [--list] [--backup DIR] [--security source|template:PATH]
--             [--compare] [--threads N] [--verify full] SRC DST
-- robocopy SRC DST /E /COPYALL /B /R:0 /W:0, and better: a plan with
-- reasons (--list), content comparison, in-place overwrite with a backup and
-- a journal (sxsfix rollback JOURNAL), security from a template, and a
-- verification pass. Exits with robocopy's bitmask. The robocopy-like log
-- goes to the global --log FILE.
local args = require "sxsfix.args"
local copy = require "sxsfix.copy"
local fs = require "sxsfix.fs"
local robolog = require "sxsfix.robolog"
local sdview = require "sxsfix.sdview"

local item_line, plan_summary, table_lines, exit_code =
  robolog.item_line, robolog.plan_summary, robolog.table_lines, robolog.exit_code

local BIT = robolog.BIT

-- 1 when applying the plan would change something: a new or changed item
local function has_work(items)
  for _, it in ipairs(items) do
    if (it.action == "new" or it.action == "changed") and not it.failed then return true end
  end
  return false
end

local function write_log(path, lines)
  return fs.append(path, table.concat(lines, "\n") .. "\n")
end

return {
  bitmask = true,  -- exit codes are robocopy's bits (an output failure adds 16)
  summary = "copy a folder tree with security, times and xattrs (robocopy /E /COPYALL /B)",
  usage = "copy [--list] [--backup DIR] [--security source|template:PATH] [--compare] [--threads N] [--verify full] [--descriptors] SRC DST",
  options = {
    { "list", short = "l", help = "plan only: list each item's action and reason, change nothing" },
    { "backup", value = "DIR", help = "back up overwritten files here (default: a new temporary folder)" },
    { "security", value = "POLICY", help = "source (as robocopy), or template:PATH (new items get PATH's security; a new file as a file inherits it)" },
    { "compare", help = "compare the contents of files whose size and time are equal" },
    { "threads", value = "N", help = "workers writing file contents (default: one per processor, at most 8; 1: one file at a time)" },
    { "verify", value = "MODE", help = "full: read every file written back and compare its hash (default: its size and metadata)" },
    { "descriptors", help = "show each new or changed item's NT security descriptor (owner, group, ACEs)" },
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
    local threads = opts.threads and math.tointeger(tonumber(opts.threads))
    if opts.threads and not (threads and threads >= 1 and threads <= 8) then
      io.stderr:write("sxsfix copy: --threads must be a number from 1 to 8\n")
      return BIT.fatal
    end
    if opts.verify and opts.verify ~= "full" then
      io.stderr:write("sxsfix copy: --verify must be 'full'\n")
      return BIT.fatal
    end
    local copts = { compare = opts.compare or nil, security = sec }
    local backup, journal
    local lines = {
      string.rep("-", 78),
      "  sxsfix copy" .. (opts.list and " (list only)" or "") .. "   " .. os.date("!%Y-%m-%dT%H:%M:%SZ"),
      "  Source : " .. src, "  Dest   : " .. dst,
      "  Options: /E /COPYALL /B /R:0 /W:0" .. (opts.list and " /L" or "") ..
        (opts.compare and " compare-contents" or "") .. " security=" .. (sec or "source"),
    }
    local items, summary, verify_failed
    local plan, err = copy.plan(src, dst, copts)
    if plan and opts.list then
      items, summary = plan.items, plan_summary(plan.items)
    elseif plan and not has_work(plan.items) then
      -- nothing to copy: no backup folder, no journal; the same items verified
      local v
      v, err = plan:verify()
      items = v and v.items
      summary, verify_failed = items and plan_summary(items), v and v.failed
    elseif plan then
      backup = opts.backup
      if not backup then backup, err = fs.tempdir("sxsfix-backup") end
      if backup then
        lines[#lines + 1] = "  Backup : " .. backup
        summary, err = plan:apply({ backup = backup, verify = opts.verify or true, threads = threads })
        items = summary and summary.items
        verify_failed = summary and summary.verify_failed
        journal = backup .. fs.sep .. "journal.txt"
      end
    end
    lines[#lines + 1] = string.rep("-", 78)
    local code
    if not items then
      lines[#lines + 1] = "  FATAL: " .. err
      io.stderr:write("sxsfix copy: ", err, "\n")
      code = BIT.fatal
    else
      -- NT descriptors: the source's (or template's) for a plan, the
      -- destination's read back after a copy; none on Linux file systems.
      local descs = opts.descriptors and sdview.of_items(opts.list and src or dst, items, opts.list and sec or nil) or {}
      for _, it in ipairs(items) do
        local l = item_line(it)
        if descs[it.path] then l = l .. "\n      security: " .. descs[it.path] end
        lines[#lines + 1] = l
        if it.action ~= "same" or it.error then print(l) end
      end
      lines[#lines + 1] = string.rep("-", 78)
      for _, l in ipairs(table_lines(summary)) do lines[#lines + 1] = l; print(l) end
      if verify_failed then lines[#lines + 1] = "  Verify : " .. verify_failed .. " mismatch(es)" end
      if journal then print("Journal: " .. journal) end
      code = exit_code(summary, verify_failed)
    end
    if ctx.opts.log then
      local ok, lerr = write_log(ctx.opts.log, lines)
      if not ok then io.stderr:write("sxsfix copy: --log ", lerr, "\n"); code = code | BIT.fatal end
    end
    local report = { source = src, destination = dst, list = opts.list or false, backup = backup,
                     journal = journal, summary = summary, items = items, error = err,
                     verify_failed = verify_failed }
    return code, { copy = report }
  end,
}
