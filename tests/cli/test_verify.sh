#!/usr/bin/env bash
# sxsfix verify: the Authenticode signatures of the real Microsoft-signed
# updates in the test data (and copies with a flipped byte or the signature
# cut off), and of cabinets signed here by a test CA generated with openssl
# and osslsigncode: trusted only with --trust, refused once changed, an
# expired signer valid through its timestamp, a signer not for code signing.
# No network, no dependence on today's date (the real signatures are checked
# at their timestamps; the test certificates are valid for 100 years).
set -u
: "${SXSFIX:?}" "${SXSFIX_SOURCE:?}"
SXSFIX_TIMEOUT=${SXSFIX_TIMEOUT:-120}
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need openssl osslsigncode gcab jq
MS=${SXSFIX_TESTDATA:-}/cabs/msu
ENGINE=openssl
[ -z "$EMU" ] || ENGINE=system   # the .exe verifies through WinVerifyTrust
sigpos() { od -An -tu4 -j44 -N4 "$1" | tr -d ' '; }
flip() {  # flip IN OUT OFFSET: a copy of IN with the byte at OFFSET inverted
  cp "$1" "$2"
  printf "$(printf '\\%03o' $(( 255 - $(od -An -tu1 -j"$3" -N1 "$1") )))" |
    dd of="$2" bs=1 seek="$3" conv=notrunc status=none
}

