-- sxsfix.provenance: is an update what its publisher signed?
--
--   provenance.anchors(files)             -> pem | nil, err   (sxsfix.trust + --trust files)
--   provenance.verify_cab(path, opts)     -> info | nil, err   (one cabinet)
--   provenance.verify_update(path, opts)  -> list | nil, err, code
--   provenance.format(path)               -> "cab"|"wim" | nil, err (by the first bytes)
--   provenance.catalog_check(path)        -> true | nil, reason
--   provenance.hash_tree(dir)             -> { [rel] = sha256 } | nil, err
--   provenance.recheck(dir, hashes)       -> true | nil, reason (same names)
--   provenance.verify_step(r, settings, opts) -> true | nil, reason, class (repair's verify step)
--
-- opts: { trust = { "ca.pem", ... }, engine = "auto"|"openssl"|"system",
--         time = T (the check time when a signature has no timestamp; default now) }
-- An info is sxsfix.authenticode's (status, verified, reason, signer, chain,
-- anchor, anchor_sha256, digest, timestamp, ...) plus file = its path.
local authenticode = require "sxsfix.authenticode"
local expand = require "sxsfix.expand"
local fs = require "sxsfix.fs"
local staging = require "sxsfix.staging"
local trust = require "sxsfix.trust"

local M = {}

