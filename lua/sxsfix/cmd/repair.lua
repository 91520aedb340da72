-- sxsfix repair --ssu PATH [--apply]: restore the damaged servicing stack
-- folders from a servicing stack update. Without --apply: the plan only.
-- Exit 0 nothing to do or repaired and verified, 1 planned, 2 failed
-- (rolled back), 3 bad or mismatched SSU, not elevated, or a diagnosis
-- "unknown" with no folder proven damaged, 3010 repaired with files in use
-- replaced at the next boot.
local args = require "sxsfix.args"
local fs = require "sxsfix.fs"
local json = require "sxsfix.json"
local report = require "sxsfix.report"
local robolog = require "sxsfix.robolog"

-- What became of a service the repair stopped.
local function service_text(s)
  return "stopped for the copy" .. (s.error and (" (" .. s.error .. ")") or "") .. "; " ..
    (s.restored and "started again" or ("NOT started again: " .. tostring(s.restore_error)))
end

local function log_lines(r)
  local out = { string.rep("-", 78),
    "  sxsfix repair   " .. os.date("!%Y-%m-%dT%H:%M:%SZ"),
    "  SSU     : " .. tostring(r.ssu),
    "  Options : /E /COPYALL /B /R:0 /W:0 compare-contents security=" .. tostring(r.security or "-"),
    "  Backup  : " .. tostring(r.backup or "-") }
  for _, sig in ipairs(r.signatures or {}) do
    out[#out + 1] = "  Signed  : " .. sig.file .. ": " .. (sig.verified and ("signed by " .. tostring(sig.signer)
      .. ", anchor " .. tostring(sig.anchor)) or ("NOT VERIFIED: " .. tostring(sig.reason or sig.status)))
  end
  if r.unsigned_allowed then
    out[#out + 1] = "  WARNING : --allow-unsigned: copied although " .. r.unsigned_allowed
  end
  for _, p in ipairs(r.plans) do
    out[#out + 1] = string.rep("-", 78)
    out[#out + 1] = "  Source : " .. p.source
    out[#out + 1] = "  Dest   : " .. p.destination
    local items = p.result and p.result.items or p.items
    for _, it in ipairs(items) do out[#out + 1] = robolog.item_line(it) end
    local sum = p.result or robolog.plan_summary(p.items)
    for _, l in ipairs(robolog.table_lines(sum)) do out[#out + 1] = l end
  end
  local s = r.service
  if s and s.stopped then
    out[#out + 1] = "  Service: " .. s.name .. " was running: " .. service_text(s)
  elseif s then
    out[#out + 1] = string.format("  Service: %s was %s: left as it is", s.name, s.before)
  end
  for _, f in ipairs(r.pending or {}) do out[#out + 1] = "  Pending: " .. f .. " (in use: replaced at the next boot)" end
  for _, l in ipairs(r.servicing and r.servicing.lines or {}) do out[#out + 1] = "  Servicing: " .. l end
  out[#out + 1] = "  Result : " .. r.status .. (r.error and (": " .. r.error) or "")
    .. (r.reboot_required and " (restart required)" or "")
  return out
end

local function totals(r)
  local t = { copied = 0, skipped = 0, failed = 0 }
  for _, p in ipairs(r.plans) do
    local s = p.result or robolog.plan_summary(p.items)
    t.copied = t.copied + s.files.copied + s.dirs.copied
    t.skipped = t.skipped + s.files.skipped + s.dirs.skipped
    t.failed = t.failed + s.files.failed + s.dirs.failed
  end
  return t
end

local function descriptors_json(r)
  local out = json.array()
  for _, p in ipairs(r.plans) do
    for _, g in ipairs(p.descriptors or {}) do out[#out + 1] = { folder = p.name, sddl = g.text, items = g.count } end
  end
  return out
end

local function signatures_json(r)
  local out = json.array()
  for _, s in ipairs(r.signatures or {}) do
    out[#out + 1] = { file = s.file, verified = s.verified, status = s.status, reason = s.reason,
      signer = s.signer, chain = json.array(s.chain or {}), digest = s.digest, anchor = s.anchor,
      anchor_sha256 = s.anchor_sha256, engine = s.engine, timestamp_kind = s.timestamp_kind,
      timestamp = s.timestamp and os.date("!%Y-%m-%dT%H:%M:%SZ", s.timestamp) }
  end
  return out
end

local function json_of(r)
  local plan = json.array()
  for _, p in ipairs(r.plans) do
    for _, it in ipairs(p.items) do
      plan[#plan + 1] = { folder = p.name, path = it.path, type = it.type, action = it.action, reason = it.reason }
    end
  end
  local t = totals(r)
  local out = report.diagnose_json(r.after or r.before)
  out.repair = { ssu = r.ssu, status = r.status, error = r.error, plan = plan, applied = r.applied,
                 copied = t.copied, skipped = t.skipped, failed = t.failed, backup = r.backup,
                 security = r.security, descriptors = descriptors_json(r), verified = r.status == "repaired",
                 provided = json.array(r.provided or {}), damaged = json.array(r.damaged or {}),
                 signatures = signatures_json(r), allow_unsigned = r.allow_unsigned or false,
                 unsigned_allowed = r.unsigned_allowed, pending = json.array(r.pending or {}),
                 servicing_pending = json.array(r.servicing_pending or {}), forced = r.forced or false,
                 history_error = r.history_error }
  if r.servicing then
    out.repair.servicing = { ok = r.servicing.ok, how = r.servicing.how, lines = json.array(r.servicing.lines) }
  end
  if r.service then
    out.repair.service = { name = r.service.name, before = r.service.before, stopped = r.service.stopped or false,
                           restored = r.service.restored, error = r.service.error, restore_error = r.service.restore_error }
  end
  out.reboot_required = r.reboot_required or false
  out.pending = json.array(r.pending or {})
  if r.candidates then
    local cands = json.array()
    for _, c in ipairs(r.candidates) do
      cands[#cands + 1] = { file = c.file, kind = c.kind, versions = json.array(c.versions),
                            folders = c.folders and #c.folders, matches = c.matches, extra = c.extra,
                            mtime = math.floor(c.mtime or 0), error = c.error }
    end
    out.repair.candidates = cands
    out.repair.choice = r.choice
  end
  out.verdict_before = r.before and r.before.verdict
  if r.status == "refused" and not r.after then out.verdict = r.before and r.before.verdict end
  return out
end

return {
  summary = "restore damaged servicing stack folders from an SSU (.msu, .cab or folder)",
  usage = "repair --ssu PATH [--apply] [--force] [--work DIR] [--keep-work] [--security source|template|template:PATH] [--trust FILE.pem]... [--allow-unsigned]",
  options = {
    { "ssu", value = "PATH", help = "the servicing stack update: .msu (CAB or WIM), .cab, an expanded folder, or a folder of .msu/.cab files (the one holding the damaged folders is chosen)" },
    { "apply", help = "make the repair (default: show the plan only)" },
    { "work", value = "DIR", help = "where the update's servicing stack is expanded (default %SystemDrive%\\sxsfix-work); emptied when the run ends, and removed when the run made it" },
    { "keep-work", help = "keep the expanded servicing stack in the work folder (says where)" },
    { "security", value = "POLICY", help = "template (default: an intact sibling stack folder's), source, or template:PATH" },
    { "trust", value = "FILE.pem", many = true, help = "also trust the CA certificates in FILE.pem as signers' roots" },
    { "allow-unsigned", help = "copy from cabinets whose signatures do not verify (labs only; warns and records it)" },
    { "force", help = "repair although a servicing operation is pending (pending.xml, RebootPending, ...)" },
  },
  run = function(ctx, opts, pos)
    if pos[1] then args.usage_error("unexpected argument '%s'", pos[1]) end
    local ssu = opts.ssu or args.usage_error("--ssu PATH is required")
    local sec = opts.security
    if sec and sec ~= "source" and sec ~= "template" and not sec:match("^template:.") then
      args.usage_error("--security must be source, template or template:PATH")
    end
    local settings = ctx.settings
    if not fs.stat(ssu) then args.usage_error("--ssu %s: no such file or folder", ssu) end
    local trust = {}
    for _, f in ipairs(settings.provenance.trust) do trust[#trust + 1] = f end
    for _, f in ipairs(opts.trust or {}) do trust[#trust + 1] = f end
    local ok, cerr = require("sxsfix.provenance").catalog_check(ssu)
    if not ok then
      io.stderr:write("sxsfix repair: ", cerr, "\nNothing was changed.\n")
      return ctx.exit.usage, { repair = { ssu = ssu, status = "refused", error = cerr } }
    end
    local r = require("sxsfix.repair").run(settings,
      { ssu = ssu, apply = opts.apply, work = opts.work, keep_work = opts["keep-work"], security = sec or settings.security,
        trust = trust, allow_unsigned = opts["allow-unsigned"], force = opts.force, progress = ctx.progress })
    r.allow_unsigned = opts["allow-unsigned"] and true or false
    ctx.changed = r.backup ~= nil  -- the apply step began: a later failure is 2, never 3

    local quiet = ctx.opts.json == "-"
    local function say(fmt, ...) if not quiet then print(string.format(fmt, ...)) end end
    for _, s in ipairs(r.signatures or {}) do
      if s.verified then
        say("OK  %s  signed by %s, %s", s.file, s.signer,
          s.timestamp and os.date("!%Y-%m-%d %H:%M:%S UTC", s.timestamp) .. " (timestamp)" or "no timestamp")
      else
        say("BAD %s  %s", s.file, s.reason or s.status)
      end
    end
    if r.work_kept then io.stderr:write("sxsfix repair: work folder kept: ", r.work_kept, "\n") end
    if r.unsigned_allowed then
      io.stderr:write("sxsfix repair: WARNING: --allow-unsigned: going on although ", r.unsigned_allowed, "\n")
    end
    for _, p in ipairs(r.status ~= "refused" and r.servicing_pending or {}) do
      io.stderr:write("sxsfix repair: WARNING: a servicing operation is pending: ", p.detail,
        r.forced and " (--force)" or "", "\n")
    end
    if r.status == "error" then  -- a bug in a step (or a hook): as any script error
      error(r.error, 0)
    elseif r.status == "refused" then
      io.stderr:write("sxsfix repair: ", r.error or "refused", "\n")
      if r.before and report.no_system(r.before) then io.stderr:write("  ", report.NO_SYSTEM_LINE, "\n")
      else
        for _, u in ipairs(r.unknown or {}) do
          io.stderr:write("  ", u.message, u.hint and ("  -> " .. u.hint) or "", "\n")
        end
      end
      if r.candidates and not r.choice then  -- a folder of updates, none of which fits
        io.stderr:write("  damaged folders:\n")
        for _, d in ipairs(r.damaged or {}) do io.stderr:write("    ", d, "\n") end
        io.stderr:write(string.format("  %-44s %-10s %s\n", "update", "kind", "servicing stack versions it holds"))
        for _, c in ipairs(r.candidates) do
          io.stderr:write(string.format("  %-44s %-10s %s\n", fs.basename(c.file), c.kind or "?",
            c.error or (#c.versions > 0 and table.concat(c.versions, ", ") or "(none)")))
        end
      end
      if r.missing then
        io.stderr:write("  damaged folders the update must hold:\n")
        for _, m in ipairs(r.missing) do io.stderr:write("    ", m, "\n") end
        io.stderr:write("  servicing stack folders the update holds:\n")
        for _, p in ipairs(r.provided or {}) do io.stderr:write("    ", p, "\n") end
        if #(r.provided or {}) == 0 then io.stderr:write("    (none)\n") end
      end
      io.stderr:write("Nothing was changed.\n")
    elseif r.status == "nothing" then
      say("sxsfix repair: no servicing stack folder is damaged; nothing to do.")
    else
      if r.choice then say("Update chosen from %s: %s (%s).", ssu, fs.basename(r.choice.file), r.choice.why) end
      for _, p in ipairs(r.plans) do
        say("%s -> %s", fs.map(p.source), fs.map(p.destination))
        for _, it in ipairs(p.result and p.result.items or p.items) do
          if it.action ~= "same" or it.error then say("%s", robolog.item_line(it)) end
        end
        for _, g in ipairs(p.descriptors or {}) do
          say("  Security %s %d item(s): %s", r.applied and "verified on" or "to apply to", g.count, g.text)
        end
      end
      if r.status == "planned" then
        say("Plan only: run again with --apply to repair.")
      elseif r.status == "failed" then
        io.stderr:write("sxsfix repair: ", r.error or "failed", "\n")
        if r.backup then  -- the apply step had begun
          io.stderr:write("Every change was rolled back from the backup in ", fs.map(r.backup), "\n")
        else
          io.stderr:write("Nothing was changed.\n")
        end
      else
        say("Repaired; backup and journal in %s (security: %s).", fs.map(r.backup), r.security)
        say("")
        if not quiet and r.after then io.stdout:write(report.diagnose_text(r.after, { root = ctx.opts.root })) end
        local sv = r.servicing
        if sv then
          say("Servicing %s:", sv.ok == true and "works again" or sv.ok == false and "does NOT work" or "not proven")
          for _, l in ipairs(sv.lines) do say("  %s", l) end
        end
        if r.reboot_required then
          say("%d file(s) were in use: they are replaced at the next restart.", #r.pending)
          for _, f in ipairs(r.pending) do say("  %s", f) end
          say("Restart Windows, then retry the upgrade.")
        else
          say("Retry the upgrade now.")
        end
        say("To undo: sxsfix %srollback %s", ctx.opts.root and ("--root " .. ctx.opts.root .. " ") or "", fs.map(r.backup))
      end
      -- diagnose reads the history: without the line it still sees the old evidence
      if r.history_error then io.stderr:write("sxsfix repair: history ", r.history_error, "\n") end
    end

    -- The console output ends, as robocopy's, with the Dirs/Files/Bytes table.
    if #r.plans > 0 and (r.status == "planned" or r.status == "repaired" or r.status == "failed") then
      local sums = {}
      for _, p in ipairs(r.plans) do sums[#sums + 1] = p.result or robolog.plan_summary(p.items) end
      say("%s", string.rep("-", 78))
      for _, l in ipairs(robolog.table_lines(robolog.sum(sums))) do say("%s", l) end
    end

    if opts.apply and r.status ~= "refused" then
      local logfile = ctx.opts.log or fs.join(settings.logdir, "repair-" .. os.date("!%Y%m%d-%H%M%S") .. ".log")
      local ok, err = true, nil
      if ctx.opts.log then fs.mkdirs(fs.dirname(logfile))
      else ok, err = require("sxsfix.private").prepare(settings) end  -- the Logs folder is private
      if ok then ok, err = fs.append(logfile, table.concat(log_lines(r), "\n") .. "\n") end
      if not ok then io.stderr:write("sxsfix repair: log: ", err, "\n") end
    end
    if r.service and r.service.stopped then
      ctx.log("repair: service %s %s", r.service.name, service_text(r.service))
      if not r.service.restored then
        io.stderr:write("sxsfix repair: the ", r.service.name, " service could not be started again: ",
          tostring(r.service.restore_error), "\n")
      end
    end
    ctx.log("repair: %s%s", r.status, r.error and (": " .. r.error) or "")
    local x = ctx.exit
    local code = ({ nothing = x.ok, repaired = x.ok, planned = x.issue, failed = x.failed, refused = x.usage })[r.status]
    if r.status == "repaired" and r.reboot_required then  -- the files in use change at the restart
      code = x.reboot
    elseif r.status == "repaired" and r.after and r.after.verdict ~= "healthy" then  -- copied and verified, but:
      code = r.after.verdict == "unknown" and x.unknown or x.failed  -- unconfirmed, or still damaged
    end
    if r.status == "repaired" and r.servicing and r.servicing.ok == false and code ~= x.unknown then
      code = x.failed  -- copied and verified, but servicing does not work
    end
    return code, json_of(r)
  end,
}
