-- report-gen.lua OUT N: write N varied sxsfix --json reports into OUT/<site>/
-- (diagnose and repair, every verdict and status, four builds, UBRs, one
-- machine in ten with an older report too), sized as real ones (evidence
-- lines, registry and folder lists). Deterministic. Run with sxsfix run.
local json = require "sxsfix.json"
local fs = require "sxsfix.fs"
local out, n = assert(arg[1], "usage: report-gen.lua OUT N"), tonumber(arg[2] or "10000")

local builds = { { "19045", { 5247, 5371, 5487 }, "10.0.19041" }, { "22631", { 4460, 4602 }, "10.0.22621" },
                 { "26100", { 4652, 5074, 6584 }, "10.0.26100" }, { "26200", { 6584 }, "10.0.26100" } }
local editions = { "Professional", "Enterprise", "Education", "EnterpriseS" }
local verdicts = { "healthy", "healthy", "healthy", "damaged", "damaged", "suspected", "unknown", "healthy" }

local function folder(arch, ver) return string.format("%s_microsoft-windows-servicingstack_31bf3856ad364e35_%s_none_%016x", arch, ver, #ver * 7919) end

local function report(i, older)
  local b = builds[i % #builds + 1]
  local ubr = b[2][(i // 7) % #b[2] + 1]
  local ver = b[3] .. "." .. ubr
  local arch = (i % 23 == 0) and "arm64" or "amd64"
  local verdict = verdicts[((i * 2654435761) >> 7) % #verdicts + 1]  -- not tied to the build
  local command = (verdict == "damaged" and i % 3 == 0) and "repair" or "diagnose"
  local ev, damaged = json.array(), json.array()
  if verdict ~= "healthy" then
    for k = 1, 3 + i % 4 do
      ev[#ev + 1] = { signature = "driver-migrate-result", file = [[C:\$WINDOWS.~BT\Sources\Panther\setupact.log]],
        line = 400 + k, time = "2026-11-20 10:06:48",
        text = "2026-11-20 10:06:48, Error                 SP     CDlpActionDriverMigrate::ExecuteRoutine: Result = 0x80070003" }
    end
  end
  if verdict == "damaged" then damaged[1] = { name = folder(arch, ver), reason = "listed in the registry as " .. ver .. ", folder empty" } end
  local r = {
    tool = "sxsfix", version = "0.1.0", schema = 1, command = command,
    time = string.format("2026-11-%02dT%02d:%02d:00Z", older and 10 or 20, i % 24, i % 60),
    duration_ms = 100 + i % 900, verdict = verdict, evidence = ev, history = json.array(),
    system = { computer_name = string.format("PC-%05d", i), build = b[1], ubr = ubr,
               edition = editions[i % #editions + 1], product = "Windows 11 Pro", display_version = "24H2" },
    servicing_stack = {
      damaged = damaged,
      registry = { { version = ver, path = [[%SystemRoot%\WinSxS\]] .. folder(arch, ver), state = verdict == "damaged" and "empty" or "ok", files = 8 } },
      folders = { { name = folder(arch, ver), path = [[%windir%\WinSxS\]] .. folder(arch, ver), files = 8, state = "ok" } },
    },
    exit_code = verdict == "healthy" and 0 or (verdict == "unknown" and 5 or 1),
  }
  if verdict == "unknown" then r.reason = "the SOFTWARE hive could not be read" end
  if command == "repair" then
    local st = ({ "repaired", "repaired", "failed", "refused", "reboot" })[(i // 3) % 5 + 1]
    r.exit_code = ({ repaired = 0, failed = 2, refused = 3, reboot = 3010 })[st]
    r.repair = { status = st == "reboot" and "repaired" or st, ssu = [[\\share\ssu]],
                 error = (st == "failed" and "copying failed: access denied") or (st == "refused" and "no update in the folder holds the damaged folders") or nil }
    if st == "repaired" or st == "reboot" then r.verdict = "healthy" end
  end
  return r
end

for i = 1, n do
  local dir = fs.join(out, string.format("site%02d", i % 17))
  fs.mkdirs(dir)
  assert(fs.writefile(fs.join(dir, string.format("PC-%05d.json", i)), json.encode(report(i), { indent = true })))
  if i % 10 == 0 then  -- an older report of the same machine: history
    assert(fs.writefile(fs.join(dir, string.format("PC-%05d-old.json", i)), json.encode(report(i, true), { indent = true })))
  end
end
