-- sxsfix.manifest: a WinSxS component's own file list, and the check of a
-- component folder against it.
--
-- Every component folder WinSxS\NAME has a manifest WinSxS\Manifests\NAME.manifest
-- naming each file of the component with its hash:
--   <file name="wcp.dll" ...>
--     <asmv2:hash ...><dsig:DigestMethod Algorithm="http://www.w3.org/2000/09/xmldsig#sha256"/>
--       <dsig:DigestValue>BASE64</dsig:DigestValue></asmv2:hash></file>
-- Windows 7 keeps it as UTF-8 XML (updates ship it so); Windows 8 and later
-- compress it with the DCM delta format ("DCM\1", then a PA30 delta against
-- a dictionary inside wcp.dll). M.decoders may hold functions(data) -> xml | nil, msg for it;
-- none is built in, so such a manifest is "compressed": not read.
--
--   M.parse(text, label)          -> { files = {{name, rel, alg, hex}...} } | nil, msg, state
--   M.read(path)                  -> manifest | nil, msg, state
--   M.check(dir, m, skip)         -> { checked, problems, unreadable, notes }
--   M.folder(winsxs, name, dir, skip) -> record {state, path, files, message, problems, ...}
--   M.step(ctx)                   the diagnose step "manifests" (see sxsfix.diagnose)
-- state: "verified", "damaged" (a file missing or changed), "missing" (no
-- manifest), "compressed", "invalid", "too-big", "unreadable".
local fs = require "sxsfix.fs"
local authenticode = require "sxsfix.authenticode"

local M = {}

M.MAX_BYTES = 1024 * 1024   -- a manifest longer than this is not read
M.MAX_FILES = 20000         -- nor one listing more <file> entries
M.decoders = {}

local ALGS = { ["http://www.w3.org/2000/09/xmldsig#sha256"] = { "sha256", 32 },
               ["http://www.w3.org/2000/09/xmldsig#sha1"] = { "sha1", 20 } }

-- Strict base64 (RFC 4648, with padding) -> bytes | nil.
local B64 = {}
for i = 1, 64 do
  B64[("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"):byte(i)] = i - 1
