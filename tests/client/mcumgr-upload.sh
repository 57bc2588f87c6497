#!/bin/sh
# The DFU guide's one-step upload-activate script ("Performing the upload-activate process in one
# step"): the guide's command lines, one for one, below the shebang. Usage:
#   CONN=<profile> mcumgr-upload.sh zephyr.signed.bin
# Our mcumgr must run it unchanged: it greps the `image list` text for `hash:`.
set -e
mcumgr -c $CONN image list
mcumgr -c $CONN image upload $1 &&
mcumgr -c $CONN image list | tee image.lst &&
HASH=`grep hash: image.lst | tail -1 | awk '{print $2}'`
[ -n "$HASH" ]
mcumgr -c $CONN image confirm $HASH
mcumgr -c $CONN reset