# --- the real Microsoft-signed updates --------------------------------------------
if [ -d "$MS" ]; then
  A=$MS/Windows6.1-KB2999226-x64.msu B=$MS/Windows6.1-KB3118401-x64.msu
  if [ "$ENGINE" = openssl ]; then
    run verify "$A" "$B"
    check "two real .msu files: exit 0" test "$rc" = 0
    check "each update and the two cabinets in each: 6 OK lines" test "$(grep -c '^OK  ' <<<"$out")" = 6
    check "signed by Microsoft Corporation" has "$out" "signed by CN=Microsoft Corporation,OU=MOPR,O=Microsoft Corporation"
    check "at the timestamp's time" has "$out" "2015-07-21 17:39:20 UTC (timestamp)"
    run --json - verify "$MS"/inner/*/*.cab
    check "the four inner cabinets: exit 0" test "$rc" = 0
    check "json: 4 verified, sha1, PKCS#9 timestamps" test \
      "$(jqv '[.signatures[] | select(.verified and .digest == "sha1" and .timestamp_kind == "pkcs9")] | length')" = 4
    check "json: the chain ends at Microsoft Root Certificate Authority (2001)" test \
      "$(jqv '.signatures[0].anchor_sha256')" = 885de64c340e3ea70658f01e1145f957fcda27aabeea1ab9faa9fdb0102d4077
    check "json: signer, PCA, root" test "$(jqv '.signatures[0].chain | length')" = 3
  fi
  if [ "$ENGINE" = system ]; then
    # Wine's WinVerifyTrust does not know Microsoft's roots (its ROOT store is
    # the host's CA list): the chain is accepted because its root is one of
    # sxsfix/trust.lua's anchors, compared byte for byte.
    run verify "$A" "$B"
    check "Wine: two real .msu files: exit 0 (root matched to trust.lua's anchor)" test "$rc" = 0
    check "Wine: each update and the two cabinets in each: 6 OK lines" test "$(grep -c '^OK  ' <<<"$out")" = 6
    check "Wine: the signer reported by CryptQueryObject" has "$out" "signed by CN=Microsoft Corporation, OU=MOPR"
  fi
  cab=$MS/inner/Windows6.1-KB2999226-x64/Windows6.1-KB2999226-x64.cab
  flip "$cab" "$tmp/flipped.cab" 100000
  run verify "$tmp/flipped.cab"
  check "one flipped payload byte: exit 1" test "$rc" = 1
  check "one flipped payload byte: digest mismatch" has "$out" "BAD $tmp/flipped.cab  digest mismatch"
  # one byte changed inside the outer cabinet's data of a real .msu: the
  # file's own signature no longer matches (exit 1), not only an inner error
  flip "$A" "$tmp/flipped.msu" 100000
  run verify "$tmp/flipped.msu"
  check "flipped byte in a .msu's outer data: exit 1" test "$rc" = 1
  check "flipped byte in a .msu's outer data: its own digest mismatch" has "$out" "BAD $tmp/flipped.msu  digest mismatch"
  check "flipped byte in a .msu's outer data: the damage is named too" has "$err" "flipped.msu"
  printf 'notes\n' >"$tmp/notes.msu"
  run verify "$tmp/flipped.msu" "$tmp/notes.msu"
  check "an invalid signature beside unreadable input: exit 1, not 3" test "$rc" = 1
  head -c "$(sigpos "$cab")" "$cab" >"$tmp/cut.cab"
  run verify "$tmp/cut.cab"
  check "signature area cut off: exit 1" test "$rc" = 1
  check "signature area cut off: unsigned" has "$out" "BAD $tmp/cut.cab  unsigned"
  sha=$(sha1sum "$A" | cut -c1-40)
  cp "$A" "$tmp/windows6.1-kb2999226-x64_$sha.msu"
  cp "$A" "$tmp/windows6.1-kb2999226-x64_0123456789abcdef0123456789abcdef01234567.msu"
  run verify "$tmp/windows6.1-kb2999226-x64_0123456789abcdef0123456789abcdef01234567.msu"
  check "catalog name with another SHA-1: exit 3" test "$rc" = 3
  check "catalog name with another SHA-1: corrupted download" has "$err" "corrupted download (its SHA-1 is $sha"
  if [ "$ENGINE" = openssl ]; then
    run verify "$tmp/windows6.1-kb2999226-x64_$sha.msu"
    check "catalog name with its SHA-1: exit 0" test "$rc" = 0
  fi
else
  skip "the real Microsoft-signed updates are absent (../shared/testdata/cabs/msu)"
fi
if [ -f "${SXSFIX_TESTDATA:-}/cabs/gcab/test-signed.cab" ]; then
  run verify "$SXSFIX_TESTDATA/cabs/gcab/test-signed.cab"
  # osslsigncode verify agrees: its RSA signature does not verify
  if [ "$ENGINE" = openssl ]; then check "gcab's test-signed.cab: bad signature" has "$out" "BAD $SXSFIX_TESTDATA/cabs/gcab/test-signed.cab  bad signature"
  else check "gcab's test-signed.cab: refused (WinVerifyTrust's code)" has "$out" "BAD $SXSFIX_TESTDATA/cabs/gcab/test-signed.cab  "; fi
fi

# --- a test CA -------------------------------------------------------------------
bash "$SXSFIX_SOURCE/scripts/testca.sh" init "$tmp/ca" || { echo "test CA failed"; exit 1; }
mkdir -p "$tmp/p" && head -c 70000 /dev/urandom >"$tmp/p/cbscore.dll" && echo "<assembly/>" >"$tmp/p/update.mum"
(cd "$tmp/p" && gcab -c -z "$tmp/plain.cab" cbscore.dll update.mum)
bash "$SXSFIX_SOURCE/scripts/testca.sh" sign "$tmp/ca" "$tmp/plain.cab" "$tmp/signed.cab"
run verify "$tmp/signed.cab"
check "test CA, no --trust: exit 1" test "$rc" = 1
check "test CA, no --trust: untrusted root" has "$out" "BAD $tmp/signed.cab  untrusted root"
run verify --trust "$tmp/ca/ca.pem" "$tmp/signed.cab"
check "test CA with --trust ca.pem: exit 0" test "$rc" = 0
check "test CA with --trust ca.pem: signed by the test signer" has "$out" "OK  $tmp/signed.cab  signed by CN=sxsfix Test Update Signing"
run verify --trust "$tmp/ca/ca.pem" "$tmp/plain.cab"
check "unsigned cab: unsigned" has "$out" "BAD $tmp/plain.cab  unsigned"
# one file inside changed after signing: the same signature on a new cabinet
echo "<assembly>changed</assembly>" >"$tmp/p/update.mum"
(cd "$tmp/p" && gcab -c -z "$tmp/changed.cab" cbscore.dll update.mum)
osslsigncode extract-signature -in "$tmp/signed.cab" -out "$tmp/sig.der" >/dev/null 2>&1 &&
  osslsigncode attach-signature -sigin "$tmp/sig.der" -in "$tmp/changed.cab" -out "$tmp/resigned.cab" >/dev/null 2>&1
if [ -f "$tmp/resigned.cab" ]; then
  run verify --trust "$tmp/ca/ca.pem" "$tmp/resigned.cab"
  check "a file changed after signing: digest mismatch" has "$out" "BAD $tmp/resigned.cab  digest mismatch"
else
  skip "osslsigncode could not move a signature onto the changed cabinet"
fi
run verify --trust "$tmp/nonexistent.pem" "$tmp/signed.cab"
check "--trust with a missing file: exit 3" test "$rc" = 3
echo "not a certificate" >"$tmp/bad.pem"
run verify --trust "$tmp/bad.pem" "$tmp/signed.cab"
check "--trust with no certificate in it: exit 3" test "$rc" = 3
run verify "$tmp/p/update.mum"
check "not a cabinet: exit 3" test "$rc" = 3
check "not a cabinet: says so" has "$err" "not a cabinet file"
run verify "$tmp/none.cab"
check "a missing file: exit 3" test "$rc" = 3

# A signer whose certificate is for servers, not code: refused.
ca=$tmp/ca
openssl req -new -newkey rsa:2048 -nodes -keyout "$tmp/web.key" -subj "/CN=sxsfix Test Web Server" -out "$tmp/web.csr" 2>/dev/null
printf 'extendedKeyUsage=serverAuth\n' >"$tmp/web.ext"
openssl x509 -req -in "$tmp/web.csr" -CA "$ca/ca.pem" -CAkey "$ca/ca.key" -CAcreateserial -days 36500 \
  -extfile "$tmp/web.ext" -out "$tmp/web.pem" 2>/dev/null
osslsigncode sign -certs "$tmp/web.pem" -key "$tmp/web.key" -h sha256 -in "$tmp/plain.cab" -out "$tmp/web.cab" >/dev/null
run verify --trust "$ca/ca.pem" "$tmp/web.cab"
check "a signer not allowed for code signing: refused" has "$out" "BAD $tmp/web.cab  "
[ "$ENGINE" = openssl ] && check "... and says so" has "$out" "not allowed for code signing"

# An expired signer: valid through a timestamp made within its validity
# (Authenticode's rule), invalid without one.
if [ "$ENGINE" = openssl ] && osslsigncode sign --help 2>&1 | grep -q -- -TSA-time; then
  mkdir -p "$tmp/old/db" && : >"$tmp/old/index" && echo 01 >"$tmp/old/serial"
  cat >"$tmp/old/ca.cnf" <<CNF
[ca]
default_ca = old
[old]
database = $tmp/old/index
serial = $tmp/old/serial
new_certs_dir = $tmp/old/db
default_md = sha256
policy = any
unique_subject = no
[any]
commonName = supplied
[ext]
extendedKeyUsage = codeSigning
keyUsage = digitalSignature
[tsa]
extendedKeyUsage = critical,timeStamping
keyUsage = digitalSignature
[root]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign
CNF
  # a root valid since 2019, and a signer valid in 2020 only
  openssl req -new -newkey rsa:2048 -nodes -keyout "$tmp/oldca.key" -subj "/CN=sxsfix Test Root 2019" -out "$tmp/oldca.csr" 2>/dev/null
  openssl ca -batch -selfsign -config "$tmp/old/ca.cnf" -keyfile "$tmp/oldca.key" -in "$tmp/oldca.csr" \
    -startdate 20190101000000Z -enddate 21190101000000Z -extensions root -out "$tmp/oldca.pem" >/dev/null 2>&1
  openssl req -new -newkey rsa:2048 -nodes -keyout "$tmp/old.key" -subj "/CN=sxsfix Test Expired Signer" -out "$tmp/old.csr" 2>/dev/null
  openssl ca -batch -config "$tmp/old/ca.cnf" -cert "$tmp/oldca.pem" -keyfile "$tmp/oldca.key" -in "$tmp/old.csr" \
    -startdate 20200101000000Z -enddate 20210101000000Z -extensions ext -out "$tmp/old.pem" >/dev/null 2>&1
  cat "$tmp/old.pem" "$tmp/oldca.pem" >"$tmp/old-chain.pem"
  openssl req -new -newkey rsa:2048 -nodes -keyout "$tmp/oldtsa.key" -subj "/CN=sxsfix Test TSA 2020" -out "$tmp/oldtsa.csr" 2>/dev/null
  openssl ca -batch -config "$tmp/old/ca.cnf" -cert "$tmp/oldca.pem" -keyfile "$tmp/oldca.key" -in "$tmp/oldtsa.csr" \
    -startdate 20200101000000Z -enddate 21200101000000Z -extensions tsa -out "$tmp/oldtsa.pem" >/dev/null 2>&1
  cat "$tmp/oldtsa.pem" "$tmp/oldca.pem" >"$tmp/oldtsa-chain.pem"
  osslsigncode sign -certs "$tmp/old-chain.pem" -key "$tmp/old.key" -h sha256 -time 1590969600 \
    -TSA-certs "$tmp/oldtsa-chain.pem" -TSA-key "$tmp/oldtsa.key" -TSA-time 1590969600 \
    -in "$tmp/plain.cab" -out "$tmp/expired-ts.cab" >/dev/null
  osslsigncode sign -certs "$tmp/old-chain.pem" -key "$tmp/old.key" -h sha256 -time 1590969600 \
    -in "$tmp/plain.cab" -out "$tmp/expired.cab" >/dev/null
  run verify --trust "$tmp/oldca.pem" "$tmp/expired-ts.cab"
  check "expired signer, timestamped within its validity: exit 0" test "$rc" = 0
  check "expired signer, timestamped: at the timestamp's time" has "$out" "2020-06-01 00:00:00 UTC (timestamp)"
  run verify --trust "$tmp/oldca.pem" "$tmp/expired.cab"
  check "expired signer, no timestamp: exit 1" test "$rc" = 1
  check "expired signer, no timestamp: invalid chain (expired)" has "$out" "certificate has expired"
  # a trusted signer, timestamped by an authority that chains to no anchor
  osslsigncode sign -certs "$ca/signer-chain.pem" -key "$ca/signer.key" -h sha256 \
    -TSA-certs "$tmp/oldtsa-chain.pem" -TSA-key "$tmp/oldtsa.key" -in "$tmp/plain.cab" -out "$tmp/badts.cab" >/dev/null
  run verify --trust "$ca/ca.pem" "$tmp/badts.cab"
  check "a timestamp from an untrusted authority: exit 1" test "$rc" = 1
  check "a timestamp from an untrusted authority: bad timestamp" has "$out" "BAD $tmp/badts.cab  bad timestamp"
else
  skip "expired signer through a timestamp: needs osslsigncode's built-in TSA (-TSA-time, 2.6 or later) and OpenSSL"
fi

echo "verify: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
