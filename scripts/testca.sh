#!/usr/bin/env bash
# A test certificate authority for signed sample updates (never for real use).
#   scripts/testca.sh init DIR          DIR/ca.pem (the anchor for --trust), a code-signing
#                                       certificate and a timestamping one, valid 100 years
#   scripts/testca.sh sign DIR IN OUT   sign the cabinet IN with Authenticode into OUT,
#                                       with an RFC 3161 timestamp from the test TSA
#                                       (osslsigncode 2.6 or later; older ones: none)
# Needs openssl and osslsigncode. Keys are unencrypted and live in DIR.
set -euo pipefail
cmd=${1:?usage: testca.sh init DIR | sign DIR IN OUT}
dir=${2:?usage: testca.sh init DIR | sign DIR IN OUT}

cert() {  # cert NAME CN EXTENSIONS...: a key and a certificate issued by the CA
  local name=$1 cn=$2; shift 2
  openssl req -new -newkey rsa:2048 -nodes -keyout "$dir/$name.key" -subj "/O=sxsfix test/CN=$cn" \
    -out "$dir/$name.csr" 2>/dev/null
  printf '%s\n' "$@" >"$dir/$name.ext"
  openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial \
    -days 36500 -sha256 -extfile "$dir/$name.ext" -out "$dir/$name.pem" 2>/dev/null
  rm -f "$dir/$name.csr" "$dir/$name.ext"
}

case $cmd in
  init)
    mkdir -p "$dir"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$dir/ca.key" -out "$dir/ca.pem" -days 36500 -sha256 \
      -subj "/O=sxsfix test/CN=sxsfix Test Root CA" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    cert signer "sxsfix Test Update Signing" "basicConstraints=CA:FALSE" \
      "keyUsage=critical,digitalSignature" "extendedKeyUsage=codeSigning"
    cert tsa "sxsfix Test Timestamping" "basicConstraints=CA:FALSE" \
      "keyUsage=critical,digitalSignature" "extendedKeyUsage=critical,timeStamping"
    cat "$dir/signer.pem" "$dir/ca.pem" >"$dir/signer-chain.pem"
    cat "$dir/tsa.pem" "$dir/ca.pem" >"$dir/tsa-chain.pem"
    ;;
  sign)
    in=${3:?} out=${4:?}
    rm -f "$out"
    ts=(-TSA-certs "$dir/tsa-chain.pem" -TSA-key "$dir/tsa.key")
    # The built-in TSA came with osslsigncode 2.6; older ones sign without
    # a timestamp (the test certificates are valid for 100 years).
    help=$(osslsigncode sign --help 2>&1 || true)
    if [[ $help != *-TSA-certs* ]]; then
      echo "testca.sh: osslsigncode has no built-in TSA (2.6 or later): $out is not timestamped" >&2
      ts=()
    fi
    osslsigncode sign -certs "$dir/signer-chain.pem" -key "$dir/signer.key" -h sha256 \
      -n "sxsfix sample update" "${ts[@]}" -in "$in" -out "$out" >/dev/null
    ;;
  *) echo "usage: testca.sh init DIR | sign DIR IN OUT" >&2; exit 3 ;;
esac
