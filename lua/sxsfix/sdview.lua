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
  return M.text_of(b)
end

-- The file whose security a new file gets when a copy into dst takes
-- template tmpl's (copy.plan's file_template): a file of dst (a sibling,
-- which keeps its own), else one of the template folder's (or tmpl, a
-- file), first by name; nil when there is none: a new file then gets the
-- folder's descriptor as Windows inheritance would give it to a file
-- created in it (its OI ACEs, without the inherit flags; sd.for_file).
-- Links are not taken.
function M.file_template(dst, tmpl)
  local st = tmpl and fs.stat(tmpl)
  local dirs = { dst, st and st.type == "dir" and tmpl or nil }
  for _, dir in ipairs(dirs) do
    local names = fs.isdir(dir) and fs.list(dir, { type = "file" }) or {}
    table.sort(names)
    for _, n in ipairs(names) do
      local p = fs.join(dir, n)
      local s = fs.stat(p)
      if s and s.type == "file" then return p end
    end
  end
  if st and st.type == "file" then return tmpl end  -- template:FILE
end

-- The descriptor a new file gets: file_template's, else the template
-- folder's as a file inherits it.
local function file_text(tmpl, file_template)
  if file_template then return M.text(file_template) end
  local b = tmpl and sd.get(tmpl)
  if not b then return nil end
  local fb, err = sd.for_file(b)
  if not fb then return "(malformed descriptor: " .. err .. ")" end
  return M.text_of(fb)
end

-- The text of descriptor bytes b.
function M.text_of(b)
  local t, err = sd.format(b)
  return t or ("(malformed descriptor: " .. err .. ")")
end

-- The descriptor each item of a copy plan gets, as { [path] = text }:
-- read from root (the destination after a copy, the source before), or,
-- for new items when security is "template:PATH", the template's (a new
-- file: a file's, see M.file_template).
function M.of_items(root, items, security, file_template)
  local tmpl = security and security:match("^template:(.+)$")
  local ttext = tmpl and M.text(tmpl)
  local ftext = tmpl and file_text(tmpl, file_template)
  local out = {}
  for _, it in ipairs(items) do
    if it.action == "new" or it.action == "changed" then
      local new = it.action == "new" and (it.type == "file" and ftext or it.type ~= "file" and ttext)
      out[it.path] = new or M.text(fs.join(root, it.path))
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
