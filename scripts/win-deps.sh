#!/usr/bin/env bash
# Build the static mingw-w64 (x86_64) dependencies of the Windows build of
# sxsfix from Debian source packages, and print the install prefix:
#
#   prefix=$(scripts/win-deps.sh | tail -1)
#   PKG_CONFIG_LIBDIR=$prefix/lib/pkgconfig pkg-config --static --cflags --libs \
#       lua5.4 libpcre2-8 libarchive wimlib cmocka
#
# Libraries: Lua 5.4, PCRE2 (8-bit, JIT), zlib (Debian's libz-mingw-w64-dev),
# libarchive (zlib only), cmocka and wimlib (1.14 on needs nothing else; an
# older wimlib from Debian also gets a minimal libxml2). Each gets a .pc file
# named as Debian names the native one. Link with -static.
#
# wimlib's source: Debian's source package when apt can download it;
# otherwise $SXSFIX_WIMLIB_SRC, which defaults to ../shared/vendor/wimlib-1.14.5.tar.gz
# beside the clone when that file exists. A tarball is used only when its
# SHA-256 matches (the known hash of wimlib-1.14.5.tar.gz, or
# $SXSFIX_WIMLIB_SHA256); a directory is used as it is. With neither, the
# prefix has no wimlib.pc, a warning says what is missing, and the stamp says
# "wimlib none"; such a prefix is rebuilt once apt can download the source.
#
# The prefix is ${SXSFIX_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/sxsfix}/win-deps-KEY,
# KEY hashing the source versions, the toolchain and this script. A finished
# prefix holds a stamp file, and then the script only prints its path. A build
# goes into PREFIX.tmp and is renamed when complete. Progress goes to stderr,
# build output to PREFIX.log; stdout carries only the prefix.
#
# Environment:
#   SXSFIX_CACHE_DIR   cache directory (see above)
#   SXSFIX_WIMLIB_SRC  wimlib source tarball or directory to use when apt
#                      cannot fetch the wimlib source package
#   SXSFIX_WIMLIB_SHA256  expected SHA-256 of that tarball (when not 1.14.5)
#   SXSFIX_JOBS        parallel build jobs (default: nproc)
#
# Installs missing Debian packages and a deb-src entry when run as root.
set -Eeuo pipefail

HOST=x86_64-w64-mingw32
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLCHAIN=$ROOT/cmake/mingw-w64.cmake
SELF=$ROOT/scripts/$(basename "${BASH_SOURCE[0]}")
CACHE=${SXSFIX_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/sxsfix}
JOBS=${SXSFIX_JOBS:-$(nproc)}
SRCPKGS=(lua5.4 pcre2 libarchive cmocka)   # required
OPTPKGS=(wimlib libxml2)                    # wimlib's sources (libxml2: wimlib < 1.14)
# The wimlib release tarball used when Debian's source cannot be downloaded.
VENDORED=$(cd "$ROOT/.." && pwd)/shared/vendor/wimlib-1.14.5.tar.gz
declare -A KNOWN_SHA256=(
  [wimlib-1.14.5.tar.gz]=7b15fe5e3802c6ba9ab1bc49df830b28aef1729204756988bcf7d17f27dbdb5f)
WIMLIB_SRC=${SXSFIX_WIMLIB_SRC:-}
[[ -n $WIMLIB_SRC || ! -f $VENDORED ]] || WIMLIB_SRC=$VENDORED
DEPS=(dpkg-dev cmake ninja-build pkgconf xz-utils gcc-mingw-w64-x86-64
      g++-mingw-w64-x86-64 libz-mingw-w64-dev wine wine64)
APT=(apt-get -qq)
[[ $(id -u) != 0 ]] || APT+=(-o APT::Sandbox::User=root)   # root owns the cache dir

say() { echo "win-deps: $*" >&2; }
die() { say "error: $*"; exit 1; }
trap 'say "failed at line $LINENO"' ERR

