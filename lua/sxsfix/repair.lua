-- sxsfix.repair: the article's Steps 2 and 3, made safe, as steps (see
-- sxsfix.steps): each can be disabled or wrapped by --config hooks, and a
-- step or hook ends the run with steps.stop(ctx, status, reason).
--
--   local r = require("sxsfix.repair").run(settings, { ssu = PATH, apply = bool,
--                                                     work = DIR, security = POLICY,
--                                                     progress = function(fmt, ...) end })
--   r.status: "nothing" (nothing damaged), "refused" (bad or mismatched SSU,
--   or a diagnosis "unknown" with nothing proven damaged; nothing changed),
--   "planned", "repaired", "failed" (rolled back)
--
-- Steps, in order (ctx.r is the result table they fill in):
--   diagnose    which servicing stack folders are damaged      r.before, r.damaged
--   expand      list the SSU; choose its stack cabinet(s)      r.listing (r.expanded:
--               (a folder of updates: the one holding the damaged an expanded folder),
--               folders, chosen by listing, see sxsfix.choose)  r.candidates, r.choice
--   verify      each stack cabinet taken out to the work folder, r.signatures, r.hashes,
--               verified there, and expanded from those bytes    r.provided
--               into the staging folder (sxsfix.provenance); its
--               files are hashed, and checked again before each copy
--   validate    the SSU holds the damaged folders themselves    (refused otherwise)
--   pending     no servicing operation is under way             r.servicing_pending
--               (sxsfix.servicing; --apply refuses, unless
--               opts.force)
--   plan        robocopy /L of each folder, contents compared   r.plans, r.targets
--               (r.plans[i].copyplan: the copy.plan object)
--   service     the running system only: stop settings.service  r.service
--               (TrustedInstaller); M.run puts it back as it was
--               after the other steps, whatever their outcome
--   apply       r.plans' copy plans applied as they are:         r.backup, r.applied,
--               backup, journal, copy, verify; all or nothing   r.pending, r.reboot_required
--               (a file in use: replaced at the next boot)
--   record      a line in the repair history (with the journals r.history, r.history_error
--               of replacements at the next boot)
--   rediagnose  diagnose again                                  r.after
--   prove       servicing works again (sxsfix.servicing.prove)   r.servicing
local fs = require "sxsfix.fs"
local copy = require "sxsfix.copy"
local host = require "sxsfix.host"
local stack = require "sxsfix.stack"
local steps = require "sxsfix.steps"
local diagnose = require "sxsfix.diagnose"
local sdview = require "sxsfix.sdview"
local provenance = require "sxsfix.provenance"
local private = require "sxsfix.private"
local choose = require "sxsfix.choose"
local staging = require "sxsfix.staging"
local service = require "sxsfix.service"
local servicing = require "sxsfix.servicing"

local M = {}

