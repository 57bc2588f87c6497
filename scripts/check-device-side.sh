#!/bin/sh
# check-device-side.sh INCLUDE_DIR FOLDER...
# Device code stays on its side of the device/host line: the C files and headers in the given
# folders, and every dfukit header they include (followed through include/ and the folder
# itself, transitively), include from the system only the C11 freestanding headers and
# <string.h>, and never call the heap. One line per violation on stderr; exit 1 when there is any.
set -u
if [ $# -lt 2 ]; then
    echo "usage: check-device-side.sh INCLUDE_DIR FOLDER..." >&2
    exit 2
fi
inc=$1
shift
allowed=" float.h iso646.h limits.h stdalign.h stdarg.h stdbool.h stddef.h stdint.h stdnoreturn.h string.h "

todo=$(find "$@" -type f \( -name '*.c' -o -name '*.h' \) | sort)
seen=" "
report=""
while [ -n "$todo" ]; do
    next=""
    for f in $todo; do
        case "$seen" in *" $f "*) continue ;; esac
        seen="$seen$f "
        out=$(awk -v allowed="$allowed" '
            # comments and string literals say what they like
            { line = $0; gsub(/\/\*.*\*\//, "", line); sub(/\/\/.*/, "", line);
              if (incomment) { if (line ~ /\*\//) { sub(/.*\*\//, "", line); incomment = 0 } else next }
              if (line ~ /\/\*/) { sub(/\/\*.*/, "", line); incomment = 1 } }
            line ~ /^[ \t]*#[ \t]*include[ \t]*</ {
                h = line; sub(/^[^<]*</, "", h); sub(/>.*/, "", h)
                if (index(allowed, " " h " ") == 0)
                    printf "V %s:%d: <%s> is a host header (device code includes only the freestanding C headers and <string.h>)\n", FILENAME, FNR, h
            }
            line ~ /^[ \t]*#[ \t]*include[ \t]*"/ {
                h = line; sub(/^[^"]*"/, "", h); sub(/".*/, "", h); print "I " h
            }
            { s = line; gsub(/"([^"\\]|\\.)*"/, "\"\"", s) }
            s ~ /(^|[^A-Za-z0-9_.>])(malloc|calloc|realloc|free|aligned_alloc|strdup)[ \t]*\(/ {
                match(s, /(malloc|calloc|realloc|free|aligned_alloc|strdup)[ \t]*\(/)
                name = substr(s, RSTART, RLENGTH); sub(/[ \t]*\($/, "", name)
                printf "V %s:%d: %s() is a heap call (device code never allocates)\n", FILENAME, FNR, name
            }' "$f")
        report="$report$(printf '%s\n' "$out" | sed -n 's/^V //p')
"
        for h in $(printf '%s\n' "$out" | sed -n 's/^I //p'); do
            if [ -f "$inc/$h" ]; then
                next="$next $inc/$h"
            elif [ -f "$(dirname "$f")/$h" ]; then
                next="$next $(dirname "$f")/$h"
            fi
        done
    done
    todo=$next
done
report=$(printf '%s' "$report" | sed '/^$/d')
if [ -n "$report" ]; then
    printf '%s\n' "$report" | sed 's/^/check-device-side: /' >&2
    exit 1
fi
exit 0