# --- Debian packages and the deb-src entry ---------------------------------

ensure_packages() {
  local p missing=()
  for p in "${DEPS[@]}"; do
    [[ $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) == *' installed' ]] ||
      missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  [[ $(id -u) == 0 ]] || die "missing packages (install as root): ${missing[*]}"
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  local install=(apt-get install -y -qq --no-install-recommends "${missing[@]}")
  "${install[@]}" >/dev/null 2>&1 ||
    { apt-get update -qq >/dev/null && "${install[@]}" >/dev/null; } ||
    die "apt-get install ${missing[*]} failed"
}

# deb822 deb-src twin of every "Types: deb" stanza of debian.sources.
DEBSRC=/etc/apt/sources.list.d/sxsfix-deb-src.sources
ensure_deb_src() {
  [[ -e $DEBSRC ]] && return 0
  local from=/etc/apt/sources.list.d/debian.sources
  [[ -r $from ]] || return 0          # deb-src configured some other way, or not at all
  [[ $(id -u) == 0 ]] || return 0
  awk '
    function flush() {
      if (isdeb && ("URIs" in f)) {
        printf "%sTypes: deb-src\n", (n++ ? "\n" : "")
        for (i = 1; i <= 4; i++) if (k[i] in f) printf "%s: %s\n", k[i], f[k[i]]
      }
      delete f; isdeb = 0
    }
    BEGIN { split("URIs Suites Components Signed-By", k, " ") }
    /^#/ { next }
    /^[ \t]*$/ { flush(); next }
    /^[ \t]/ { next }                  # continuation lines (inline keys) are not copied
    { key = $0; sub(/:.*/, "", key); val = $0; sub(/^[^:]*:[ \t]*/, "", val)
      if (key == "Types") isdeb = (" " val " " ~ /[ \t]deb[ \t]/); else f[key] = val }
    END { flush() }' "$from" >"$DEBSRC.new"
  if [[ -s $DEBSRC.new ]]; then
    mv "$DEBSRC.new" "$DEBSRC"
    say "added $DEBSRC; apt-get update"
    apt-get update -qq >/dev/null
  else
    rm -f "$DEBSRC.new"
  fi
}

