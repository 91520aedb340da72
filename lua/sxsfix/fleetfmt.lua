-- sxsfix.fleetfmt: the fleet report (sxsfix.fleet's aggregate) as text,
-- csv, json or html. Every function returns one string.
--
--   text: aligned tables for a terminal
--   csv:  one row per machine (RFC 4180; a cell that a spreadsheet would
--         run as a formula gets a leading ')
--   json: the aggregate (counts, download list, machines needing a look,
--         skipped files)
--   html: one self-contained page: inline CSS and SVG, a few lines of
--         script to sort the tables (nothing else may run: CSP), no font or
--         image from the network; prints on A4/Letter
local json = require "sxsfix.json"

local M = {}

-- "reboot": the last repair exited 3010; the machine is healthy only after the restart.
M.COLORS = { damaged = "#c62828", suspected = "#ef6c00", healthy = "#2e7d32", unknown = "#757575", reboot = "#6a1b9a" }
M.VERDICT_ORDER = { "damaged", "suspected", "unknown", "reboot", "healthy" }
M.LABELS = { reboot = "Reboot pending" }

-- A string for a terminal or a spreadsheet: C0 and C1 controls (ESC, BEL,
-- CSI, newlines...) and DEL become "?", so a report's strings cannot move
-- the cursor, retitle or clear the terminal. One character for one, so the
-- columns stay aligned.
function M.printable(v)
  return (tostring(v):gsub("[%c\127]", "?"):gsub("\194[\128-\159]", "?"))
end

local function count_of(list, key)
  for _, e in ipairs(list) do if e.key == key then return e.count end end
  return 0
end

-- Verdicts in a fixed order (every one shown, zero included), then any other.
local function verdict_rows(agg)
  local rows, seen = {}, {}
  for _, v in ipairs(M.VERDICT_ORDER) do
    rows[#rows + 1] = { key = v, count = count_of(agg.verdicts, v) }
    seen[v] = true
  end
  for _, e in ipairs(agg.verdicts) do if not seen[e.key] then rows[#rows + 1] = e end end
  return rows
end

local function headline(agg)
  return string.format("%d machine(s) from %d report(s) (%d older kept as history), %d file(s) skipped, " ..
    "%d stale (last seen more than %d days ago)",
    #agg.machines, agg.reports, agg.history, #agg.skipped, agg.stale or 0, agg.stale_days or 30)
end

-- text ------------------------------------------------------------------------

local function columns(out, header, rows)
  local width = {}
  for i, h in ipairs(header) do width[i] = #h end
  for _, r in ipairs(rows) do
    for i, c in ipairs(r) do
      c = M.printable(c)
      width[i] = math.max(width[i] or 0, utf8.len(c) or #c)
    end
  end
  local function line(r)
    local cells = {}
    for i, c in ipairs(r) do
      c = M.printable(c)
      local pad = width[i] - (utf8.len(c) or #c)
      cells[i] = (type(r[i]) == "number") and (string.rep(" ", pad) .. c) or (c .. string.rep(" ", pad))
    end
    out[#out + 1] = ("  " .. table.concat(cells, "  ")):gsub("%s+$", "")
  end
  line(header)
  for _, r in ipairs(rows) do line(r) end
  out[#out + 1] = ""
end

local function pairs_rows(list)
  local rows = {}
  for _, e in ipairs(list) do rows[#rows + 1] = { e.key, e.count } end
  return rows
end

function M.text(agg)
  local out = { "sxsfix fleet report: " .. headline(agg), "" }
  out[#out + 1] = "Verdicts (newest report per machine):"
  columns(out, { "verdict", "machines" }, pairs_rows(verdict_rows(agg)))
  out[#out + 1] = "Repair results:"
  columns(out, { "status", "machines" }, pairs_rows(agg.repairs))
  out[#out + 1] = "Builds:"
  columns(out, { "build.ubr", "machines" }, pairs_rows(agg.builds))
  out[#out + 1] = "Servicing stack updates needed (the download list):"
  local need_rows = pairs_rows(agg.needed)
  for _, r in ipairs(need_rows) do  -- the update that carries each version, by name
    r[3] = require("sxsfix.kb").label(r[1]:match("^(%S+)")) or "no row in the update table: search the Catalog"
  end
  columns(out, { "version arch", "machines", "update" }, need_rows)
  out[#out + 1] = "Machines that need a look:"
  local rows = {}
  for _, m in ipairs(agg.attention) do rows[#rows + 1] = { m.name, m.attention, m.time, m.reason or "" } end
  columns(out, { "machine", "state", "time", "reason" }, rows)
  if #agg.skipped > 0 then
    out[#out + 1] = "Skipped files:"
    for _, s in ipairs(agg.skipped) do out[#out + 1] = "  " .. M.printable(s.file .. ": " .. s.reason) end
    out[#out + 1] = ""
  end
  return table.concat(out, "\n")
end

-- csv ------------------------------------------------------------------------

M.CSV_COLUMNS = { "machine", "time", "command", "verdict", "repair_status", "exit_code", "build", "ubr",
                  "edition", "needs", "attention", "reason", "history", "file", "last_seen_days", "stale" }

local function csv_cell(v)
  if v == nil then return "" end
  v = M.printable(v)
  if v:find("^[=+%-@\t\r]") and not v:find("^%-?%d+$") then v = "'" .. v end  -- not a formula
  if v:find('[",\r\n]') then v = '"' .. v:gsub('"', '""') .. '"' end
  return v
end

function M.csv(agg)
  local out = { table.concat(M.CSV_COLUMNS, ",") }
  for _, m in ipairs(agg.machines) do
    local row = { m.name, m.time, m.command, m.verdict, m.repair_status, m.exit_code, m.build, m.ubr,
                  m.edition, table.concat(m.needs, ";"), m.attention, m.reason, m.history, m.file,
                  m.last_seen, m.stale and "yes" or "no" }
    for i = 1, #M.CSV_COLUMNS do row[i] = csv_cell(row[i]) end
    out[#out + 1] = table.concat(row, ",")
  end
  return table.concat(out, "\r\n") .. "\r\n"
end

-- json -----------------------------------------------------------------------

local function counts(list)
  local t = {}
  for _, e in ipairs(list) do t[e.key] = e.count end
  return t
end

-- The aggregate as a JSON-ready table (also the --json fields of `report`).
function M.data(agg)
  local needed, attention, skipped = json.array(), json.array(), json.array()
  for _, e in ipairs(agg.needed) do
    local version, arch = e.key:match("^(%S+) (%S+)$")
    needed[#needed + 1] = { version = version, arch = arch, machines = e.count, kb = require("sxsfix.kb").json(version) }
  end
  for _, m in ipairs(agg.attention) do
    attention[#attention + 1] = { machine = m.name, state = m.attention, reason = m.reason, time = m.time,
                                  file = m.file, exit_code = m.exit_code }
  end
  for _, s in ipairs(agg.skipped) do skipped[#skipped + 1] = { file = s.file, reason = s.reason } end
  return {
    fleet_schema = agg.schema, machines = #agg.machines, reports = agg.reports, history = agg.history,
    files = agg.files, verdicts = counts(verdict_rows(agg)), repairs = counts(agg.repairs),
    builds = counts(agg.builds), needed = needed, attention = attention, skipped = skipped,
    stale = agg.stale, stale_days = agg.stale_days,
  }
end

function M.json(agg)
  return json.encode(M.data(agg), { indent = true }) .. "\n"
end

-- html -----------------------------------------------------------------------

local ESC = { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;", ["'"] = "&#39;" }
local function h(v)
  return (tostring(v == nil and "" or v):gsub("[&<>\"']", ESC))
end
-- A class name: a word of [a-z0-9-], whatever the value held.
local function cls(v)
  return (tostring(v == nil and "" or v):lower():gsub("[^a-z0-9%-]", "-"))
end

local CSS = [[
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:24px;color:#212121}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd}
.sub{color:#555;margin-bottom:16px}
.cards{display:flex;gap:12px;flex-wrap:wrap}
.card{border:1px solid #ddd;border-radius:6px;padding:8px 14px;min-width:110px}
.card b{display:block;font-size:24px}
table{border-collapse:collapse;margin:4px 0 8px}
th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f3f3f3;white-space:nowrap}
th.sort::after{content:" \2195";color:#999}
td.n{text-align:right;font-variant-numeric:tabular-nums}td.stale{color:#c62828;font-weight:600}
tr:nth-child(even) td{background:#fafafa}
.v-damaged{color:#c62828;font-weight:600}.v-suspected{color:#ef6c00;font-weight:600}
.v-healthy{color:#2e7d32}.v-unknown{color:#757575;font-weight:600}.v-reboot{color:#6a1b9a;font-weight:600}
.charts{display:flex;gap:32px;flex-wrap:wrap}
svg text{font:12px system-ui,Arial,sans-serif}
.small{font-size:12px;color:#555}
@media print{body{margin:10mm}h2{break-after:avoid}tr,svg{break-inside:avoid}.cards{gap:6px}}
]]

-- The page's only script: a click on a column's header sorts its table
-- (again: the other way); "#sort=TABLE:N" or "#sort=TABLE:Nd" in the
-- address sorts at load. The Content-Security-Policy lets only this text
-- run (by its SHA-256), so even markup that got past h() could not.
M.SCRIPT = [[function sortBy(th){var t=th.closest("table"),b=t.tBodies[0],i=th.cellIndex,d=th.dataset.dir==="a"?"d":"a";for(var h of t.tHead.rows[0].cells)delete h.dataset.dir;th.dataset.dir=d;var rows=Array.from(b.rows),n=rows.length>0&&/\bn\b/.test(rows[0].cells[i].className);rows.sort(function(x,y){var p=x.cells[i].textContent,q=y.cells[i].textContent,c=n?(parseFloat(p)||0)-(parseFloat(q)||0):p.localeCompare(q);return d==="a"?c:-c});rows.forEach(function(r){b.appendChild(r)})}document.addEventListener("click",function(e){var th=e.target.closest("th.sort");if(th)sortBy(th)});var m=/^#sort=([a-z]+):([0-9]+)(d?)$/.exec(location.hash);if(m){var th=document.querySelector("table."+m[1]+" thead th:nth-child("+m[2]+")");if(th){sortBy(th);if(m[3])sortBy(th)}}]]
M.SCRIPT_SHA256 = "yczyuX8IcJq6aj4MVaIvM5c0oMx5418/YzYYxM5V35g="  -- base64; test_report recomputes it
M.CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-" .. M.SCRIPT_SHA256 .. "'"

-- A horizontal bar chart: rows { key, count }, colors by key (or one color).
local function bars(title, rows, colors)
  local label_w, bar_w, row_h = 170, 320, 22
  local max = 1
  for _, r in ipairs(rows) do max = math.max(max, r.count) end
  local height = #rows * row_h + 28
  local out = { string.format('<svg role="img" aria-label="%s" width="%d" height="%d" viewBox="0 0 %d %d">',
    h(title), label_w + bar_w + 70, height, label_w + bar_w + 70, height),
    string.format('<text x="0" y="14" font-weight="600">%s</text>', h(title)) }
  for i, r in ipairs(rows) do
    local y = 24 + (i - 1) * row_h
    local w = math.floor(bar_w * r.count / max + 0.5)
    out[#out + 1] = string.format(
      '<text x="%d" y="%d" text-anchor="end">%s</text><rect x="%d" y="%d" width="%d" height="%d" fill="%s"/>' ..
      '<text x="%d" y="%d">%d</text>',
      label_w - 6, y + 14, h(r.key), label_w, y + 2, w, row_h - 6,
      colors and (colors[r.key] or "#455a64") or "#1565c0", label_w + w + 6, y + 14, r.count)
  end
  out[#out + 1] = "</svg>"
  return table.concat(out)
end

local function html_table(out, tclass, header, rows, numeric)
  out[#out + 1] = '<table class="' .. cls(tclass) .. '"><thead><tr>'
  for _, c in ipairs(header) do out[#out + 1] = '<th class="sort">' .. h(c) .. "</th>" end
  out[#out + 1] = "</tr></thead><tbody>"
  for _, r in ipairs(rows) do
    local cells = {}
    for i, c in ipairs(r) do
      if type(c) == "table" then  -- { text, class }
        cells[i] = '<td class="' .. cls(c[2]) .. '">' .. h(c[1]) .. "</td>"
      else
        cells[i] = (numeric and numeric[i]) and ('<td class="n">' .. h(c) .. "</td>") or ("<td>" .. h(c) .. "</td>")
      end
    end
    out[#out + 1] = '<tr class="' .. cls(r.class) .. '">' .. table.concat(cells) .. "</tr>"
  end
  out[#out + 1] = "</tbody></table>"
end

function M.html(agg, opts)
  opts = opts or {}
  local out = { "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
    '<meta http-equiv="Content-Security-Policy" content="' .. M.CSP .. '">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    "<title>sxsfix fleet report</title><style>", CSS, "</style></head><body>",
    "<h1>sxsfix fleet report</h1>",
    '<div class="sub">' .. h(headline(agg)) .. (opts.time and (" &middot; made " .. h(opts.time)) or "") .. "</div>" }

  out[#out + 1] = '<div class="cards"><div class="card">Machines<b id="machines">' .. #agg.machines .. "</b></div>"
  local vrows = verdict_rows(agg)
  for _, r in ipairs(vrows) do
    out[#out + 1] = string.format('<div class="card v-%s">%s<b data-verdict="%s">%d</b></div>',
      cls(r.key), h(M.LABELS[r.key] or (r.key:sub(1, 1):upper() .. r.key:sub(2))), h(r.key), r.count)
  end
  out[#out + 1] = string.format('<div class="card">Stale (&gt; %d days)<b data-stale="%d">%d</b></div>',
    agg.stale_days or 30, agg.stale or 0, agg.stale or 0)
  out[#out + 1] = "</div>"

  out[#out + 1] = '<h2>Charts</h2><div class="charts">'
  out[#out + 1] = bars("Verdicts", vrows, M.COLORS)
  if #agg.needed > 0 then out[#out + 1] = bars("Servicing stack updates needed", agg.needed) end
  out[#out + 1] = "</div>"

  out[#out + 1] = "<h2>Verdicts</h2>"
  local rows = {}
  for _, r in ipairs(vrows) do rows[#rows + 1] = { { r.key, "v-" .. r.key }, r.count, class = "verdict" } end
  html_table(out, "verdicts", { "Verdict", "Machines" }, rows, { [2] = true })

  out[#out + 1] = "<h2>Servicing stack updates needed</h2>"
  out[#out + 1] = '<p class="small">The download list for the update share: each version, and how many machines need it.</p>'
  rows = {}
  for _, e in ipairs(agg.needed) do
    local v, a = e.key:match("^(%S+) (%S+)$")
    rows[#rows + 1] = { v or e.key, a or "", e.count,
      require("sxsfix.kb").label(v) or "no row in the update table: search the Catalog" }
  end
  html_table(out, "needed", { "Servicing stack", "Architecture", "Machines", "Update" }, rows, { [3] = true })

  out[#out + 1] = "<h2>Repair results</h2>"
  html_table(out, "repairs", { "Status", "Machines" }, pairs_rows(agg.repairs), { [2] = true })

  out[#out + 1] = "<h2>Builds</h2>"
  html_table(out, "builds", { "Build.UBR", "Machines" }, pairs_rows(agg.builds), { [2] = true })

  out[#out + 1] = "<h2>Machines that need a look</h2>"
  rows = {}
  for _, m in ipairs(agg.attention) do rows[#rows + 1] = { m.name, m.attention, m.time, m.reason or "" } end
  html_table(out, "attention", { "Machine", "State", "Time", "Reason" }, rows)

  out[#out + 1] = "<h2>All machines (newest report each)</h2>"
  rows = {}
  for _, m in ipairs(agg.machines) do
    rows[#rows + 1] = { m.name, { m.verdict, "v-" .. m.verdict }, m.repair_status or "",
      (m.build or "?") .. "." .. (m.ubr or "?"), m.edition or "", table.concat(m.needs, ", "), m.time,
      m.last_seen and { m.last_seen, m.stale and "n stale" or "n" } or "", m.history, class = "machine" }
  end
  html_table(out, "machines", { "Machine", "Verdict", "Repair", "Build", "Edition", "Needs", "Time",
    "Last seen (days)", "Older reports" }, rows, { [9] = true })

  if #agg.skipped > 0 then
    out[#out + 1] = "<h2>Skipped files</h2>"
    rows = {}
    for _, s in ipairs(agg.skipped) do rows[#rows + 1] = { s.file, s.reason, class = "skipped" } end
    html_table(out, "skipped", { "File", "Reason" }, rows)
  end
  out[#out + 1] = "<script>" .. M.SCRIPT .. "</script>"
  out[#out + 1] = "</body></html>\n"
  return table.concat(out, "\n")
end

return M