end
function M.base64(s)
  if #s == 0 or #s % 4 ~= 0 then return nil end
  local out = {}
  for i = 1, #s, 4 do
    local a, b, c, d = s:byte(i, i + 3)
    local last = i + 3 == #s
    local va, vb = B64[a], B64[b]
    local vc = c == 61 and last and d == 61 and 0 or B64[c]
    local vd = d == 61 and last and 0 or B64[d]
    if not (va and vb and vc and vd) then return nil end
    local n = ((va * 64 + vb) * 64 + vc) * 64 + vd
    local bytes = string.char(n >> 16, (n >> 8) & 255, n & 255)
    if last and c == 61 then bytes = bytes:sub(1, 1)
    elseif last and d == 61 then bytes = bytes:sub(1, 2) end
    out[#out + 1] = bytes
  end
  return table.concat(out)
end

local ENTITIES = { amp = "&", lt = "<", gt = ">", quot = '"', apos = "'" }

-- XML attribute text -> string | nil (an unknown or bad entity).
local function unescape(s)
  local bad = false
  local r = s:gsub("&(#?[%w]*);?", function(e)
    local n = e:match("^#x(%x+)$") and tonumber(e:sub(3), 16) or e:match("^#(%d+)$") and tonumber(e:sub(2))
    if n then
      if n > 0 and n <= 0x10FFFF then return utf8.char(n) end
    elseif ENTITIES[e] then return ENTITIES[e] end
    bad = true
  end)
  if bad then return nil end
  return r
end

-- A manifest's file name -> relative path ("a/b") inside the component
-- folder | nil, why not. Components are separated by "\"; none may be
-- empty, "." or "..", hold "/" or a character Windows forbids, or end in a
-- dot or space; no drive, no leading "\".
function M.safe_name(name)
  if name == "" then return nil, "an empty name" end
  if #name > 1024 then return nil, "a name longer than 1024 bytes" end
  if name:find("/", 1, true) then return nil, "a '/' in the name (a path, not a file of the component)" end
  if name:find("^\\") or name:find("^%a:") then return nil, "an absolute path" end
  local parts = {}
  for part in (name .. "\\"):gmatch("(.-)\\") do
    if part == "" then return nil, "an empty path component" end
    if part == "." or part == ".." then return nil, "a '" .. part .. "' component (outside the component folder)" end
    if part:find('[%c<>:"|?*]') then return nil, "a character Windows does not allow in file names" end
    if part:find("[%. ]$") then return nil, "a component ending in a dot or space" end
    parts[#parts + 1] = part
  end
  return table.concat(parts, "/")
end

local function hex(bytes)
  return (bytes:gsub(".", function(c) return string.format("%02x", c:byte()) end))
end

-- One <file ...> element: its start tag tag and what is inside it, body.
local function file_entry(tag, body, label)
  local attrs = {}
  for k, _, v in tag:gmatch("([%w_:%-]+)%s*=%s*([\"'])(.-)%2") do attrs[k] = attrs[k] or v end
  local raw = attrs.name
  if not raw then return nil, label .. ": a <file> element without a name (expected name=\"...\")" end
  local name = unescape(raw)
  if not name then return nil, string.format("%s: <file name=\"%s\">: a bad XML entity in the name", label, raw) end
  local rel, why = M.safe_name(name)
  if not rel then
    return nil, string.format("%s: <file name=\"%s\">: %s; expected a file name inside the component folder", label, name, why)
  end
  local e = { name = name, rel = rel }
  local alg = body:match("<[%w_%-]*:?DigestMethod%s[^>]-Algorithm%s*=%s*[\"']([^\"']*)[\"']")
  local value = body:match("<[%w_%-]*:?DigestValue[^>]*>%s*([^<]-)%s*<")
  if not alg and not value then return e end  -- listed without a hash: presence only
  local known = ALGS[alg or ""]
  if not known then e.unsupported = alg or "(none)"; return e end
  local bytes = value and M.base64(value)
  if not bytes or #bytes ~= known[2] then
    return nil, string.format("%s: <file name=\"%s\">: DigestValue \"%s\" is not the base64 of a %d-byte %s digest",
      label, name, (value or ""):sub(1, 80), known[2], known[1])
  end
  e.alg, e.hex = known[1], hex(bytes)
  return e
end

-- Parses a manifest's text. label names it in messages.
function M.parse(text, label)
  label = label or "manifest"
  if text:sub(1, 4) == "DCM\1" then
    for _, decode in ipairs(M.decoders) do
      local xml = decode(text)
      if xml then return M.parse(xml, label) end
    end
    local kind = text:sub(5, 8) == "PA30" and "DCM/PA30" or "DCM"
    return nil, label .. ": compressed (" .. kind .. " delta against the dictionary in wcp.dll), which this build cannot decode", "compressed"
  end
  if #text > M.MAX_BYTES then
    return nil, string.format("%s: longer than %d bytes: not read", label, M.MAX_BYTES), "too-big"
  end
  if text:sub(1, 2) == "\xff\xfe" or text:sub(1, 2) == "\xfe\xff" then
    return nil, label .. ": UTF-16; expected UTF-8 XML", "invalid"
  end
  if text:sub(1, 3) == "\xef\xbb\xbf" then text = text:sub(4) end
  if not text:find("<assembly[%s>]") then
    return nil, label .. ": not a component manifest (no <assembly> element)", "invalid"
  end
  local files, seen, pos = {}, {}, 1
  while true do
    local s, e = text:find("<file[%s/>]", pos)
    if not s then break end
    if #files >= M.MAX_FILES then
      return nil, string.format("%s: more than %d <file> entries: not read", label, M.MAX_FILES), "too-big"
    end
    local close = text:find(">", e, true)
    if not close then return nil, label .. ": a <file> element that never ends", "invalid" end
    local tag, body = text:sub(s, close), ""
    pos = close + 1
    if text:sub(close - 1, close - 1) ~= "/" then
      local ends = text:find("</file>", pos, true)
      if not ends then return nil, label .. ": a <file> element without </file>", "invalid" end
      body, pos = text:sub(pos, ends - 1), ends + 7
    end
    local entry, err = file_entry(tag, body, label)
    if not entry then return nil, err, "invalid" end
    local key = entry.rel:lower()
    if seen[key] then
      return nil, string.format("%s: <file name=\"%s\"> is listed twice", label, entry.name), "invalid"
    end
    seen[key] = true
    files[#files + 1] = entry
  end
  return { files = files }
end

-- Reads and parses the manifest at path (at most MAX_BYTES are read).
function M.read(path)
  local st, err, code = fs.stat(path)
  if not st then
    if fs.errkind(code) == "notfound" then return nil, path .. ": no such manifest", "missing" end
    return nil, err, "unreadable"
  end
  if st.type ~= "file" then return nil, path .. ": not a regular file (" .. st.type .. ")", "unreadable" end
  if st.size > M.MAX_BYTES then
    return nil, string.format("%s: longer than %d bytes: not read", path, M.MAX_BYTES), "too-big"
  end
  local data, rerr = fs.head(path, M.MAX_BYTES)  -- at most that, should it grow meanwhile
  if not data then return nil, rerr, "unreadable" end
  return M.parse(data, path)
end

-- Content that the component store keeps compressed or as a delta
-- ("DCN\1", "DCS\1", ..., "PA30"): not the file itself, so not compared.
local function stored_form(head)
  return head:match("^(DC%u)\1") or head:match("^(PA[13][09])")
end

-- Checks the files of the folder dir against manifest m. skip: lowercase
-- relative names already known to be damaged (not reported twice).
function M.check(dir, m, skip)
  local r = { checked = 0, problems = {}, unreadable = {}, notes = {} }
  for _, f in ipairs(m.files) do
    local path = fs.join(dir, f.rel)
    local st, err, code = fs.stat(path)
    if skip and skip[f.rel:lower()] then
      r.checked = r.checked + 1
    elseif not st and fs.errkind(code) == "notfound" then
      r.problems[#r.problems + 1] = { file = f.name, problem = "missing: its component manifest lists it" }
    elseif not st then
      r.unreadable[#r.unreadable + 1] = { file = f.name, message = err, code = code }
    elseif st.type ~= "file" then
      r.problems[#r.problems + 1] = { file = f.name, problem = "not a regular file (" .. st.type .. "); its manifest lists a file" }
    elseif f.unsupported then
      r.notes[#r.notes + 1] = f.name .. ": hash algorithm " .. f.unsupported .. " not supported; only its presence was checked"
    elseif f.hex then
      local ok, h, herr, hcode = pcall(authenticode.hash, path, f.alg)
      if not ok or not h then
        r.unreadable[#r.unreadable + 1] = { file = f.name, message = ok and herr or tostring(h), code = hcode }
      else
        r.checked = r.checked + 1
        if h ~= f.hex then
          local form = stored_form(fs.head(path, 8) or "")
          if form then
            r.notes[#r.notes + 1] = f.name .. ": kept in the store's " .. form .. " form; its content was not compared"
          else
            r.problems[#r.problems + 1] = { file = f.name, problem = string.format(
              "content differs from its component manifest (%s %s..., expected %s...)",
              f.alg:upper(), h:sub(1, 16), f.hex:sub(1, 16)) }
          end
        end
      end
    else
      r.checked = r.checked + 1
    end
  end
  return r
end

-- The manifest check of one component folder name (at dir) in winsxs.
function M.folder(winsxs, name, dir, skip)
  local rel = "Manifests\\" .. name .. ".manifest"
  local m, err, state = M.read(fs.join(fs.join(winsxs, "Manifests"), name .. ".manifest"))
  if not m then return { state = state, path = rel, message = err, problems = {}, unreadable = {}, notes = {} } end
  local c = M.check(dir, m, skip)
  local rec = { state = #c.problems > 0 and "damaged" or "verified", path = rel, files = #m.files,
                checked = c.checked, problems = c.problems, unreadable = c.unreadable, notes = c.notes }
  if #c.problems > 0 then
    rec.message = string.format("%s: %d of %d file(s) missing or changed", rel, #c.problems, #m.files)
  elseif #c.unreadable > 0 then
    rec.message = string.format("%s: %d file(s) could not be read", rel, #c.unreadable)
  end
  return rec
end

-- Adds the manifest's findings to a folder record (from the registry or
-- WinSxS step): problems and unreadable files not already there.
local function merge(f, rec)
  f.manifest = rec
  local have = {}
  for _, p in ipairs(f.problems) do have[p.file:lower()] = true end
  for _, p in ipairs(rec.problems) do
    if not have[p.file:lower()] then have[p.file:lower()] = true; f.problems[#f.problems + 1] = p end
  end
  for _, u in ipairs(rec.unreadable) do
    if not have[u.file:lower()] then have[u.file:lower()] = true; f.unreadable[#f.unreadable + 1] = u end
  end
  if f.state == "ok" and #f.problems > 0 then f.state = "incomplete" end
end

-- The diagnose step: each stack folder that holds files, against its own
-- manifest. A folder whose manifest cannot be read keeps the other checks
-- (key files, PE headers); when none can be read, result.fallback says so.
function M.step(ctx)
  local res = ctx.results
  local sxs = res["winsxs-stacks"] and res["winsxs-stacks"].result or {}
  local regs = res["registry-stacks"] and res["registry-stacks"].result or {}
  local done, list, read = {}, {}, 0
  local function visit(f, name, dir)
    if not name or (f.state ~= "ok" and f.state ~= "incomplete") then return end
    local key = name:lower()
    if not done[key] then
      local skip = {}
      for _, p in ipairs(f.problems) do skip[p.file:lower():gsub("\\", "/")] = true end
      done[key] = M.folder(ctx.settings.winsxs, name, dir, skip)
      done[key].folder = name
      list[#list + 1] = done[key]
      if done[key].state == "verified" or done[key].state == "damaged" then read = read + 1 end
    end
    merge(f, done[key])
  end
  for _, f in ipairs(sxs.folders or {}) do visit(f, f.name, f.path) end
  for _, e in ipairs(regs.entries or {}) do visit(e, e.folder, e.expanded) end
  local out = { folders = list, read = read }
  if #list > 0 and read == 0 then
    out.fallback = string.format("no component manifest could be read for the %d servicing stack folder(s) "
      .. "with files: checked key files and executable headers only", #list)
  end
  local summary = out.fallback or string.format("%d of %d folder(s) checked against their manifest", read, #list)
  return out, summary
end

-- One line for the report, or nil: how many folders were checked.
function M.summary_line(result)
  if not result or not result.folders or #result.folders == 0 then return nil end
  if result.fallback then return "Component manifests: " .. result.fallback end
  return string.format("Component manifests: %d of %d folder(s) checked file by file against their manifest's hashes",
    result.read, #result.folders)
end

return M
