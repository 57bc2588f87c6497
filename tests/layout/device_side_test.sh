#!/bin/sh
# device_side_test.sh DEVICE_FOLDER...: the tree's device folders pass the device-side check;
# planted violations (a host header, a heap call, a host header behind a dfukit header, a device
# library linking a host library, a library marked neither DEVICE nor HOST) are each refused
# with their message.
set -u
check="$SRC/scripts/check-device-side.sh"
fail() { echo "FAIL: $*" >&2; exit 1; }
[ $# -ge 8 ] || fail "expected the device folders as arguments, got $#"

# 1. The tree itself.
"$check" "$SRC/include" "$@" || fail "the device folders include a host header or allocate"

rm -rf "$TMP" && mkdir -p "$TMP" || exit 1
plant="$TMP/plant"
mkdir -p "$plant/include/dfukit" "$plant/src/bad" "$plant/src/ok"

# 2. A host header and a heap call in a device source; mentions in comments and strings are fine.
cat > "$plant/src/bad/bad.c" <<'C'
#include <stdint.h>
#include <stdio.h>
/* never malloc() here */
static const char *msg = "free(";
void *grab(void) { return malloc(4); }
C
"$check" "$plant/include" "$plant/src/bad" 2> "$TMP/err2" && fail "planted <stdio.h> and malloc passed"
cat > "$TMP/want2" <<W
check-device-side: $plant/src/bad/bad.c:2: <stdio.h> is a host header (device code includes only the freestanding C headers and <string.h>)
check-device-side: $plant/src/bad/bad.c:5: malloc() is a heap call (device code never allocates)
W
diff "$TMP/want2" "$TMP/err2" || fail "planted bad.c: wrong messages"

# 3. A host header behind a dfukit header that a clean device source includes.
printf '#include <stddef.h>\n#include <pthread.h>\n' > "$plant/include/dfukit/evil.h"
printf '#include <string.h>\n#include "dfukit/evil.h"\nint ok(void) { return 0; }\n' > "$plant/src/ok/ok.c"
"$check" "$plant/include" "$plant/src/ok" 2> "$TMP/err3" && fail "planted <pthread.h> in a header passed"
echo "check-device-side: $plant/include/dfukit/evil.h:2: <pthread.h> is a host header (device code includes only the freestanding C headers and <string.h>)" > "$TMP/want3"
diff "$TMP/want3" "$TMP/err3" || fail "planted evil.h: wrong message"

# 4. The build: a device library that links a host library stops the configure step.
proj="$TMP/proj"
mkdir -p "$proj"
echo 'int host_fn(void) { return 1; }' > "$proj/host.c"
echo 'int dev_fn(void) { return 2; }' > "$proj/dev.c"
write_proj() {
    cat > "$proj/CMakeLists.txt" <<CM
cmake_minimum_required(VERSION 3.25)
project(sides C)
include($SRC/cmake/dfukit.cmake)
dfu_library(hostlib HOST SOURCES host.c)
dfu_library(devlib DEVICE SOURCES dev.c DEPS $1)
dfu_check_sides()
CM
}
write_proj hostlib
cmake -S "$proj" -B "$proj/build" > "$TMP/out4" 2>&1 && fail "a device library linking a host library configured"
# (CMake wraps its messages: compare with the lines joined)
tr -s ' \n' '  ' < "$TMP/out4" |
    grep -q "device library devlib links hostlib (host): a device library links only device libraries and ports" ||
    { cat "$TMP/out4" >&2; fail "configure failed without naming devlib and hostlib"; }
# An unmarked library stops it too.
sed -i 's/dfu_library(hostlib HOST/dfu_library(hostlib/' "$proj/CMakeLists.txt"
rm -rf "$proj/build"
cmake -S "$proj" -B "$proj/build" > "$TMP/out6" 2>&1 && fail "an unmarked library configured"
tr -s ' \n' '  ' < "$TMP/out6" |
    grep -q "dfu_library(hostlib): say DEVICE or HOST (the side of the device/host line its folder is on)" ||
    { cat "$TMP/out6" >&2; fail "configure failed without naming the unmarked library"; }
# ... and the same project with a device dependency configures.
sed -i 's/dfu_library(hostlib/dfu_library(hostlib DEVICE/' "$proj/CMakeLists.txt"
rm -rf "$proj/build"
cmake -S "$proj" -B "$proj/build" > "$TMP/out5" 2>&1 || { cat "$TMP/out5" >&2; fail "a device-only project did not configure"; }
echo "device side: ok"