-- The servicingstack folders inside an expanded update: name -> path.
function M.find_stacks(dir)
  local found, order = {}, {}
  for rel in fs.walk(dir, { type = "dir", depth = 5 }) do
    local name = fs.basename(rel)
    local comp = stack.parse(name)
    if comp and stack.is_stack(comp) and not found[name:lower()] then
      found[name:lower()] = fs.join(dir, rel)
      order[#order + 1] = name
    end
  end
  table.sort(order)
  return found, order
end

-- The security policy: an explicit one, or "template" = an intact sibling
-- servicing stack folder (its owner is TrustedInstaller), else "source".
local function security_policy(want, diag)
  if want and want ~= "template" then return want end
  for _, f in ipairs(diag.folders.folders or {}) do
    local c = stack.parse(f.name)
    if f.state == "ok" and c and c.name == stack.STACK then
      return "template:" .. fs.map(f.path), f.name
    end
  end
  return "source"
end

-- Items of a plan that change the destination.
local function changes(items)
  local n = 0
  for _, it in ipairs(items) do
    if it.action == "new" or it.action == "changed" or it.action == "mismatch" then n = n + 1 end
  end
  return n
end

-- The first item error of a copy result, or nil.
local function first_error(res)
  for _, it in ipairs(res and res.items or {}) do
    if it.error then return it.error end
  end
end

-- Undo every applied plan, newest first.
local function roll_back(done)
  for j = #done, 1, -1 do
    local rb, rerr = copy.rollback(done[j].journal)
    done[j].rollback = rb or { error = rerr }
  end
end

-- Append "TIME repairing NAMES | journal J ..." (the journals the apply
-- step will write) to the history before anything changes: after a kill,
-- rollback under --root trusts a journal so named (the "repaired" line
-- names them again with their hashes); true, or nil, msg. A history that
-- cannot be read is left as it is (the "record" step says so); none is
-- written when that step is disabled.
local function begin_line(ctx, r)
  local path = ctx.settings.history
  for _, id in ipairs(ctx.settings.disable or {}) do
    if id == "record" then return true end  -- no history kept: no line either
  end
  local old = require("sxsfix.evidence").read_history(path)
  if not old then return true end
  local names, named = {}, {}
  for i, p in ipairs(r.plans) do
    names[#names + 1] = p.name
    named[#named + 1] = " | journal " .. fs.join(fs.join(r.backup, tostring(i)), "journal.txt")
  end
  local parent = fs.dirname(path)
  if parent ~= "" then fs.mkdirs(parent) end
  local ok, err = fs.writefile(path, old .. os.date("!%Y-%m-%dT%H:%M:%SZ") .. " repairing " ..
    table.concat(names, " ") .. table.concat(named) .. "\n")
  if not ok then return nil, tostring(err) .. ": the repair history cannot be written; nothing was changed" end
  return true
end

M.steps = {
  {
    id = "diagnose",
    description = "diagnose: which servicing stack folders are damaged",
    run = function(ctx)
      local r = ctx.r
      r.before = diagnose.run(ctx.settings, nil, ctx.progress)
      r.damaged = {}
      for _, d in ipairs(r.before.damaged) do r.damaged[#r.damaged + 1] = d.name end
      if #r.damaged == 0 and r.before.verdict == "unknown" then  -- nothing proven: change nothing
        r.unknown = r.before.unknown
        return steps.stop(ctx, "refused",
          "the diagnosis is unknown: it could not read what it needs, and no folder is proven damaged")
      end
      if ctx.opts.apply then
        local elevated, why = host.elevated()
        if not elevated then
          return steps.stop(ctx, "refused", "the repair needs administrator rights (root): " .. (why or ""))
        end
      end
      return r.damaged, string.format("%d damaged folder(s)", #r.damaged)
    end,
  },
  {
    -- Even when nothing is damaged, so that a bad SSU is reported.
    id = "expand",
    description = "list the servicing stack update",
    run = function(ctx)
      local r, work = ctx.r, ctx.opts.work or ctx.settings.work
      local ok, err = fs.map(ctx.settings.winsxs)  -- a link out of --root on the way: refused
      if not ok then return steps.stop(ctx, "refused", err) end
      if ctx.opts.apply then  -- WinSxS on a read-only volume: refused before anything
        ok, err = staging.check_image(ctx.settings.winsxs)
        if not ok then return steps.stop(ctx, "refused", err) end
      end
      -- The work folder is private to the administrators (sxsfix.private);
      -- a plan by a standard user makes an ordinary one.
      ok, err = staging.check_work(work)  -- a read-only volume: said so, before any write
      if not ok then return steps.stop(ctx, "refused", err) end
      r.work, r.work_made = work, not fs.stat(work)  -- made here: removed at the end when empty
      local code
      if ctx.opts.apply or host.elevated() then ok, err, code = private.folder(work)
      else ok, err, code = fs.mkdirs(work) end
      if not ok then return steps.stop(ctx, "refused", staging.work_error(work, err, code)) end
      local ssu = ctx.opts.ssu
      if fs.isdir(ssu) and choose.is_update_folder(ssu) then
        -- A folder of updates (a share): the one holding the damaged folders;
        -- a signed update is preferred to an unpacked payload beside it.
        if #r.damaged == 0 then return steps.stop(ctx, "nothing", "nothing damaged: no update chosen") end
        r.candidates = choose.candidates(ssu, work)  -- a CAB .msu's own cab listed in the work folder
        local best, why = choose.pick(r.candidates, r.damaged)
        if not best then return steps.stop(ctx, "refused", why) end
        -- the chosen update gets the catalog name check a single one gets
        local cok, cerr = provenance.catalog_check(best.file)
        if not cok then return steps.stop(ctx, "refused", cerr) end
        r.choice = { file = best.file, why = why }
        if ctx.progress then ctx.progress("chose %s: %s", best.name, why) end
        ssu = best.file
      end
      if fs.isdir(ssu) then  -- an expanded folder (refused unless --allow-unsigned)
        ctx.found, r.provided = M.find_stacks(ssu)
        r.expanded = ssu
        return r.provided, string.format("%d servicing stack folder(s) in the folder", #r.provided)
      end
      -- A file is listed, not expanded: the verify step takes out only its
      -- stack cabinet(s) (sxsfix.staging)
      local kind, ferr = provenance.format(ssu)
      if not kind then return steps.stop(ctx, "refused", ferr) end
      local l, lerr, class = staging.list(ssu, work, r.damaged, kind)
      -- the update's fault (damaged, missing, unsafe): refused; the machine
      -- lacking memory: failed (exit 2), nothing changed either way
      if not l then return steps.stop(ctx, class == "resource" and "failed" or "refused", lerr) end
      r.listing, ctx.found = l, {}
      local names = {}
      for _, c in ipairs(l.cabs) do names[#names + 1] = c.name end
      return names, string.format("%d of the update's %d member(s) to expand: %s", #names, l.members,
        table.concat(names, ", "))
    end,
  },
  {
    -- Nothing unsigned is copied (opts.allow_unsigned: labs only, recorded).
    id = "verify",
    description = "verify the update's signatures",
    run = function(ctx)
      local r = ctx.r
      r.found = ctx.found
      local ok, err, class = provenance.verify_step(r, ctx.settings, ctx.opts, M.find_stacks)
      -- a damaged or unsigned update: refused; the disk full or memory out
      -- midway: failed (exit 2); nothing changed either way
      if not ok then return steps.stop(ctx, class == "resource" and "failed" or "refused", err) end
      ctx.found = r.found
      local n = 0
      for _, s in ipairs(r.signatures) do if s.verified then n = n + 1 end end
      return r.signatures, string.format("%d of %d cabinet(s) verified%s", n, #r.signatures,
        r.unsigned_allowed and " (--allow-unsigned)" or "")
    end,
  },
  {
    id = "validate",
    description = "check that the update holds the damaged folders themselves",
    run = function(ctx)
      local r = ctx.r
      if #r.damaged == 0 then return true, "nothing damaged" end
      if not r.hashes then  -- the verify step was disabled: nothing unverified is a source
        return steps.stop(ctx, "refused", "the update's files are not in the verified cabinet: " ..
          "the verify step did not run, and only files it extracted are copied")
      end
      local valid, details = stack.validate(r.damaged, r.provided)
      if not valid then
        r.missing = details.missing
        return steps.stop(ctx, "refused", require("sxsfix.kb").refusal(details.reason, details.missing))
      end
      return true, "the update holds every damaged folder"
    end,
  },
  {
    -- A servicing operation under way (pending.xml, CBS's RebootPending or
    -- SessionsPending, others' replacements at the next boot) finishes at
    -- the next boot: repairing under it would mix two operations. The plan
    -- says so; --apply refuses unless opts.force.
    id = "pending",
    description = "check that no servicing operation is pending",
    run = function(ctx)
      local r = ctx.r
      r.servicing_pending, r.servicing_notes = servicing.pending(ctx.settings)
      local found = r.servicing_pending
      if #found == 0 then return found, "no servicing operation pending" end
      if not ctx.opts.apply then return found, "pending: " .. found[1].detail end
      if ctx.opts.force then
        r.forced = true
        return found, "pending, repairing anyway (--force): " .. found[1].detail
      end
      return steps.stop(ctx, "refused", "a servicing operation is pending (" .. found[1].detail ..
        "): restart Windows first to let it finish (offline: start the installation once), then repair again, or give --force")
    end,
  },
  {
    -- The damaged folders, and every folder of the update that the store
    -- already has: contents are compared, so a damaged file whose size and
    -- time are intact is replaced too (robocopy would skip it).
    id = "plan",
    description = "plan the copy (robocopy /L), comparing contents",
    run = function(ctx)
      local r, sxs = ctx.r, ctx.settings.winsxs
      local targets, seen = {}, {}
      for _, name in ipairs(r.damaged) do targets[#targets + 1] = name; seen[name:lower()] = true end
      for _, name in ipairs(r.provided) do
        if not seen[name:lower()] and fs.isdir(fs.join(sxs, name)) then targets[#targets + 1] = name end
      end
      r.targets = targets
      r.security, r.template = security_policy(ctx.opts.security, r.before)
      local n, tmpl = 0, r.security:match("^template:(.+)$")
      for _, name in ipairs(targets) do
        local src, dst = ctx.found[name:lower()], fs.join(sxs, name)
        local st = fs.stat(dst)  -- a link even inside --root would send the files elsewhere
        local plan, perr, ftmpl
        if st and st.type == "link" then perr = fs.map(dst) .. ": a link, not a folder; sxsfix writes through no link"
        else
          -- a new file gets a file's descriptor: a sibling's, else one of the
          -- template folder's (sxsfix.sdview.file_template)
          ftmpl = tmpl and sdview.file_template(dst, tmpl)
          plan, perr = copy.plan(src, dst, { compare = true, security = r.security, file_template = ftmpl })
        end
        if not plan then return steps.stop(ctx, "refused", perr) end  -- nothing changed yet
        local c = changes(plan.items)
        if c > 0 then
          n = n + c
          r.plans[#r.plans + 1] = { name = name, source = src, destination = dst, items = plan.items,
                                    changes = c, copyplan = plan, file_template = ftmpl }
        end
      end
      if #r.plans == 0 then return steps.stop(ctx, "nothing", "nothing to copy") end
      if not ctx.opts.apply then  -- the NT descriptors the plan would apply, when there are any
        for _, p in ipairs(r.plans) do
          local from = r.security == "source" and p.source or p.destination
          p.descriptors = sdview.groups(sdview.of_items(from, p.items, r.security, p.file_template))
        end
        return steps.stop(ctx, "planned", "plan only")
      end
      return r.plans, string.format("%d item(s) to change in %d folder(s)", n, #r.plans)
    end,
  },
  {
    -- TrustedInstaller.exe and TiWorker.exe hold files of the stack folder
    -- they run from; stopped, they release them. A service that will not
    -- stop in time is no reason to give up: what it still holds is then
    -- replaced at the next boot.
    id = "service",
    description = "stop the servicing service for the copy",
    run = function(ctx)
      local r, cfg = ctx.r, ctx.settings.service
      if fs.root() then return true, "not the running system: no service to stop" end
      if cfg.name == "" then return true, "no service set" end
      local state, err = service.state(cfg.name)
      r.service = { name = cfg.name, before = state or "unknown", error = err }
      if state ~= "running" then
        return r.service, string.format("%s is %s: left as it is", cfg.name, state or ("unknown: " .. tostring(err)))
      end
      if ctx.progress then ctx.progress("stopping the %s service...", cfg.name) end
      local ok, serr = service.stop(cfg.name, cfg.wait)
      r.service.stopped = true  -- asked to stop: put back afterwards in any case
      r.service.error = serr
      return r.service, ok and (cfg.name .. " stopped") or ("could not stop " .. cfg.name .. ": " .. serr)
    end,
  },
  {
    id = "apply",
    description = "copy with backup, journal and verification",
    run = function(ctx)
      local r, done = ctx.r, {}
      local pok, perr = private.prepare(ctx.settings)  -- backup, logs, history: private, or refused
      if not pok then return steps.stop(ctx, "refused", perr) end
      -- named by its UTC time; a repair in the same second as the last one
      -- (a script's rerun) gets "-2" to "-9" (rollback --last sorts by name)
      local name = os.date("!%Y%m%d-%H%M%S")
      r.backup = fs.join(ctx.settings.backup, name)
      for n = 2, 9 do
        if not fs.stat(r.backup) then break end
        r.backup = fs.join(ctx.settings.backup, name .. "-" .. n)
      end
      -- "repairing": before any change, the history names the journals
      -- this repair will write, so that after a kill its rollback under
      -- --root trusts them (the "repaired" line adds their hashes)
      local bok, berr = begin_line(ctx, r)
      if not bok then return steps.stop(ctx, "refused", berr) end
      local ok, err = pcall(function()  -- a bug midway still rolls back
        for i, p in ipairs(r.plans) do
          local backup = fs.join(r.backup, tostring(i))
          if ctx.progress then ctx.progress("copying %s (%d of %d)...", p.name, i, #r.plans) end
          -- the files are still those the signature covered; each file's
          -- SHA-256 is checked again as it is copied
          local hashes = (r.hashes or {})[p.name:lower()] or {}
          local same, cerr = provenance.recheck(p.source, hashes)
          if not same then return "refusing to copy " .. p.name .. ": " .. cerr end
          -- the plan shown is the plan applied: nothing is planned again.
          -- at_boot: a file in use is replaced at the next boot; only on the
          -- running system (with --root the schedule would be another system's).
          -- The first journal records the stopped service: its rollback
          -- (after a kill too) starts it again.
          local svc = i == 1 and r.service and r.service.stopped and r.service.name or nil
          -- verify "full": every written file is read back from the volume
          -- (a few hundred files; on ntfs-3g the read goes through the driver).
          local res, aerr = p.copyplan:apply({ backup = backup, verify = "full", sha256 = hashes,
                                               at_boot = not fs.root(), service = svc })
          p.result, p.journal = res, fs.join(backup, "journal.txt")
          done[#done + 1] = p
          if not res or res.files.failed + res.dirs.failed > 0 or (res.verify_failed or 0) > 0 then
            return aerr or first_error(res) or ("copying " .. p.name .. " failed or did not verify")
          end
        end
      end)
      local failure = not ok and tostring(err) or err
      if failure then
        roll_back(done)
        return steps.stop(ctx, "failed", failure)
      end
      r.applied = true
      r.pending = {}  -- files in use, replaced at the next boot
      for _, p in ipairs(r.plans) do  -- the NT descriptors as read back from the volume
        p.descriptors = sdview.groups(sdview.of_items(p.destination, p.result.items))
        for _, it in ipairs(p.result.items) do
          if it.pending then r.pending[#r.pending + 1] = fs.join(p.destination, it.path) end
        end
      end
      r.reboot_required = #r.pending > 0
      return true, string.format("%d folder(s) copied and verified%s", #r.plans, r.reboot_required
        and string.format("; %d file(s) in use replaced at the next boot", #r.pending) or "")
    end,
  },
  {
    -- A line in the repair history: evidence logged before it is resolved.
    -- Its time is UTC, ISO 8601 with its offset (sxsfix.clock reads it).
    id = "record",
    description = "record the repair in the history",
    run = function(ctx)
      local r, path = ctx.r, ctx.settings.history
      local names = {}
      for _, p in ipairs(r.plans) do names[#names + 1] = p.name end
      -- a history that cannot be read is left as it is, never replaced
      local old, rerr = require("sxsfix.evidence").read_history(path)
      if not old then
        r.history_error = rerr .. ": the repair was not recorded (the history was left as it is)"
        return nil, r.history_error
      end
      local parent = fs.dirname(path)
      if parent ~= "" then fs.mkdirs(parent) end
      -- files in use: the journals that scheduled them, for diagnose
      local journals = {}
      for _, p in ipairs(r.plans) do
        if p.result and (p.result.pending or 0) > 0 then journals[#journals + 1] = p.journal end
      end
      local tail = #journals > 0 and (" | reboot pending: " .. table.concat(journals, " | ")) or ""
      -- each journal with its SHA-256: under --root, rollback trusts only
      -- a journal found in the image that this history names so
      local named = {}
      for _, p in ipairs(r.plans) do
        local hex = p.journal and require("sxsfix.authenticode").hash(fs.map(p.journal) or p.journal, "sha256")
        if hex then named[#named + 1] = " | journal " .. p.journal .. " sha256:" .. hex end
      end
      local ok, err = fs.writefile(path, old .. os.date("!%Y-%m-%dT%H:%M:%SZ") .. " repaired " ..
        table.concat(names, " ") .. table.concat(named) .. tail .. "\n")
      r.history = ok and path or nil
      if not ok then r.history_error = tostring(err) .. ": the repair was not recorded" end
      return ok, ok and ("recorded in " .. path) or err
    end,
  },
  {
    id = "rediagnose",
    description = "diagnose again",
    run = function(ctx)
      ctx.r.after = diagnose.run(ctx.settings, nil, ctx.progress)
      return ctx.r.after.verdict, "verdict " .. ctx.r.after.verdict
    end,
  },
  {
    -- Servicing works again: live, TrustedInstaller starts and runs; under
    -- --root, the stack CBS binds and the repaired folders' CBS\Version
    -- entries are checked (sxsfix.servicing.prove).
    id = "prove",
    description = "check that servicing works again",
    run = function(ctx)
      local r = ctx.r
      local names = {}
      for _, p in ipairs(r.plans) do names[#names + 1] = p.name end
      if r.reboot_required and not fs.root() then
        -- The stack's files in use are replaced at the next boot: starting
        -- the service now would run the old ones and prove nothing.
        r.servicing = { how = "service", lines = {
          "files are replaced at the next restart: diagnose again after it to prove servicing" } }
      else
        r.servicing = servicing.prove(ctx.settings, r.after, names)
      end
      local s = r.servicing
      return s, (s.ok == true and "servicing works: " or s.ok == false and "servicing does NOT work: " or "")
        .. table.concat(s.lines, "; ")
    end,
  },
}

-- Put back the service the "service" step stopped (a rollback may have
-- started it already: then it stays running).
function M.restore_service(r, settings, progress)
  local s = r.service
  if not s or not s.stopped then return end
  if progress then progress("starting the %s service again...", s.name) end
  local ok, err = service.start(s.name, settings.service.wait)
  s.restored, s.restore_error = ok and true or false, err
end

function M.run(settings, opts)
  local r = { ssu = opts.ssu, apply = opts.apply and true or false, plans = {}, applied = false,
              damaged = {}, provided = {} }
  local ctx = { settings = settings, opts = opts, r = r, progress = opts.progress, stop_on_error = true }
  r.steps = steps.run(M.steps, ctx, settings)
  M.restore_service(r, settings, opts.progress)
  r.work_kept = staging.finish(r, opts.keep_work)  -- the staging folder goes, whatever the outcome
  if ctx.stopped then
    r.status = ctx.stopped.status
    if r.status ~= "planned" and r.status ~= "nothing" then r.error = r.error or ctx.stopped.reason end
  else
    r.status = r.applied and "repaired" or "planned"
  end
  return r
end

return M
