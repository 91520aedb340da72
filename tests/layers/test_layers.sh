#!/usr/bin/env bash
# The layer rules are the build's: a core engine that includes a Lua header
# or a binding's header fails to compile, while one that includes what it
# may (core and platform headers) compiles. Usage: test_layers.sh BUILD_DIR
set -u
build=$1 failed=0
try() {  # try TARGET: build it, its output in $out, its status in $rc
  out=$(cmake --build "$build" --target "$1" 2>&1); rc=$?
}
try layer_core_ok
if [ "$rc" = 0 ]; then echo "ok - a core file including core/ and platform/ headers compiles"
else echo "not ok - the control does not compile:"; echo "$out" | tail -5; failed=1; fi
for t in "layer_core_uses_lua:lua.h" "layer_core_uses_binding:lua/modules.h"; do
  target=${t%%:*} header=${t#*:}
  try "$target"
  if [ "$rc" != 0 ] && grep -q "$header.*No such file" <<<"$out"; then
    echo "ok - a core file including $header does not compile"
  else
    echo "not ok - a core file including $header: rc=$rc"; echo "$out" | tail -5; failed=1
  fi
done
exit $failed
