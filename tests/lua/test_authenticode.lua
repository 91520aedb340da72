-- sxsfix.authenticode and the trust anchors (sxsfix.trust): the shipped
-- fingerprints are the certificates' own, the cabinet layout checks, and
-- the file digests.
local t = require "t"
local authenticode = require "sxsfix.authenticode"
local trust = require "sxsfix.trust"
local fs = require "sxsfix.fs"

t.test("the anchors' recorded SHA-256 fingerprints are their certificates'", function()
  if not authenticode.engines.openssl then t.skip("this build has no OpenSSL to parse PEM") end
  t.eq(#trust.anchors, 3)
  for _, a in ipairs(trust.anchors) do
    local certs = t.ok(authenticode.certs(a.pem))
    t.eq(#certs, 1, a.subject)
    t.eq(certs[1].sha256, a.sha256, a.subject)
    t.eq(certs[1].subject, a.subject)
    t.ok(a.source:match(a.sha1:upper()), "the source names the thumbprint")
  end
  t.eq(#t.ok(authenticode.certs(trust.pem())), 3)
end)

t.test("certs: not PEM is an error, no PEM is an empty list", function()
  if not authenticode.engines.openssl then t.skip("this build has no OpenSSL to parse PEM") end
  t.eq(#t.ok(authenticode.certs("nothing here")), 0)
  local r, err = authenticode.certs("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
  t.eq(r, nil); t.match(err, "not PEM")
end)

t.test("hash: SHA-1 and SHA-256 of a file", function()
  local dir = t.ok(fs.tempdir("sxsfix-test"))
  local f = fs.join(dir, "abc.txt")
  t.ok(fs.writefile(f, "abc"))
  t.eq(authenticode.hash(f, "sha1"), "a9993e364706816aba3e25717850c26c9cd0d89d")
  t.eq(authenticode.hash(f, "sha256"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
  local r, err = authenticode.hash(fs.join(dir, "none"), "sha1")
  t.eq(r, nil); t.ok(err)
  t.ok(not pcall(authenticode.hash, f, "md5"), "an unknown algorithm raises")
  fs.rmtree(dir)
end)

t.test("verify: layout problems are named", function()
  if not authenticode.engines.openssl then t.skip("WinVerifyTrust reports its own codes (tests/cli/test_verify.sh)") end
  local dir = t.ok(fs.tempdir("sxsfix-test"))
  local function cab(name, bytes)
    local p = fs.join(dir, name)
    t.ok(fs.writefile(p, bytes))
    return t.ok(authenticode.verify(p, { anchors = trust.pem() }))
  end
  local le32 = function(n) return string.pack("<I4", n) end
  t.eq(cab("text.cab", "hello").status, "bad input")
  local hdr = "MSCF" .. le32(0) .. le32(60) .. le32(0) .. le32(60) .. le32(0) .. "\3\1" ..
              "\0\0\0\0" .. "\0\0" .. "\0\0" .. "\0\0"
  t.eq(cab("noreserve.cab", hdr .. string.rep("\0", 24)).status, "unsigned")
  -- a reserve that points past the end of the file: the signature is cut off
  local signed = "MSCF" .. le32(0) .. le32(100) .. le32(0) .. le32(60) .. le32(0) .. "\3\1" ..
                 "\0\0\0\0" .. "\4\0" .. "\0\0" .. "\0\0" .. "\20\0\0\0" .. "\0\0\16\0" .. le32(100) .. le32(5000) ..
                 string.rep("\0", 8)
  local info = cab("cut.cab", signed .. string.rep("\0", 40))
  t.eq(info.status, "unsigned"); t.match(info.reason, "cut off")
  fs.rmtree(dir)
end)

return t.done()
