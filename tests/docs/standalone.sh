#!/bin/sh
# The repository stands alone: no source, test, fuzzer, benchmark or document reads or links a
# folder beside the clone, and every file the tests name under tests/vectors is there.
set -eu
: "${SRC:?}"
cd "$SRC"
sibling='\.\./'"shared"'|(SMP|MCUBOOT|ARCHITECTURE|STYLE)\.md'
hits=$(grep -rnE "$sibling" src include tools tests fuzz bench scripts cmake CMakeLists.txt \
       Makefile README.md BENCHMARKS.md 2>/dev/null || true)
[ -z "$hits" ] || { echo "$hits"; echo "FAIL: the lines above reach outside the repository" >&2; exit 1; }
# Every vector a test names by path exists.
missing=0
for f in $(grep -rhoE '(VEC|VEC_DIR|DFU_VECTORS_DIR "|\$VECTORS|\$V)/?[a-z]*/?[A-Za-z0-9_.-]+\.(bin|hex|pem|txt|c)' \
           tests fuzz bench | sed -E 's/^(VEC_DIR|VEC|DFU_VECTORS_DIR "|\$VECTORS|\$V)//; s|^/||' | sort -u); do
    case "$f" in imgtool/*|smp/*) p="tests/vectors/$f" ;; *) p="tests/vectors/imgtool/$f" ;; esac
    [ -f "$p" ] || { echo "FAIL: a test names $p, which is not in the repository" >&2; missing=1; }
done
[ $missing = 0 ]
echo "ok: nothing reaches outside the repository; every named vector is present"
