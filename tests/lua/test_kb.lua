-- sxsfix.kb and sxsfix.updates: every row sourced to a Microsoft page, the
-- hint, label and refusal for a row and for a version without one, the
-- checks on hostile rows, and the table against real updates.
local t = require "t"
local kb = require "sxsfix.kb"
local expand = require "sxsfix.expand"
local stack = require "sxsfix.stack"
local updates = require "sxsfix.updates"

local function folder(version)
  return "amd64_microsoft-windows-servicingstack_31bf3856ad364e35_" .. version .. "_none_a5532eb7772ad4c4"
end

-- A fresh kb reading another table in place of sxsfix.updates (it reads and
-- checks the rows on first use, so that is done here); errors pass through.
local function with_rows(rows)
  package.loaded["sxsfix.updates"], package.loaded["sxsfix.kb"] = rows, nil
  local k = require "sxsfix.kb"
  local ok, err = pcall(k.lookup, "0")
  package.loaded["sxsfix.updates"], package.loaded["sxsfix.kb"] = updates, kb
  if not ok then error(err, 0) end
  return k
end

t.test("microsoft(): https on microsoft.com and its subdomains only", function()
  for _, u in ipairs { "https://support.microsoft.com/en-us/topic/x", "https://learn.microsoft.com/en-us/windows/",
                       "https://www.catalog.update.microsoft.com/Search.aspx?q=KB1", "https://microsoft.com/" } do
    t.eq(kb.microsoft(u), true, u)
  end
  for _, u in ipairs { "http://support.microsoft.com/x", "https://windowsforum.com/threads/kb5068221",
                       "https://support.microsoft.com.evil.example/x", "https://evilmicrosoft.com/x",
                       "https://user@support.microsoft.com/x", "support.microsoft.com/x", false } do
    t.eq(kb.microsoft(u), false, tostring(u))
  end
end)

