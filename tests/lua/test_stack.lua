-- Servicing stack facts (sxsfix.stack) and the signature data.
local t = require "t"
local stack = require "sxsfix.stack"

local NEW = "amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.26100.5074_none_a5532eb7772ad4c4"
local OLD = "amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.26100.4652_none_77d853660bacf544"

t.test("parse component folder names", function()
  local c = t.ok(stack.parse(NEW))
  t.eq(c.arch, "amd64"); t.eq(c.name, "microsoft-windows-servicingstack")
  t.eq(c.key, "31bf3856ad364e35"); t.eq(c.version, "10.0.26100.5074")
  t.eq(c.culture, "none"); t.eq(c.hash, "a5532eb7772ad4c4")
  t.ok(stack.is_stack(c))
  local o = t.ok(stack.parse("wow64_microsoft-windows-servicingstack-onecore_31bf3856ad364e35_10.0.19041.1_en-us_0123456789abcdef"))
  t.eq(o.culture, "en-us"); t.ok(stack.is_stack(o))
  t.ok(not stack.is_stack(stack.parse("amd64_microsoft-windows-kernel32_31bf3856ad364e35_10.0.26100.1_none_0123456789abcdef")))
  t.eq(stack.parse("Manifests"), nil)
  t.eq(stack.parse("amd64_x_31bf3856_10.0.1.1_none_ab"), nil, "short key")
end)

t.test("parse real component names from collected logs", function()
  local p = t.testdata("misc/winsxs_component_dirnames_extracted_from_collected_logs.txt")
  local n, stacks = 0, 0
  for line in io.lines(p) do
    line = line:gsub("\r$", "")
    if line ~= "" then
      local c = stack.parse(line)
      if c then n = n + 1; if stack.is_stack(c) then stacks = stacks + 1 end end
    end
  end
  t.ok(n > 900, "most names parse (" .. n .. ")")
  t.eq(stacks, 17, "servicingstack folders among them")
end)

t.test("version order is numeric", function()
  t.eq(stack.vcmp("10.0.26100.5074", "10.0.26100.4652"), 1)
  t.eq(stack.vcmp("10.0.9.1", "10.0.10.1"), -1)
  t.eq(stack.vcmp("10.0.26100.5074", "10.0.26100.5074"), 0)
  t.eq(stack.build("10.0.26100.5074"), "26100")
  t.eq(stack.folder_of([[%SystemRoot%\WinSxS\]] .. NEW .. [[\]]), NEW)
end)

t.test("validate: the SSU must provide the damaged folders themselves", function()
  local ok, d = stack.validate({ NEW }, { NEW:upper() })
  t.ok(ok, "same name, other case")
  ok, d = stack.validate({ NEW }, { (NEW:gsub("^amd64", "arm64")) })
  t.ok(not ok); t.match(d.reason, "arm64"); t.eq(d.missing[1], NEW)
  ok, d = stack.validate({ NEW }, { (NEW:gsub("26100%.5074", "26100.5100")) })
  t.ok(not ok); t.match(d.reason, "10%.0%.26100%.5100")
  ok, d = stack.validate({ NEW }, { (NEW:gsub("26100%.5074", "22621.4000")) })
  t.ok(not ok); t.match(d.reason, "build 22621")
  ok, d = stack.validate({ NEW }, {})
  t.ok(not ok); t.match(d.reason, "no servicing stack folder")
  ok, d = stack.validate({}, { OLD })
  t.ok(not ok); t.match(d.reason, "nothing to repair")
end)

t.test("signatures are well-formed data", function()
  local seen = {}
  for _, s in ipairs(require "sxsfix.signatures") do
    t.eq(type(s.id), "string"); t.ok(not seen[s.id], "unique id " .. s.id); seen[s.id] = true
    t.eq(type(s.text), "string"); t.eq(type(s.meaning), "string")
    t.ok(type(s.logs) == "table" and #s.logs > 0, s.id .. " names its logs")
    local groups = require("sxsfix.defaults").logs
    for _, g in ipairs(s.logs) do t.ok(groups[g], s.id .. ": log group " .. g .. " exists") end
    t.ok(s.text ~= "0x80070003" or s.near, "a bare 0x80070003 needs context")
  end
end)

return t.done()
