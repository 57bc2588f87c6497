#!/bin/sh
# A program that follows the help contract, with two-word commands as mcumgr has ("image
# upload"). FAKE_BREAK breaks one part of the contract, for the generators' refusals.
case "${FAKE_BREAK:-}:$*" in
commands:"help --commands") echo "no such command" >&2; exit 2 ;;
tabs:"help --commands") printf 'echo  Send a string\n' ;;
usage:"help echo") printf 'usage: echo TEXT\n' ;;
flag:"echo --help") printf 'Usage: %s echo\n' "${0##*/}" ;;
*:--help) printf 'Usage: %s COMMAND [ARGS]...\n\nA fake tool for the generator tests.\n\nCommands:\n  echo\n  image\n' "${0##*/}" ;;
*:"help --commands") printf 'echo\tSend a string\nimage upload\tUpload an image\nimage list\tList the images\n' ;;
*:"help echo" | *:"echo --help") printf 'Usage: %s echo [--times N] TEXT\n\n  --times N   say it N times\n.starts with a dot \\and a backslash\n' "${0##*/}" ;;
*:"help image upload" | *:"image upload --help") printf 'Usage: %s image upload [--slot N] FILE\n\n  --slot N    target slot\n' "${0##*/}" ;;
*:"help image list" | *:"image list --help") printf 'Usage: %s image list\n' "${0##*/}" ;;
*) echo "fake: unexpected: $*" >&2; exit 2 ;;
esac
