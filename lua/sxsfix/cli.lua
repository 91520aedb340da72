-- sxsfix.cli: the command line. The host calls main(argv) and exits with
-- the code it returns. To add a command, write sxsfix/cmd/NAME.lua (see
-- docs/SCRIPTING.md for its shape) and add a line to M.commands.

local host = require "sxsfix.host"
local fs = require "sxsfix.fs"
local args = require "sxsfix.args"
local json = require "sxsfix.json"
local config = require "sxsfix.config"

-- Version of the --json report's shape (docs/JSON.md); raised when a field
-- changes meaning or goes away, not when one is added.
local SCHEMA = 1

local M = {}

-- Exit codes (DESIGN contract), from the one table in C (src/host/host.h).
M.exit = host.exit

-- Options valid before or after any command.
M.options = {
  { "root", value = "DIR", help = "work on the Windows installation in DIR (its C:\\ is DIR)" },
  { "json", value = "FILE|-", help = "write the result as one JSON object to FILE (- = stdout)" },
  { "log", value = "FILE", help = "append a log of the run to FILE" },
  { "summary", help = "print one line (at most 2,048 characters) instead of the command's text" },
  { "registry", help = "diagnose, repair: keep the result under HKLM\\SOFTWARE\\sxsfix\\Results (Windows)" },
  { "scripts", value = "DIR", help = "run the scripts in DIR instead of the built-in ones" },
  { "config", value = "FILE", help = "Lua file whose settings override the defaults" },
  { "allow-unsafe-scripts", help = "run --config/--scripts even when non-administrators can change them (warns)" },
  { "help", short = "h", help = "show help (for a command: sxsfix help COMMAND)" },
  { "version", short = "V", help = "show the versions of sxsfix and its libraries" },
}

-- Commands, in the order help lists them: { name, module }.
M.commands = {
  { "diagnose", "sxsfix.cmd.diagnose" },
  { "repair", "sxsfix.cmd.repair" },
  { "run", "sxsfix.cmd.run" },
  { "eval", "sxsfix.cmd.eval" },
  { "dir", "sxsfix.cmd.dir" },
  { "reg", "sxsfix.cmd.reg" },
  { "grep", "sxsfix.cmd.grep" },
  { "copy", "sxsfix.cmd.copy" },
  { "rollback", "sxsfix.cmd.rollback" },
  { "expand", "sxsfix.cmd.expand" },
  { "verify", "sxsfix.cmd.verify" },
  { "report", "sxsfix.cmd.report" },
  { "scripts", "sxsfix.cmd.scripts" },
  { "version", "sxsfix.cmd.version" },
  { "help", "sxsfix.cmd.help" },
}

-- The command table for name, or nil when there is no such command.
function M.command(name)
  for _, c in ipairs(M.commands) do
    if c[1] == name then return require(c[2]) end
  end
end

