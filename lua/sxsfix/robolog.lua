-- sxsfix.robolog: robocopy's way of reporting a copy: per-item lines, the
-- Dirs/Files/Bytes summary table and the exit bitmask. Used by the copy
-- and repair commands.
local M = {}

M.BIT = { copied = 1, extras = 2, mismatch = 4, failed = 8, fatal = 16 }
local BIT = M.BIT

local LABEL = {
  new = { dir = "New Dir", file = "New File" },
  changed = { file = "Changed" },
  same = { dir = "", file = "same" },
  extra = { dir = "*EXTRA Dir", file = "*EXTRA File" },
  skipped = { link = "skipped", other = "skipped" },
  mismatch = { dir = "*MISMATCH", file = "*MISMATCH" },
}

function M.item_line(it)
  local label = it.failed and "FAILED" or (LABEL[it.action] or {})[it.type] or it.action
  local size = it.type == "file" and tostring(it.size) or ""
  local line = string.format("  %-12s %14s  %s", label, size, it.path == "" and "." or it.path)
  if it.error then return line .. "\n      " .. it.error end
  if it.action ~= "same" then line = line .. "  (" .. it.reason .. ")" end
  if it.pending then line = line .. "\n      in use: replaced at the next boot by " .. it.pending end
  return line
end

-- The summary of a plan that was not applied: what a copy would do.
function M.plan_summary(items)
  local s = {}
  for _, k in ipairs { "dirs", "files", "bytes" } do
    s[k] = { total = 0, copied = 0, skipped = 0, mismatch = 0, failed = 0, extras = 0 }
  end
  for _, it in ipairs(items) do
    local c = it.type == "dir" and s.dirs or s.files
    local col = it.failed and "failed" or ({ new = "copied", changed = "copied", same = "skipped", skipped = "skipped",
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

-- The sum of summaries (one table for many copies, as one robocopy run).
function M.sum(list)
  local t = M.plan_summary({})
  for _, s in ipairs(list) do
    for _, k in ipairs { "dirs", "files", "bytes" } do
      for col, n in pairs(s[k]) do t[k][col] = (t[k][col] or 0) + n end
    end
  end
  return t
end

function M.table_lines(s)
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

function M.exit_code(s, verify_failed)
  local code = 0
  if s.files.copied + s.dirs.copied > 0 then code = code | BIT.copied end
  if s.files.extras + s.dirs.extras > 0 then code = code | BIT.extras end
  if s.files.mismatch + s.dirs.mismatch + (verify_failed or 0) > 0 then code = code | BIT.mismatch end
  if s.files.failed + s.dirs.failed > 0 then code = code | BIT.failed end
  return code
end

return M
