#!/bin/sh
# uninstall.sh MANIFEST PREFIX [DESTDIR]: removes exactly the files `make install` recorded in
# MANIFEST (cmake --install's install_manifest.txt: paths under PREFIX, without DESTDIR), after
# checking that every one lies under PREFIX, so an uninstall given another PREFIX removes
# nothing. Folders stay: bin/ and share/man/ belong to other packages too.
set -eu
manifest=$1 prefix=${2%/} destdir=${3:-}
if [ ! -f "$manifest" ]; then
    echo "uninstall: nothing recorded in $manifest (run make install first)" >&2
    exit 1
fi
while IFS= read -r f || [ -n "$f" ]; do
    case $f in
    "$prefix"/*) ;;
    *) echo "uninstall: $f was installed outside $prefix; give the PREFIX that make install was given" >&2
       exit 1 ;;
    esac
done <"$manifest"
while IFS= read -r f || [ -n "$f" ]; do
    if [ -e "$destdir$f" ] || [ -L "$destdir$f" ]; then
        rm -f "$destdir$f"
        echo "Removed $destdir$f"
    fi
done <"$manifest"
rm -f "$manifest"