# Source versions known to apt for package $1, newest first (dpkg ordering).
src_versions() {
  local -a vs; local i j t
  mapfile -t vs < <(apt-cache showsrc --only-source "$1" 2>/dev/null |
                    sed -n 's/^Version: //p' | sort -u)
  for ((i = 0; i < ${#vs[@]}; i++)); do
    for ((j = i + 1; j < ${#vs[@]}; j++)); do
      if dpkg --compare-versions "${vs[j]}" gt "${vs[i]}"; then
        t=${vs[i]}; vs[i]=${vs[j]}; vs[j]=$t
      fi
    done
  done
  for t in "${vs[@]}"; do echo "$t"; done
}

# --- cache key ----------------------------------------------------------------

ensure_packages
ensure_deb_src

declare -A NEWEST
for p in "${SRCPKGS[@]}"; do
  NEWEST[$p]=$(src_versions "$p" | sed -n 1p)
  if [[ -z ${NEWEST[$p]} && -z ${updated:-} && $(id -u) == 0 ]]; then
    updated=1; apt-get update -qq >/dev/null; NEWEST[$p]=$(src_versions "$p" | sed -n 1p)
  fi
  [[ -n ${NEWEST[$p]} ]] || die "apt knows no source package '$p' (no deb-src entry?)"
done
for p in "${OPTPKGS[@]}"; do NEWEST[$p]=$(src_versions "$p" | sed -n 1p); done

KEY=$( {
  for p in "${SRCPKGS[@]}" "${OPTPKGS[@]}"; do echo "$p ${NEWEST[$p]}"; done
  readlink -f "$(command -v $HOST-gcc)"
  dpkg-query -W -f='${Package} ${Version}\n' mingw-w64-x86-64-dev libz-mingw-w64-dev \
    'gcc-mingw-w64-x86-64-*' 2>/dev/null | sort
  cat "$SELF" "$TOOLCHAIN"
  [[ -z $WIMLIB_SRC ]] || echo "wimlib-src $WIMLIB_SRC"
  [[ ! -f $WIMLIB_SRC ]] || sha256sum <"$WIMLIB_SRC"
} | sha256sum | cut -c1-12)

PREFIX=$CACHE/win-deps-$KEY
STAMP=$PREFIX/.sxsfix-win-deps-complete
LOG=$PREFIX.log

mkdir -p "$CACHE/sources"
exec 9>"$PREFIX.lock"
flock 9                               # one build per key at a time

# Download source package $1 (newest version that the archive still serves)
# into the shared sources cache and unpack it into $WORK; prints the version.
fetch() {
  local p=$1 v
  for v in $(src_versions "$p"); do
    if (cd "$CACHE/sources" && "${APT[@]}" source --download-only "$p=$v") >>"$LOG" 2>&1; then
      (cd "$WORK" && dpkg-source -x "$CACHE/sources/${p}_${v#*:}.dsc" "$p") >>"$LOG" 2>&1 ||
        return 1
      echo "$v"; return 0
    fi
    echo "win-deps: $p $v: source not downloadable" >>"$LOG"
  done
  return 1
}

if [[ -f $STAMP ]]; then
  # A prefix built without wimlib (its source was not downloadable) is rebuilt
  # as soon as the archive serves it.
  if grep -q '^wimlib none' "$STAMP" && [[ -z $WIMLIB_SRC ]] &&
     (cd "$CACHE/sources" && "${APT[@]}" source --download-only "wimlib=${NEWEST[wimlib]}") >/dev/null 2>&1; then
    say "wimlib source is now available; rebuilding"   # the old prefix stays until done
  else
    echo "$PREFIX"
    exit 0
  fi
fi

# --- build ----------------------------------------------------------------------

T=$PREFIX.tmp
rm -rf "$T"
[[ -f $STAMP ]] || rm -rf "$PREFIX"
mkdir -p "$T/include" "$T/lib/pkgconfig"
: >"$LOG"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/sxsfix-win-deps.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
trap '((BASH_SUBSHELL)) && exit 1
      say "failed (line $LINENO): ${STEP:-?}; last lines of $LOG:"; tail -n 40 "$LOG" >&2; exit 1' ERR
say "building static mingw-w64 libraries into $PREFIX (log: $LOG)"

step() { STEP=$*; say "$*"; echo "=== [${SECONDS}s] $*" >>"$LOG"; }
run() { "$@" >>"$LOG" 2>&1; }
CMAKE=(cmake -G Ninja -DCMAKE_TOOLCHAIN_FILE="$TOOLCHAIN" -DSXSFIX_WIN_PREFIX="$T"
       -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$T"
       -DCMAKE_INSTALL_LIBDIR=lib -DBUILD_SHARED_LIBS=OFF -Wno-dev)
upstream() { local v=${1#*:}; v=${v%-*}; echo "${v%%[+~]*}"; }   # 1:2.9.14+dfsg-1 -> 2.9.14
declare -A VER

step "fetching sources"
for p in "${SRCPKGS[@]}"; do
  VER[$p]=$(fetch "$p") || { STEP="fetch $p"; false; }
done
# wimlib: Debian's source, else the tarball (after its SHA-256), else none.
unpack_wimlib() {
  local src=$1 want have
  mkdir "$WORK/wimlib"
  if [[ -d $src ]]; then
    cp -a "$src/." "$WORK/wimlib/"
  else
    want=${SXSFIX_WIMLIB_SHA256:-${KNOWN_SHA256[$(basename "$src")]:-}}
    [[ -n $want ]] || die "$src: no known SHA-256 for this tarball; set SXSFIX_WIMLIB_SHA256"
    have=$(sha256sum <"$src" | cut -d' ' -f1)
    [[ $have == "$want" ]] || die "$src: SHA-256 is $have, expected $want; not using it"
    tar -xf "$src" -C "$WORK/wimlib" --strip-components=1
  fi
  sed -n "s/^PACKAGE_VERSION='\(.*\)'/\1/p" "$WORK/wimlib/configure"
}
if VER[wimlib]=$(fetch wimlib); then
  say "wimlib ${VER[wimlib]}: Debian source package"
elif [[ -n $WIMLIB_SRC ]]; then
  [[ -e $WIMLIB_SRC ]] || die "SXSFIX_WIMLIB_SRC=$WIMLIB_SRC does not exist"
  VER[wimlib]=$(unpack_wimlib "$WIMLIB_SRC")
  VER[wimlib]=${VER[wimlib]:-unknown}
  say "wimlib ${VER[wimlib]}: $WIMLIB_SRC (Debian's source package is not downloadable)"
else
  VER[wimlib]=none
  say "WARNING: building WITHOUT wimlib: WIM-based .msu files (Windows 11 24H2) will not expand."
  say "  missing: Debian's wimlib source package (apt-get source wimlib failed; see $LOG)"
  say "  missing: $VENDORED (no such file), and SXSFIX_WIMLIB_SRC is unset"
  say "  to add it: SXSFIX_WIMLIB_SRC=/path/to/wimlib-1.14.5.tar.gz scripts/win-deps.sh"
fi
# wimlib before 1.14 (Debian's 1.13) needs libxml2.
NEED_XML=0
if [[ ${VER[wimlib]} != none ]] && grep -q 'libxml-2.0' "$WORK/wimlib/configure"; then
  NEED_XML=1
  VER[libxml2]=$(fetch libxml2) || { STEP="fetch libxml2"; false; }
else
  VER[libxml2]=none
fi

step "zlib $(dpkg-query -W -f='${Version}' libz-mingw-w64-dev) (libz-mingw-w64-dev)"
cp /usr/$HOST/include/zlib.h /usr/$HOST/include/zconf.h "$T/include/"
cp /usr/$HOST/lib/libz.a "$T/lib/"    # only the static lib: -lz cannot pick zlib1.dll
VER[zlib]=$(sed -n 's/^#define ZLIB_VERSION "\(.*\)"/\1/p' "$T/include/zlib.h")

# libarchive's configure runs ~400 mostly serial checks: run it in the
# background while the smaller libraries build, then build it at the end.
# It sees only zlib, not the headers that the other builds install meanwhile.
mkdir -p "$WORK/zlib/include" "$WORK/zlib/lib"
cp "$T"/include/z*.h "$WORK/zlib/include/"; cp "$T/lib/libz.a" "$WORK/zlib/lib/"
opts=()
for o in OPENSSL MBEDTLS NETTLE LIBB2 LZ4 LZO LZMA ZSTD BZip2 LIBXML2 EXPAT \
         PCREPOSIX LIBGCC CNG ICONV ACL XATTR TAR CPIO CAT TEST INSTALL; do
  opts+=("-DENABLE_$o=OFF")
done
"${CMAKE[@]}" -S "$WORK/libarchive" -B "$WORK/libarchive/_b" "${opts[@]}" \
  -DSXSFIX_WIN_PREFIX="$WORK/zlib" -DENABLE_ZLIB=ON \
  -DZLIB_INCLUDE_DIR="$WORK/zlib/include" -DZLIB_LIBRARY="$WORK/zlib/lib/libz.a" \
  -DPOSIX_REGEX_LIB=NONE -DENABLE_WERROR=OFF >"$WORK/libarchive.log" 2>&1 &
LA_PID=$!
trap 'kill "$LA_PID" 2>/dev/null && wait "$LA_PID"; rm -rf "$WORK"' EXIT

step "lua5.4 ${VER[lua5.4]}"
(
  cd "$WORK/lua5.4/src"
  printf '%s\n' ./*.c | grep -v -e '/lua\.c$' -e '/luac\.c$' |
    xargs -P "$JOBS" -I{} $HOST-gcc -O2 -Wall -DLUA_COMPAT_5_3 -c {} -o {}.o
  $HOST-ar rcs "$T/lib/liblua5.4.a" ./*.c.o
  mkdir -p "$T/include/lua5.4"
  cp lua.h luaconf.h lualib.h lauxlib.h lua.hpp "$T/include/lua5.4/"
) >>"$LOG" 2>&1
ln -s liblua5.4.a "$T/lib/liblua.a"

step "pcre2 ${VER[pcre2]}"
run "${CMAKE[@]}" -S "$WORK/pcre2" -B "$WORK/pcre2/_b" -DBUILD_STATIC_LIBS=ON \
  -DPCRE2_BUILD_PCRE2_8=ON -DPCRE2_BUILD_PCRE2_16=OFF -DPCRE2_BUILD_PCRE2_32=OFF \
  -DPCRE2_SUPPORT_JIT=ON -DPCRE2_BUILD_PCRE2GREP=OFF -DPCRE2_BUILD_TESTS=OFF \
  -DPCRE2_SUPPORT_LIBZ=OFF -DPCRE2_SUPPORT_LIBBZ2=OFF -DPCRE2_SUPPORT_LIBEDIT=OFF \
  -DPCRE2_SUPPORT_LIBREADLINE=OFF
run cmake --build "$WORK/pcre2/_b" -j "$JOBS"
run cmake --install "$WORK/pcre2/_b"

step "cmocka ${VER[cmocka]}"
run "${CMAKE[@]}" -S "$WORK/cmocka" -B "$WORK/cmocka/_b" -DWITH_STATIC_LIB=ON \
  -DWITH_EXAMPLES=OFF -DUNIT_TESTING=OFF -DPICKY_DEVELOPER=OFF
run cmake --build "$WORK/cmocka/_b" -j "$JOBS" --target cmocka-static
cp "$WORK/cmocka/include/cmocka.h" "$WORK/cmocka/include/cmocka_pbc.h" "$T/include/"
cp "$WORK/cmocka/_b/src/libcmocka-static.a" "$T/lib/libcmocka.a"

if ((NEED_XML)); then
  step "libxml2 ${VER[libxml2]}"
  opts=()
  for o in C14N CATALOG DEBUG DOCB FTP HTML HTTP ICONV ICU LEGACY LZMA MODULES \
           PROGRAMS PYTHON SCHEMAS SCHEMATRON TESTS XINCLUDE XPTR ZLIB; do
    opts+=("-DLIBXML2_WITH_$o=OFF")
  done
  # HAVE_PTHREAD_H=OFF: use Win32 threads, not winpthreads (libwinpthread-1.dll).
  run "${CMAKE[@]}" -S "$WORK/libxml2" -B "$WORK/libxml2/_b" "${opts[@]}" -DHAVE_PTHREAD_H=OFF
  run cmake --build "$WORK/libxml2/_b" -j "$JOBS"
  run cmake --install "$WORK/libxml2/_b"
  XML_PC="libxml-2.0"
else
  XML_PC=""
fi

# A wimlib source that is there but does not build is an error, not a
# silent build without it.
if [[ ${VER[wimlib]} != none ]]; then
  step "wimlib ${VER[wimlib]}"
  xml_flags=()
  if ((NEED_XML)); then
    xml_flags=(CPPFLAGS="-I$T/include/libxml2 -DLIBXML_STATIC" LIBS="-L$T/lib -lxml2 -lws2_32")
  fi
  (
    cd "$WORK/wimlib" &&
    ./configure --host=$HOST --prefix="$T" --disable-shared --enable-static \
      --without-fuse --without-ntfs-3g --disable-dependency-tracking "${xml_flags[@]}" &&
    make -j "$JOBS" libwim.la &&
    make install-libLTLIBRARIES install-includeHEADERS
  ) >>"$LOG" 2>&1 || { STEP="wimlib ${VER[wimlib]} (configure/make)"; false; }
fi

step "libarchive ${VER[libarchive]}"
la_ok=0; wait "$LA_PID" || la_ok=$?
cat "$WORK/libarchive.log" >>"$LOG"
((la_ok == 0)) || { STEP="libarchive configure"; false; }
run cmake --build "$WORK/libarchive/_b" -j "$JOBS" --target archive_static
cp "$WORK/libarchive/libarchive/archive.h" "$WORK/libarchive/libarchive/archive_entry.h" "$T/include/"
cp "$WORK/libarchive/_b/libarchive/libarchive_static.a" "$T/lib/libarchive.a"

# --- pkg-config files (static link flags; prefix= is the final path) -----------

step "pkg-config files"
rm -f "$T"/lib/pkgconfig/*.pc "$T"/lib/*.la
pc() {  # name description version cflags libs [libs.private [requires.private]]
  cat >"$T/lib/pkgconfig/$1.pc" <<EOF
prefix=$PREFIX
exec_prefix=\${prefix}
libdir=\${prefix}/lib
includedir=\${prefix}/include

Name: $1
Description: $2 (static, $HOST)
Version: $3
Cflags: $4
Libs: $5
Libs.private: ${6:-}
Requires.private: ${7:-}
EOF
}
pc zlib "zlib compression library" "${VER[zlib]}" "-I\${includedir}" "-L\${libdir} -lz"
pc lua5.4 "Lua 5.4" "$(upstream "${VER[lua5.4]}")" "-I\${includedir}/lua5.4" \
  "-L\${libdir} -llua5.4"
pc libpcre2-8 "PCRE2 8-bit with JIT" "$(upstream "${VER[pcre2]}")" \
  "-I\${includedir} -DPCRE2_STATIC" "-L\${libdir} -lpcre2-8"
pc libarchive "libarchive (zlib only)" "$(upstream "${VER[libarchive]}")" \
  "-I\${includedir} -DLIBARCHIVE_STATIC" "-L\${libdir} -larchive" "-ladvapi32" zlib
pc cmocka "cmocka unit testing" "$(upstream "${VER[cmocka]}")" "-I\${includedir}" \
  "-L\${libdir} -lcmocka"
if ((NEED_XML)); then
  pc libxml-2.0 "libxml2 (minimal)" "$(upstream "${VER[libxml2]}")" \
    "-I\${includedir}/libxml2 -DLIBXML_STATIC" "-L\${libdir} -lxml2" "-lws2_32"
fi
if [[ ${VER[wimlib]} != none ]]; then
  pc wimlib "wimlib WIM library" "$(upstream "${VER[wimlib]}")" "-I\${includedir}" \
    "-L\${libdir} -lwim" "-lntdll -ladvapi32" "$XML_PC"
fi
# Upstream *-config scripts and CMake package files carry the temporary path.
{ grep -rlIF "$T" "$T" || true; } | xargs -r sed -i "s|$T|$PREFIX|g"
rm -rf "$T/share" "$T/man"

{
  echo "key $KEY"
  for p in zlib "${SRCPKGS[@]}" "${OPTPKGS[@]}"; do echo "$p ${VER[$p]}"; done
  echo "gcc $($HOST-gcc --version | sed -n 1p)"
  echo "built $(date -u +%FT%TZ) in ${SECONDS}s"
} >"$T/.sxsfix-win-deps-complete"
rm -rf "$PREFIX"
mv "$T" "$PREFIX"
say "done in ${SECONDS}s"
echo "$PREFIX"