t.test("every built-in row names its update and a Microsoft page as its source", function()
  t.ok(#updates >= 1, "rows")
  local seen = {}
  for i, row in ipairs(updates) do
    local what = "row " .. i .. " " .. tostring(row.version)
    t.ok(kb.microsoft(row.source), what .. ": source on a Microsoft domain: " .. tostring(row.source))
    t.ok(not seen[row.version], what .. ": version listed once")
    seen[row.version] = true
    t.eq(kb.lookup(row.version), row, what .. ": lookup")
    t.eq(kb.json(row.version).source_kind, "microsoft", what .. ": source_kind")
    t.ok(row.lcu or row.ssu, what .. ": a KB to download")
    t.eq(kb.lines(row.version)[2], "Source of this row: " .. row.source, what .. ": the hint gives the source as is")
  end
end)

t.test("10.0.22000.652: the hint, label and refusal name cumulative update KB5013943", function()
  local v = "10.0.22000.652"
  local lines = kb.lines(v)
  t.eq(lines[1], "Download: cumulative update KB5013943 (2022-05-10, OS build 22000.675), which carries servicing stack 10.0.22000.652.")
  t.match(lines[2], "^Source of this row: https://support%.microsoft%.com/")
  t.eq(lines[3], "Catalog: https://www.catalog.update.microsoft.com/Search.aspx?q=KB5013943")
  t.eq(kb.label(v), "cumulative update KB5013943 (2022-05-10)")
  t.eq(kb.refusal("the update is servicing stack 10.0.22000.700", { folder(v) }),
    "the update is servicing stack 10.0.22000.700; servicing stack 10.0.22000.652 is in cumulative update KB5013943 (2022-05-10)")
  local j = kb.json(v)
  t.eq(j.lcu .. " " .. j.os_build .. " " .. j.date .. " " .. tostring(j.ssu), "KB5013943 22000.675 2022-05-10 nil")
end)

t.test("a version with no row says so and points at the Catalog", function()
  local v = "10.0.26100.5074"   -- the sample image's damaged stack: no Microsoft page in the table for it
  t.eq(kb.lookup(v), nil)
  t.eq(kb.label(v), nil)
  t.eq(kb.json(v), nil)
  t.match(kb.lines(v)[1], "no row for servicing stack 10%.0%.26100%.5074: search the Catalog")
  t.match(kb.refusal("why", { folder(v) }),
    "^why; sxsfix's update table has no row for servicing stack 10%.0%.26100%.5074: search the Microsoft Update Catalog %(https://www%.catalog%.update%.microsoft%.com%)$")
  t.eq(kb.refusal("why", {}), "why")
  t.eq(kb.refusal("why", { "not a component folder" }), "why")
end)

t.test("a row with SSU and cumulative update, and one off Microsoft's domains", function()
  local k = with_rows { { version = "10.0.26100.5074", ssu = "KB1", lcu = "KB2", os_build = "26100.1", date = "2025-01-01",
                          source = "https://intranet.example/kb" } }
  t.eq(k.label("10.0.26100.5074"), "KB1 (in cumulative update KB2, 2025-01-01)")
  t.match(k.lines("10.0.26100.5074")[1], "cumulative update KB2 .* servicing stack update KB1 = 10%.0%.26100%.5074")
  t.eq(k.lines("10.0.26100.5074")[2], "Source of this row: https://intranet.example/kb (not a Microsoft page: check the KB article)")
  t.eq(k.json("10.0.26100.5074").source_kind, "other")
  t.eq(k.lookup("10.0.22000.652"), nil, "the built-in rows are replaced")
end)

t.test("hostile rows are refused with the row and what was expected", function()
  local good = { version = "10.0.1.2", lcu = "KB1", date = "2025-01-01", source = "https://support.microsoft.com/x" }
  local function bad(change, pat)
    local row = {}
    for k, v in pairs(good) do row[k] = v end
    for k, v in pairs(change) do row[k] = v end
    if change.lcu == false then row.lcu = nil end
    t.raises(function() with_rows({ row }) end, pat)
  end
  bad({ source = false }, "row 1 %(10%.0%.1%.2%) needs source")
  bad({ source = "javascript:alert(1)" }, "needs source as a URL")
  bad({ lcu = false }, "needs ssu or lcu")
  bad({ lcu = "5013943" }, "needs lcu as a KB number")
  bad({ ssu = { "KB1" } }, "needs ssu as a KB number")
  bad({ date = "May 10, 2022" }, "needs date as YYYY%-MM%-DD")
  bad({ version = "10.0.26100.5074; rm -rf /" }, "needs version")
  t.raises(function() with_rows({ "not a table" }) end, "row 1 .* needs to be a table")
end)

-- The real updates in ../shared/testdata: the KB in each file's name, and the
-- servicing stack folders it holds. An update that holds a servicing stack
-- must be the table's row for that version; one that holds none must not be
-- named by any row.
t.test("the table against the real updates in testdata", function()
  for _, rel in ipairs { "cabs/msu/Windows6.1-KB2999226-x64.msu", "cabs/msu/Windows6.1-KB3118401-x64.msu" } do
    local msu = t.testdata(rel)
    local number = t.ok(rel:match("%-(KB%d+)%-"), "KB in the name")
    local entries = t.ok(expand.list(msu), "list " .. rel)
    t.ok(#entries > 4, rel .. ": the inner cab is listed too")
    local stacks, components = {}, 0
    for _, e in ipairs(entries) do
      local c = stack.parse((e.name:match("^[^\\/]+"):gsub("%.manifest$", "")))
      if c then components = components + 1 end
      if stack.is_stack(c) then stacks[c.version] = true end
    end
    t.ok(components > 0, rel .. ": its component manifests are read")
    local any = false
    for version in pairs(stacks) do
      any = true
      local row = kb.lookup(version)
      t.ok(row, rel .. ": holds servicing stack " .. version .. ": the table needs its row")
      t.ok(row.ssu == number or row.lcu == number, rel .. ": the row for " .. version .. " names " .. number)
    end
    if not any then
      for _, row in ipairs(updates) do
        t.ok(row.ssu ~= number and row.lcu ~= number,
          rel .. " holds no servicing stack, yet row " .. row.version .. " names " .. number)
      end
    end
  end
end)

return t.done()
