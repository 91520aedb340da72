-- sxsfix verify PATH...: the Authenticode signature of each .cab, and of a
-- .msu and each cabinet inside it. One line per cabinet:
--   OK  <file>  signed by <subject>, <time>
--   BAD <file>  <reason>
-- Exit 0 all valid, 1 any unsigned, invalid or not checked, 3 bad input
-- only (missing file, not a cabinet or update, a catalog name whose SHA-1
-- does not match). A .msu's cabinets are taken out one at a time into a
-- private temporary folder, each removed once checked.
local args = require "sxsfix.args"
local fs = require "sxsfix.fs"
local json = require "sxsfix.json"
local provenance = require "sxsfix.provenance"

local function when(info)
  if info.timestamp then return os.date("!%Y-%m-%d %H:%M:%S UTC", info.timestamp) .. " (timestamp)" end
  return "no timestamp"
end

local function entry(info)
  return { file = info.file, status = info.status, verified = info.verified, reason = info.reason,
           signer = info.signer, chain = json.array(info.chain or {}), anchor = info.anchor,
           anchor_sha256 = info.anchor_sha256, digest = info.digest, engine = info.engine,
           timestamp = info.timestamp and os.date("!%Y-%m-%dT%H:%M:%SZ", info.timestamp),
           timestamp_kind = info.timestamp_kind, timestamp_signer = info.timestamp_signer }
end

return {
  summary = "check the Authenticode signatures of .msu and .cab files",
  usage = "verify [--trust FILE.pem]... PATH...",
  options = {
    { "trust", value = "FILE.pem", many = true, help = "also trust the CA certificates in FILE.pem" },
    { "engine", value = "NAME", help = "auto (default), openssl or system (Windows: WinVerifyTrust)" },
  },
  help = "Prints one line per cabinet (a .msu: the update and each cabinet in it):\n" ..
    "  OK  <file>  signed by <subject>, <time>\n  BAD <file>  <reason>\n" ..
    "The anchors are Microsoft's code-signing roots (sxsfix/trust.lua) and --trust files.\n" ..
    "Exit codes: 0 all valid, 1 any unsigned, invalid or not checked, 3 bad input or usage.",
  run = function(ctx, opts, pos)
    if #pos == 0 then args.usage_error("give one or more .msu or .cab files") end
    local settings = ctx.settings
    local trust = {}
    for _, f in ipairs(settings.provenance.trust) do trust[#trust + 1] = f end
    for _, f in ipairs(opts.trust or {}) do trust[#trust + 1] = f end
    local engine = opts.engine or settings.provenance.engine
    if engine ~= "auto" and engine ~= "openssl" and engine ~= "system" then
      args.usage_error("--engine must be auto, openssl or system")
    end
    local quiet = ctx.opts.json == "-"
    local function say(fmt, ...) if not quiet then print(string.format(fmt, ...)) end end
    local out, code, bad_input = json.array(), ctx.exit.ok, false
    for _, path in ipairs(pos) do
      local ok, err = nil, path .. ": no such file"
      if fs.stat(path) then ok, err = provenance.catalog_check(path) end
      local list
      if ok then list, err = provenance.verify_update(path, { trust = trust, engine = engine }) end
      if not list then
        io.stderr:write("sxsfix verify: ", err, "\n")
        out[#out + 1] = { file = path, status = "bad input", verified = false, reason = err }
        bad_input = true
      else
        if list.container == "wim" then
          io.stderr:write("sxsfix verify: ", path, ": a WIM container, unsigned by design; its cabinets:\n")
        end
        if list.damaged then io.stderr:write("sxsfix verify: ", list.damaged, "\n") end
        for _, info in ipairs(list) do
          if info.verified then
            say("OK  %s  signed by %s, %s", info.file, info.signer, when(info))
          else
            say("BAD %s  %s", info.file, info.reason or info.status)
            code = ctx.exit.issue
          end
          out[#out + 1] = entry(info)
        end
        -- a member that could not be taken out (damaged, or no room in the
        -- temporary folder) is not verified: the file is not all valid
        for _, u in ipairs(list.unread or {}) do
          io.stderr:write("sxsfix verify: ", u.reason, "\n")
          say("BAD %s  not checked (see the error above)", u.file)
          out[#out + 1] = { file = u.file, status = "not checked", verified = false, reason = u.reason }
          code = ctx.exit.issue
        end
      end
    end
    -- an invalid signature is the answer (1) even beside unreadable input (3)
    if bad_input and code ~= ctx.exit.issue then code = ctx.exit.usage end
    ctx.log("verify: %d cabinet(s), exit %d", #out, code)
    return code, { signatures = out }
  end,
}