function M.usage()
  local lines = {
    "usage: sxsfix [OPTIONS] COMMAND [ARGS...]",
    "",
    "sxsfix diagnoses and repairs Windows in-place upgrade failures 0x80070003",
    "(\"Process Drivers for Migration\") caused by a damaged servicing stack.",
    "",
    "Commands:",
  }
  for _, c in ipairs(M.commands) do
    local ok, cmd = pcall(require, c[2])
    local summary = ok and cmd.summary or ("(cannot load " .. c[2] .. ")")
    lines[#lines + 1] = string.format("  %-10s %s", c[1], summary)
  end
  lines[#lines + 1] = ""
  lines[#lines + 1] = "Options (before or after the command):"
  lines[#lines + 1] = args.describe(M.options)
  lines[#lines + 1] = ""
  lines[#lines + 1] = "Exit codes: 0 ok (healthy, or repaired and verified), 1 issue found or repair"
  lines[#lines + 1] = "not applied, 2 repair failed, 3 bad input or usage (or repair refused),"
  lines[#lines + 1] = "4 script or internal error, 5 could not diagnose (verdict unknown: an"
  lines[#lines + 1] = "essential input could not be read), 3010 repaired, restart to finish (files"
  lines[#lines + 1] = "in use are replaced at the next boot)."
  return table.concat(lines, "\n") .. "\n"
end

-- Settings from --config FILE: the file's assignments, or the table it returns.
local function load_config(path)
  local env = setmetatable({}, { __index = _G })
  local chunk, err = host.loadfile(path, "t", env)
  if not chunk then args.usage_error("--config %s", err) end
  local ret = chunk()
  if type(ret) == "table" then return ret end
  local settings = {}  -- its assignments; env keeps _G for the functions it defined
  for k, v in next, env do settings[k] = v end
  return settings
end

-- A logger that appends to --log FILE (nothing when the option is absent),
-- and the first write error (or nil), said once on stderr: the run's exit
-- code reflects it (output_failed).
local function make_log(path)
  if not path then return function() end, function() end end
  local ok, err = fs.append(path, "")
  if not ok then args.usage_error("--log %s", err) end
  local failed
  return function(fmt, ...)
    if failed then return end
    local ok2, err2 = fs.append(path, os.date("!%Y-%m-%dT%H:%M:%SZ ") .. string.format(fmt, ...) .. "\n")
    if not ok2 then
      failed = tostring(err2)
      io.stderr:write("sxsfix: --log ", failed, "\n")
    end
  end, function() return failed end
end

-- The exit code of a run an output (--json, --log, --registry) failed:
-- never "nothing changed" after a change. copy's robocopy bitmask keeps
-- what it did and adds its fatal bit (16); otherwise 2 after a change
-- (an internal error stays 4), 3 before any, a failure code stays.
local function output_failed(ctx, cmd, code)
  if cmd.bitmask then return code | 16 end
  if ctx.changed then return code == M.exit.internal and code or M.exit.failed end
  if code == M.exit.ok or code == M.exit.issue or code == M.exit.reboot then return M.exit.usage end
  return code
end

-- Before anything changes, --json FILE must be writable: FILE is a file or
-- absent, and a file can be created beside it (FILE is written atomically,
-- through a new file in its folder). nil, msg otherwise.
local function check_output(dest)
  local st, msg, code = fs.stat(dest)
  if st and st.type ~= "file" then return nil, dest .. ": not a regular file" end
  if not st and code and fs.errkind(code) ~= "notfound" then return nil, msg end
  local probe, n = dest .. ".sxsfix-check", 0
  while fs.stat(probe) do n = n + 1; probe = dest .. ".sxsfix-check" .. n end  -- never a file of the user's
  local ok, err = fs.writefile(probe, "")
  if not ok then return nil, err end
  fs.remove(probe)
  return true
end

local function write_json(dest, report)
  local text = json.encode(report, { indent = true }) .. "\n"
  if dest == "-" then
    io.stdout:write(text)
    return true
  end
  return fs.writefile(dest, text)
end

-- Run f(...) catching errors: a usage error comes back as { usage = msg },
-- a script's bad result as { script = msg } (one line, exit 4), anything
-- else as { internal = "message + traceback" }.
local function protect(f, ...)
  return xpcall(f, function(e)
    if type(e) == "table" and (e.usage or e.script) then return e end
    local mt = getmetatable(e)
    local msg = (type(e) == "string" or type(e) == "number" or (mt and mt.__tostring)) and tostring(e)
      or ("(error object is a " .. type(e) .. " value)")
    return { internal = debug.traceback(msg, 2) }
  end, ...)
end

-- While --summary holds stdout for its one line, the command's text goes nowhere.
local function silence_stdout()
  local saved = { print = print, write = io.write, stdout = io.stdout }
  local sink = setmetatable({}, { __index = function(t) return function() return t end end })
  print, io.write, io.stdout = function() end, function() return sink end, sink
  return function() print, io.write, io.stdout = saved.print, saved.write, saved.stdout end
end

-- The --json object: the command's fields, then identity and time.
local function make_report(ctx, name, code, result, started)
  local report = { tool = "sxsfix", version = host.version, command = name, exit_code = code,
                   schema = SCHEMA, time = started, root = ctx.opts.root }
  for k, v in pairs(result or {}) do report[k] = v end
  local ok, settings = pcall(function() return ctx.settings end)  -- a bad --config: the defaults
  local sys = type(report.system) == "table" and report.system or {}
  if report.collected then  -- diagnose --logs: the logs are another machine's, not this one's
    sys.errors = { "the logs were collected from another machine: its name and build are not known here" }
  else
    local id = require("sxsfix.identity").system(ok and settings or require "sxsfix.defaults")
    for k, v in pairs(id) do if sys[k] == nil then sys[k] = v end end
  end
  report.system = sys
  return report
end

local function fail(err, name, cmd)
  if err.internal or err.script then
    io.stderr:write("sxsfix: ", err.internal or err.script, "\n")
    return M.exit.internal
  end
  if name then
    io.stderr:write("sxsfix ", name, ": ", err.usage, "\n")
    if cmd and cmd.usage then io.stderr:write("usage: sxsfix ", cmd.usage, "\n") end
  else
    io.stderr:write("sxsfix: ", err.usage, "\n\n", M.usage())
  end
  return M.exit.usage
end

function M.main(argv)
  local t0, started = host.clock(), require("sxsfix.identity").now()
  local seen, seen_cmd  -- the command named, for its own usage line on a bad option
  local ok, opts, name, cmd, copts, pos = protect(args.parse, argv, M.options, function(n)
    local c = M.command(n)
    if c then seen, seen_cmd = n, c end
    return c or args.usage_error("unknown command '%s'", n)
  end)
  if not ok then  -- still one line for an engine that asked for it
    for _, a in ipairs(argv) do
      if a == "--summary" and opts.usage then io.stdout:write(require("sxsfix.summary").clip("ERROR ?: " .. opts.usage), "\n") break end
    end
    if seen and opts.usage and seen_cmd.usage then
      local msg = opts.usage:gsub("^" .. seen:gsub("%W", "%%%0") .. ": ", "")
      return fail({ usage = msg }, seen, seen_cmd)
    end
    return fail(opts)
  end
  if opts.summary and opts.json == "-" then
    return fail({ usage = "--summary and --json - both write to stdout: give --json a FILE" })
  end
  if opts.registry then  -- refused before anything runs: one line, exit 3
    local rok, rerr = require("sxsfix.eventlog").can_record(name, opts)
    if not rok then
      io.stderr:write("sxsfix: --registry: ", rerr, "\n")
      return M.exit.usage
    end
  end
  if opts.root then  -- Windows paths (C:\...) map into DIR from here on
    local rok, rerr = fs.setroot(opts.root)
    if not rok then
      io.stderr:write("sxsfix: --root ", rerr, "\n")
      return M.exit.usage
    end
    -- diagnose and repair need an installation: a DIR without Windows or
    -- its System32\config is bad input (exit 3), not a diagnosis that
    -- could not read (UNKNOWN, 5). Other errors (a link out of the root)
    -- are left to the command, which names them.
    if name == "diagnose" or name == "repair" then
      for _, p in ipairs { [[C:\Windows]], [[C:\Windows\System32\config]] } do
        local st, _, code = fs.stat(p)
        if not st and fs.errkind(code) == "notfound" then
          io.stderr:write("sxsfix: --root ", opts.root, ": not a Windows installation (no folder ",
                          p:sub(4), ")\n")
          return M.exit.usage
        end
      end
    end
  end
  if opts.version and not name then name, cmd, pos = "version", M.command("version"), {} end
  if not name and not opts.help then  -- no command: usage, exit 3
    io.stderr:write(M.usage())
    return M.exit.usage
  end
  if opts.help or not name then
    if name then pos = { name } end
    name, cmd = "help", M.command("help")
  end

  local ctx, log, log_failed
  ok, ctx = protect(function()
    log, log_failed = make_log(opts.log)
    return {
      cli = M,
      host = host,
      opts = opts,
      command = name,
      exit = M.exit,
      exitclass = host.exitclass,
      config = opts.config and load_config(opts.config) or {},
      log = log, log_failed = log_failed,
      -- Progress of long work, on stderr when it is a terminal.
      progress = host.isatty("stderr") and function(fmt, ...)
        io.stderr:write("sxsfix: ", string.format(fmt, ...), "\n")
      end or function() end,
    }
  end)
  if not ok then return fail(ctx, name) end
  -- ctx.settings: the defaults overridden by --config, merged once, when a
  -- command or script first asks (run and eval may use --config for keys
  -- of their own, which are not settings).
  setmetatable(ctx, { __index = function(t, k)
    if k ~= "settings" then return nil end
    local s = config.merge(require "sxsfix.defaults", t.config)
    rawset(t, "settings", s)
    return s
  end })
  package.loaded["sxsfix.ctx"] = ctx  -- scripts reach the options via require "sxsfix.ctx"

  if opts.json and opts.json ~= "-" then  -- found out now, not after a repair
    local jok, jerr = check_output(opts.json)
    if not jok then
      io.stderr:write("sxsfix: --json ", jerr, "\nNothing was changed.\n")
      return M.exit.usage
    end
  end
  ctx.log("sxsfix %s %s: start", host.version, name)
  local code, result
  local restore = opts.summary and silence_stdout()
  ok, code, result = protect(cmd.run, ctx, copts, pos)
  if restore then restore() end
  local failure
  if not ok then
    ctx.log("%s: failed: %s", name, code.usage or code.script or code.internal)
    failure = code
    code = failure.usage and M.exit.usage or M.exit.internal
    result = { error_message = (failure.usage or failure.script or failure.internal):match("[^\n]*") }
  end
  code = code or M.exit.ok
  if ok then ctx.log("%s: exit %d", name, code) end

  -- The report, the summary line and the event are made once, for all of them.
  local logged = require("sxsfix.eventlog").events[name] and ok
    and not (type(result) == "table" and result.collected)  -- another machine's logs: no event for this one
  if opts.json or opts.summary or logged then
    local report = make_report(ctx, name, code, result, started)
    report.duration_ms = host.clock() - t0
    local line = require("sxsfix.summary").line(report)
    report.summary = line
    if logged then
      local eok, eerr = require("sxsfix.eventlog").write(report, line)
      if eok == nil then ctx.log("event log: %s", eerr) end
    end
    if opts.registry and ok then
      local rok, rerr = require("sxsfix.eventlog").record(report, line)
      if not rok then
        io.stderr:write("sxsfix: --registry: ", rerr, "\n")
        code = output_failed(ctx, cmd, code)
      end
    end
    report.error_message = nil
    if opts.json and ok then
      local wok, werr = write_json(opts.json, report)
      if not wok then  -- after a change, never "nothing changed" (3): failed (2)
        io.stderr:write("sxsfix: --json ", werr, "\n")
        code = output_failed(ctx, cmd, code)
      end
    end
    if opts.summary then io.stdout:write(line, "\n") end
  end
  if failure then return fail(failure, name, cmd) end
  if log_failed() then code = output_failed(ctx, cmd, code) end
  return code
end

return M
