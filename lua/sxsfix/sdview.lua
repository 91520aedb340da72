-- sxsfix.sdview: NT security descriptors of copied items in readable form
-- (owner, group, ACEs as SDDL-like text), for the copy and repair reports.
-- Files without one (a Linux file system, Wine) are simply not shown.
local sd = require "sxsfix.sd"
local fs = require "sxsfix.fs"

local M = {}

-- The decoded descriptor of path, or nil (none, unreadable or malformed:
-- the message then says so).
function M.text(path)
  local b = sd.get(path)
  if not b then return nil end
  local t, err = sd.format(b)
  return t or ("(malformed descriptor: " .. err .. ")")
end

-- The descriptor each item of a copy plan gets, as { [path] = text }:
-- read from root (the destination after a copy, the source before), or the
-- template's for new items when security is "template:PATH".
function M.of_items(root, items, security)
  local tmpl = security and security:match("^template:(.+)$")
  local ttext = tmpl and M.text(tmpl)
  local out = {}
  for _, it in ipairs(items) do
    if it.action == "new" or it.action == "changed" then
      out[it.path] = (it.action == "new" and ttext) or M.text(fs.join(root, it.path))
    end
  end
  return out
end

-- The distinct descriptors of a { [path] = text } map, most frequent first:
-- { { text = ..., count = n }, ... }.
function M.groups(map)
  local n, list = {}, {}
  for _, t in pairs(map) do n[t] = (n[t] or 0) + 1 end
  for t, c in pairs(n) do list[#list + 1] = { text = t, count = c } end
  table.sort(list, function(a, b) return a.count > b.count or (a.count == b.count and a.text < b.text) end)
  return list
end

return M