-- The anchors as PEM text: sxsfix.trust's and those in each file of files.
function M.anchors(files)
  local extra = {}
  for _, f in ipairs(files or {}) do
    local pem, err = fs.readfile(f)
    if not pem then return nil, err end
    if not pem:find("-----BEGIN CERTIFICATE-----", 1, true) then
      return nil, f .. ": no PEM certificate in it"
    end
    if authenticode.engines.openssl then  -- parse it now, to name a bad file
      local certs, perr = authenticode.certs(pem)
      if not certs or #certs == 0 then return nil, f .. ": " .. (perr or "no PEM certificate in it") end
    end
    extra[#extra + 1] = pem
  end
  return trust.pem(extra)
end

local function engine_of(opts)
  local e = opts.engine or "auto"
  if e == "auto" then e = authenticode.engines.system and "system" or "openssl" end
  return e
end

local digest_ok = {}
for _, d in ipairs(trust.digests) do digest_ok[d] = true end

-- Verify one cabinet. opts.pem: the anchors (M.anchors) when known.
function M.verify_cab(path, opts)
  opts = opts or {}
  local pem = opts.pem
  if not pem then
    local err
    pem, err = M.anchors(opts.trust)
    if not pem then return nil, err end
  end
  local info, err, code = authenticode.verify(path, { anchors = pem, engine = engine_of(opts), time = opts.time })
  if not info then return nil, err, code end
  if info.verified and info.digest and not digest_ok[info.digest] then
    info.verified, info.status = false, "bad signature"
    info.reason = "bad signature (digest " .. info.digest .. " is not allowed by sxsfix.trust.digests)"
  end
  info.file = path
  return info
end

-- The Microsoft Update Catalog names a file NAME_<sha1 of the file>.msu.
function M.catalog_check(path)
  local want = fs.basename(path):lower():match("_(%x+)%.msu$")
  if not want or #want ~= 40 then return true end
  local got, err = authenticode.hash(path, "sha1")
  if not got then return nil, err end
  if got ~= want then
    return nil, string.format("%s: corrupted download (its SHA-1 is %s; the catalog name says %s)",
      path, got, want)
  end
  return true
end

-- The container by its first bytes: "cab" (MSCF) or "wim" (MSWIM\0\0\0),
-- else nil, "path: ...". Never by the file's name.
function M.format(path)
  local h, err = fs.head(path, 8)
  if not h then return nil, err end
  if h:sub(1, 4) == "MSCF" then return "cab" end
  if h == "MSWIM\0\0\0" then return "wim" end
  return nil, path .. ": not a cabinet file or a WIM (expected the signature MSCF or MSWIM)"
end

-- Every *.cab below dir (sorted), as paths.
local function cabs_below(dir)
  local out = {}
  for rel, kind in fs.walk(dir, { type = "file", depth = 6 }) do
    if kind ~= "dir" and rel:lower():match("%.cab$") then out[#out + 1] = fs.join(dir, rel) end
  end
  table.sort(out)
  return out
end

-- Verify a .cab, or a .msu and each cabinet inside it. Returns a list of
-- infos (info.file is "X.msu/inner.cab" for an inner cabinet), or nil, err,
-- code when the input is not a cabinet or an update. A CAB .msu whose own
-- signature fails and whose contents cannot be listed: the list of that
-- one info, with list.damaged = the read error. A member that could not be
-- taken out (damaged, or no room for it): list.unread[] = { file, reason }.
function M.verify_update(path, opts)
  opts = opts or {}
  local pem, perr = M.anchors(opts.trust)
  if not pem then return nil, perr end
  local o = { pem = pem, engine = opts.engine, time = opts.time }
  local outer, err, code = M.verify_cab(path, o)
  if not outer then return nil, err, code end
  local list = {}
  local is_msu = path:lower():match("%.msu$")
  local kind, ferr = M.format(path)
  if not kind then return nil, ferr, 3 end
  if kind == "cab" and outer.status == "bad input" then  -- damaged: never taken for a WIM
    return nil, path .. ": " .. (outer.reason or "a damaged cabinet"), 3
  end
  if outer.status ~= "bad input" then list[1] = outer end
  if not is_msu then
    if outer.status == "bad input" then return nil, path .. ": " .. outer.reason end
    return list
  end
  -- The cabinets inside the update (a WIM container has no signature of its
  -- own): listed, then taken out one name at a time into a new private
  -- temporary folder, checked and removed before the next, so the disk
  -- holds one member at most and nothing is left whatever the outcome.
  local top, lerr, lcode = expand.list(path, { nested = false })
  if not top then
    -- the file's own signature first: a changed outer cabinet is invalid
    -- (list.damaged says what else could not be read)
    if list[1] and not list[1].verified then list.damaged = lerr; return list end
    return nil, lerr, lcode
  end
  if outer.status == "bad input" then list.container = "wim" end
  local bases, seen = {}, {}
  for _, e in ipairs(top) do
    local base = fs.basename(e.name)
    -- (a wildcard in a name would take out other members with it)
    if not e.dir and base:lower():match("%.cab$") and not base:find("[%*%?]") and not seen[base:lower()] then
      seen[base:lower()], bases[#bases + 1] = true, base
    end
  end
  table.sort(bases)
  for _, base in ipairs(bases) do
    local tmp, terr = fs.tempdir("sxsfix-verify")
    if not tmp then return nil, terr end
    local res, xerr = expand.run(path, tmp, { nested = false, filter = base })
    if not res then
      list.unread = list.unread or {}
      list.unread[#list.unread + 1] = { file = path .. "/" .. base, reason = xerr }
    else
      for _, cab in ipairs(cabs_below(tmp)) do
        local info, verr = M.verify_cab(cab, o)
        if not info then fs.rmtree(tmp); return nil, verr end
        info.file = path .. "/" .. cab:sub(#tmp + 2):gsub("\\", "/")
        list[#list + 1] = info
      end
    end
    fs.rmtree(tmp)
  end
  if #list == 0 then
    if list.unread then return nil, list.unread[1].reason, 3 end
    return nil, path .. ": not a signed update (no cabinet in it)"
  end
  table.sort(list, function(x, y)  -- the file's own first, then by name
    if (x.file == path) ~= (y.file == path) then return x.file == path end
    return x.file < y.file
  end)
  return list
end

-- SHA-256 of every file below dir, by path relative to dir.
function M.hash_tree(dir)
  local out = {}
  for rel, kind in fs.walk(dir, { type = "file" }) do
    if kind ~= "dir" then
      local h, err = authenticode.hash(fs.join(dir, rel), "sha256")
      if not h then return nil, err end
      out[rel] = h
    end
  end
  return out
end

-- dir holds exactly the files of hashes: none gone, none added. Their
-- contents are checked by plan:apply (opts.sha256) as each is copied.
function M.recheck(dir, hashes)
  local now = {}
  for rel, kind in fs.walk(dir, { type = "file" }) do
    if kind ~= "dir" then
      if not hashes[rel] then return nil, fs.join(dir, rel) .. ": not in the verified cabinet" end
      now[rel] = true
    end
  end
  for rel in pairs(hashes) do
    if not now[rel] then return nil, fs.join(dir, rel) .. ": gone since it was verified" end
  end
  return true
end

-- Take one stack cabinet out as a snapshot in the private work folder,
-- verify the snapshot, expand it (the same bytes) into the staging folder
-- and delete it. Returns the info, or nil, err.
local function stage_cab(r, ssu, cab, o, opts, budget)
  local l = r.listing
  local snap, err, class = staging.snapshot(l, ssu, cab)
  if not snap then return nil, err, class end
  local info, verr = M.verify_cab(snap, o)
  if not info then return nil, verr end
  info.file = l.bare and ssu or (ssu .. "/" .. cab.name)
  if info.verified or opts.allow_unsigned then
    local need, lerr = staging.expanded_size(snap)
    if not need then return nil, lerr end
    local ok, serr = staging.space(l.work, need, "the expansion of " .. info.file)
    local dst = fs.join(l.stage, (cab.name:gsub("%.[Cc][Aa][Bb]$", "")))
    local scode
    if ok then ok, serr, scode = fs.mkdirs(dst) end
    if ok then
      ok, serr, scode, class = expand.run(snap, dst, { nested = true, max_ratio = budget.max_ratio,
                                                       max_bytes = budget.max_bytes })
    end
    -- the machine (disk full, out of memory midway) is "resource"; a
    -- damaged cabinet "input"
    if not ok then return nil, staging.work_error(l.work, serr, scode), class end
  end
  fs.remove(snap)
  return info
end

-- Repair's verify step. r: the repair's result so far (r.ssu, r.listing
-- from staging.list, or r.expanded: an expanded folder); find(dir) ->
-- found, provided finds the stack folders in a folder. The sources of the
-- copy are only what this step extracts itself, into a new staging folder,
-- from each stack cabinet it has just verified (a snapshot of it in the
-- private work folder: the bytes verified are the bytes expanded): a
-- folder beside a cabinet (in a .msu or a folder) is never a source, and
-- an expanded folder is refused. Then hashes those files (r.hashes[name]);
-- fills r.signatures. A failure returns nil, reason (naming the cabinet)
-- unless opts.allow_unsigned, and its class: "resource" when the machine
-- ran out of disk space or memory while taking out or expanding a cabinet.
function M.verify_step(r, settings, opts, find)
  r.signatures = {}
  local ssu = r.choice and r.choice.file or r.ssu  -- the update chosen from a folder of them
  local pem, err = M.anchors(opts.trust)
  if not pem then return nil, err end
  local o = { pem = pem, engine = opts.engine or (settings.provenance or {}).engine, time = opts.time }
  if fs.isdir(ssu) then
    local msg = ssu .. ": unsigned (an expanded folder carries no signature): pass the signed .msu or .cab"
    r.signatures[1] = { file = ssu, status = "unsigned", verified = false,
                        reason = "unsigned (an expanded folder carries no signature)" }
    if not opts.allow_unsigned then return nil, msg end
    r.unsigned_allowed = msg
    r.found, r.provided = find(ssu)
    return M.hash_all(r)
  end
  local l = r.listing
  if not l then return nil, ssu .. ": not listed (the expand step did not run)" end
  local failures = {}
  if l.kind == "cab" and not l.bare then
    -- A CAB-based .msu is signed as a whole (a WIM-based one is not); a
    -- damaged one is bad input, never taken for a WIM.
    local outer, oerr = M.verify_cab(ssu, o)
    if not outer then return nil, oerr end
    if outer.status == "bad input" then return nil, ssu .. ": " .. (outer.reason or "a damaged cabinet") end
    r.signatures[1] = outer
    if not outer.verified then failures[1] = outer end
  end
  -- The stack cabinets, each taken out, verified and expanded by sxsfix
  -- into the private staging folder: the only source.
  local ok, serr, code
  for _, d in ipairs({ l.stage, l.snaps }) do
    ok, serr, code = fs.rmtree(d)  -- a previous run's: ours to replace
    if ok then ok, serr, code = fs.mkdirs(d) end
    if not ok then return nil, staging.work_error(l.work, serr, code) end
  end
  local need = 0
  for _, cab in ipairs(l.cabs) do need = need + cab.size end
  ok, serr = staging.space(l.work, need, ssu .. "'s servicing stack cabinet(s)")
  if not ok then return nil, serr end
  for _, cab in ipairs(l.cabs) do
    local info, verr, class = stage_cab(r, ssu, cab, o, opts, settings.expand or {})
    if not info then return nil, verr, class end
    r.signatures[#r.signatures + 1] = info
    if not info.verified then failures[#failures + 1] = info end
  end
  fs.rmtree(l.snaps)
  r.found, r.provided = find(l.stage)
  if #failures > 0 then
    local f = failures[1]
    local msg = string.format("%s: %s", f.file, f.reason or f.status)
    if not opts.allow_unsigned then return nil, msg end
    r.unsigned_allowed = msg
  end
  return M.hash_all(r)
end

-- Hash the files of every stack folder of the update (r.hashes[name]).
function M.hash_all(r)
  r.hashes = {}
  for _, name in ipairs(r.provided or {}) do
    local h, herr = M.hash_tree(r.found[name:lower()])
    if not h then return nil, herr end
    r.hashes[name:lower()] = h
  end
  return true
end

return M
