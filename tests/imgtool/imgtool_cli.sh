#!/bin/sh
# The imgtool program end to end against upstream's reference files: getpub, dumpinfo, sign
# (byte-identical for Ed25519), verify, the failure contract (one-line error, non-zero exit,
# no output file) and the help contract. Environment from dfu_script_test: BIN, VECTORS, TMP,
# SRC (the help test reads the option tables in tools/imgtool).
set -u
T="$BIN/imgtool"
V="$VECTORS/imgtool"
ARGS="--header-size 0x200 --align 8 --slot-size 0x60000 --version 1.2.3+4 --pad-header"
rm -rf "$TMP" && mkdir -p "$TMP" && cd "$TMP" || exit 1
. "$SRC/tests/imgtool/harness.sh"

# getpub: PEM and C forms byte for byte (x25519's reference was made with -e lang-c).
for t in rsa-2048 rsa-3072 ecdsa-p256 ecdsa-p384 ed25519 x25519; do
    check "getpub pem $t" sh -c "'$T' getpub -k '$V/key-$t.pem' -e pem > pub.pem && cmp -s pub.pem '$V/pub-$t.pem'"
    check "getpub c $t" sh -c "'$T' getpub -k '$V/key-$t.pem' -l c > pub.c && cmp -s pub.c '$V/pub-$t.c'"
    check "getpub lang-c $t" sh -c "'$T' getpub -k '$V/key-$t.pem' -e lang-c -o pub2.c && cmp -s pub2.c '$V/pub-$t.c'"
    check "getpub raw $t" sh -c "'$T' getpub -k '$V/key-$t.pem' -e raw > pub.raw && '$T' getpub -k '$V/pub-$t.pem' -e raw | cmp -s - pub.raw"
done

# dumpinfo: every reference text, byte for byte (run beside the images: the header line
# shows the file name).
for f in "$V"/dumpinfo-*.txt; do
    img=$(basename "$f" .txt | sed 's/^dumpinfo-//').bin
    check "dumpinfo $img" sh -c "cd '$V' && '$T' dumpinfo '$img' | cmp -s - '$f'"
done

# sign: Ed25519 is deterministic, so the whole file must be identical; so are --pad --confirm
# and --pure. The create alias does the same.
check "sign ed25519" sh -c "'$T' sign -k '$V/key-ed25519.pem' $ARGS '$V/input.bin' e.bin && cmp -s e.bin '$V/signed-ed25519.bin'"
check "create ed25519" sh -c "'$T' create -k '$V/key-ed25519.pem' $ARGS '$V/input.bin' c.bin && cmp -s c.bin '$V/signed-ed25519.bin'"
check "sign pad-confirm" sh -c "'$T' sign -k '$V/key-ed25519.pem' $ARGS --pad --confirm '$V/input.bin' pc.bin && cmp -s pc.bin '$V/signed-ed25519-pad-confirm.bin'"
# --test: the same padded image as --confirm but for image_ok (slot end - 24), left erased.
check "sign test" sh -c "'$T' sign -k '$V/key-ed25519.pem' $ARGS --test '$V/input.bin' t.bin && [ \"\$(cmp -l t.bin '$V/signed-ed25519-pad-confirm.bin')\" = '393193 377   1' ]"
must_fail "test+confirm" tc.bin "$T" sign -k "$V/key-ed25519.pem" $ARGS --test --confirm "$V/input.bin" tc.bin
check "sign pure" sh -c "'$T' sign -k '$V/key-ed25519.pem' $ARGS --pure '$V/input.bin' p.bin && cmp -s p.bin '$V/signed-ed25519-pure.bin'"
# Options in another order and with = forms parse the same.
check "sign reordered" sh -c "'$T' sign '$V/input.bin' r.bin --pad-header --version=1.2.3+4 -S 0x60000 --align=8 -H 512 --key '$V/key-ed25519.pem' && cmp -s r.bin '$V/signed-ed25519.bin'"

# The other key types: our image verifies; the reference image verifies with our verify.
for t in rsa-2048 rsa-3072 ecdsa-p256 ecdsa-p384; do
    check "sign+verify $t" sh -c "'$T' sign -k '$V/key-$t.pem' $ARGS '$V/input.bin' s.bin && '$T' verify -k '$V/pub-$t.pem' s.bin >/dev/null"
done
for f in "$V"/signed-*.bin "$V"/signed-ecdsa-p256.hex; do
    case "$f" in *-enc-*) continue ;; esac
    t=$(basename "$f" | sed -e 's/^signed-//' -e 's/\.bin$//' -e 's/\.hex$//' -e 's/-pad-confirm$//' -e 's/-pure$//')
    check "verify $(basename "$f")" sh -c "'$T' verify -k '$V/key-$t.pem' '$f' | head -1 | grep -qx 'Image was correctly validated'"
    other=ed25519; [ "$t" = ed25519 ] && other=ecdsa-p256
    must_fail "verify wrong key $(basename "$f")" "" "$T" verify -k "$V/key-$other.pem" "$f"
done
check "verify output" sh -c "'$T' verify -k '$V/key-ed25519.pem' '$V/signed-ed25519.bin' | sed -n 2p | grep -qx 'Image version: 1.2.3+4'"

# Intel HEX output at 0x10000: same records as upstream before the signature.
check "sign hex" "$T" sign -k "$V/key-ecdsa-p256.pem" $ARGS -x 0x10000 "$V/input.bin" o.hex
head -n 6434 o.hex > o-head.txt
head -n 6434 "$V/signed-ecdsa-p256.hex" > ref-head.txt
check "hex lines" cmp -s o-head.txt ref-head.txt
check "verify hex" sh -c "'$T' verify -k '$V/key-ecdsa-p256.pem' o.hex >/dev/null"
# keygen -> getpub -> sign -> verify for every type that signs; x25519 keys cannot sign.
for t in rsa-2048 ecdsa-p256 ecdsa-p384 ed25519; do
    check "keygen $t" sh -c "'$T' keygen -k k.pem -t $t && head -1 k.pem | grep -qx -- '-----BEGIN PRIVATE KEY-----' && '$T' getpub -k k.pem -e pem > kp.pem && '$T' sign -k k.pem -H 0x200 --pad-header -S 0x60000 -v 1.1 '$V/input.bin' k.bin && '$T' verify -k kp.pem k.bin | grep -qx 'Image version: 1.1.0+0'"
done
check "keygen x25519" "$T" keygen -k x.pem -t x25519
must_fail "sign with x25519" x.bin "$T" sign -k x.pem $ARGS "$V/input.bin" x.bin

# External signing: --sig-out, then --fix-sig with the public key rebuilds the same image.
check "sig-out" "$T" sign -k "$V/key-ecdsa-p256.pem" $ARGS --sig-out sig.b64 "$V/input.bin" a.bin
check "fix-sig" sh -c "'$T' sign --fix-sig sig.b64 --fix-sig-pubkey '$V/pub-ecdsa-p256.pem' $ARGS '$V/input.bin' b.bin && cmp -s a.bin b.bin"
check "vector digest" sh -c "'$T' sign --vector-to-sign digest --fix-sig-pubkey '$V/pub-ecdsa-p256.pem' $ARGS '$V/input.bin' d.bin && [ \$(wc -c < d.bin) -eq 32 ]"

# Intel HEX with --pad --confirm: the trailer lands at the same place as in the binary.
check "pad hex" "$T" sign -k "$V/key-ed25519.pem" $ARGS --pad --confirm -x 0x10000 "$V/input.bin" pc.hex
"$T" dumpinfo pc.hex | tail -n +2 > pc-hex.txt
"$T" dumpinfo pc.bin | tail -n +2 > pc-bin.txt
check "pad hex trailer" cmp -s pc-hex.txt pc-bin.txt
check "pad hex image_ok" grep -qx "image_ok:    SET (0x1)" pc-hex.txt

# Failures: one line, non-zero exit, no output file.
printf 'garbage\n' > bad.pem
printf '%s\n' '-----BEGIN PRIVATE KEY-----' 'AAAA' '-----END PRIVATE KEY-----' > bad2.pem
must_fail "malformed PEM" out1.bin "$T" sign -k bad.pem $ARGS "$V/input.bin" out1.bin
must_fail "corrupt PEM body" out2.bin "$T" sign -k bad2.pem $ARGS "$V/input.bin" out2.bin
must_fail "getpub malformed PEM" "" "$T" getpub -k bad2.pem
grep -q "malformed PEM" stderr.txt && ok || bad "malformed PEM named"
must_fail "missing key" out3.bin "$T" sign -k nonexistent.pem $ARGS "$V/input.bin" out3.bin
must_fail "slot too small" out5.bin "$T" sign -k "$V/key-ed25519.pem" --header-size 0x200 --align 8 --slot-size 0x10000 --version 1 --pad-header "$V/input.bin" out5.bin
must_fail "header not zero" out6.bin "$T" sign -k "$V/key-ed25519.pem" --header-size 0x200 --slot-size 0x60000 --version 1 "$V/input.bin" out6.bin
must_fail "bad version" out7.bin "$T" sign $ARGS --version 1.x "$V/input.bin" out7.bin
must_fail "missing input" out8.bin "$T" sign $ARGS nonexistent.bin out8.bin
must_fail "custom tlv conflict" out9.bin "$T" sign $ARGS --custom-tlv 0x50 0x01 "$V/input.bin" out9.bin
must_fail "pure with ecdsa" out10.bin "$T" sign -k "$V/key-ecdsa-p256.pem" $ARGS --pure "$V/input.bin" out10.bin
# An image that would overlap its slot's trailer is refused, with upstream's text. 1000 bytes
# + 0x200 header + 40 bytes of TLVs (SHA256) = 0x610; the swap trailer for --align 8 and 128
# sectors is 128*3*8 + 4*8 + 16 = 0xc30; --overwrite-only's is 2*8 + 16 = 0x20.
head -c 1000 /dev/zero > small.bin
SMALL="-H 0x200 --pad-header --align 8 -v 1"
must_fail "trailer overlap" ov1.bin "$T" sign $SMALL -S 0x1200 small.bin ov1.bin
says "trailer overlap text" "imgtool: Image size (0x610) + trailer (0xc30) exceeds requested size 0x1200"
must_fail "trailer overlap hex" ov1.hex "$T" sign $SMALL -S 0x1200 -x 0x8000 small.bin ov1.hex
says "trailer overlap hex text" "imgtool: Image size (0x610) + trailer (0xc30) exceeds requested size 0x1200"
must_fail "trailer overlap max-sectors" ov2.bin "$T" sign $SMALL -S 0x7b0 -M 16 small.bin ov2.bin
says "max-sectors trailer text" "imgtool: Image size (0x610) + trailer (0x1b0) exceeds requested size 0x7b0"
must_fail "overwrite-only trailer overlap" ov3.bin "$T" sign $SMALL -S 0x620 --overwrite-only small.bin ov3.bin
says "overwrite-only trailer text" "imgtool: Image size (0x610) + trailer (0x20) exceeds requested size 0x620"
check "overwrite-only fits" "$T" sign $SMALL -S 0x630 --overwrite-only --pad small.bin ov4.bin
check "overwrite-only padded to the slot" [ "$(wc -c < ov4.bin)" -eq 1584 ]
must_fail "swap trailer needs more" ov5.bin "$T" sign $SMALL -S 0x630 small.bin ov5.bin

# Intel HEX whose records overlap is refused at the first address written twice (Python
# intelhex's text, which upstream imgtool shows); the later record does not silently win.
printf '%s\n' ':0400000001020304F2' ':02000200AABB97' ':00000001FF' > overlap.hex
must_fail "hex overlap" ovh.bin "$T" sign -H 0x200 --pad-header -S 0x60000 -v 1 overlap.hex ovh.bin
says "hex overlap text" "imgtool: overlap.hex: Hex file has data overlap at address 0x2 on line 2"
must_fail "hex overlap dumpinfo" "" "$T" dumpinfo overlap.hex
says "hex overlap dumpinfo text" "imgtool: overlap.hex: Hex file has data overlap at address 0x2 on line 2"

# A failed sign over an existing file leaves it untouched.
cp "$V/signed-ed25519.bin" keep.bin
must_fail "keep existing" "" "$T" sign -k bad.pem $ARGS "$V/input.bin" keep.bin
check "existing untouched" cmp -s keep.bin "$V/signed-ed25519.bin"

# Damaged images: truncated, sizes past the end, unknown protected TLV.
head -c 20000 "$V/signed-ed25519.bin" > trunc.bin
must_fail "verify truncated" "" "$T" verify -k "$V/key-ed25519.pem" trunc.bin
grep -q truncated stderr.txt && ok || bad "truncated named"
must_fail "dumpinfo truncated" "" "$T" dumpinfo trunc.bin
head -c 103000 "$V/signed-ed25519.bin" > cut.bin
must_fail "verify cut TLVs" "" "$T" verify -k "$V/key-ed25519.pem" cut.bin
grep -q "past the end" stderr.txt && ok || bad "TLV past end named"
must_fail "verify empty" "" "$T" verify -k "$V/key-ed25519.pem" /dev/null
# A vendor-range protected TLV (--custom-tlv 0xa0) is accepted: image signed without a key,
# hash-only verify, dumpinfo shows it.
check "custom tlv" "$T" sign $ARGS -s auto --custom-tlv 0xa0 0x0102 "$V/input.bin" u.bin
check "verify custom" sh -c "'$T' verify u.bin >/dev/null"
check "dumpinfo custom" sh -c "'$T' dumpinfo u.bin | grep -q 'type: UNKNOWN (0xa0)'"

# Protected TLVs from the command line, seen through dumpinfo: -s auto (1.2.3 -> 0x01020003),
# -d "(1, 2.3.4+5)", a custom string TLV; flags from -L and --non-bootable.
check "options sign" "$T" sign -k "$V/key-ed25519.pem" $ARGS -s auto -d "(1, 2.3.4+5)" --custom-tlv 0xb0 hi -L 0x20000000 --non-bootable --boot-record SPE "$V/input.bin" opt.bin
"$T" dumpinfo opt.bin > opt.txt 2>&1
check "sec_cnt" grep -q "data: 0x03 0x00 0x02 0x01" opt.txt
check "dependency" grep -q "data: 0x01 0x00 0x00 0x00 0x02 0x03 0x04 0x00" opt.txt
check "custom string" grep -q "data: 0x68 0x69" opt.txt
check "boot record" grep -q "type: BOOT_RECORD (0x60)" opt.txt
check "flags" grep -q "^flags:              NON_BOOTABLE (0x10)" opt.txt
check "ram load flag" grep -q "^                    RAM_LOAD (0x20)" opt.txt
check "load addr" grep -qx "load_addr:          0x20000000" opt.txt
check "options verify" sh -c "'$T' verify -k '$V/key-ed25519.pem' opt.bin > /dev/null"
must_fail "bad dependency" out11.bin "$T" sign $ARGS -d "(1 2.3.4)" "$V/input.bin" out11.bin
must_fail "odd custom hex" out12.bin "$T" sign $ARGS --custom-tlv 0xa0 0x123 "$V/input.bin" out12.bin

# Rarer options, byte for byte. No upstream image exists for these, so the expected SHA-256
# of each output was computed by upstream imgtool's own image.py / keys / dumpinfo.py logic
# (run with Debian's python3-intelhex, -cbor2, -cryptography), not by this tool. Ed25519
# keeps the signatures deterministic.
K="$V/key-ed25519.pem"
golden() { # golden NAME FILE SHA256
    got=$(sha256sum "$2" | cut -d' ' -f1)
    if [ "$got" = "$3" ]; then ok; else bad "$1: sha256 $got"; fi
}
"$T" sign -k "$K" $ARGS --pad --confirm -s auto -d "(1,2.3.4+5),(0, 1.0.0)" --custom-tlv 0xa0 0x1234 --custom-tlv 0x1a1 hi --boot-record SPE -L 0x20000000 --non-bootable "$V/input.bin" g1.bin
golden "protected TLVs, flags, boot record" g1.bin 8e500e54b0054bc85c023f9342a9d5515ab27590d34af01de80c8509d7966cfc
"$T" sign -k "$K" $ARGS --pad --confirm -s 7 -d "(1,2.3.4+5)" --boot-record NSPE -x 0x8000 "$V/input.bin" g2.hex
golden "padded Intel HEX" g2.hex d0daa14be435b45d06cd86624a0bab0110f6db35b6bd3373ef1f1cc1168be067
"$T" sign -k "$K" -H 0x200 --pad-header --align 16 -S 0x60000 -v 1 --pad --confirm "$V/input.bin" g3.bin
golden "align 16 trailer" g3.bin 83806692f35a8301388aa130b9093cdd4aca702a7fbf16167f801cb4e0abd6ab
"$T" sign -k "$K" -H 0x200 --pad-header --align 4 --max-align 32 -R 0 -S 0x60000 -v 1 --pad --confirm "$V/input.bin" g4.bin
golden "max-align 32, erased 0" g4.bin a953600449e0ef74384eeedea4b31a644aeb461e6395c2afa21da779a98adb4d
"$T" sign -k "$K" -H 0x200 --pad-header --align 8 -S 0x60000 -v 1 --pad --confirm --overwrite-only "$V/input.bin" g5.bin
golden "overwrite-only" g5.bin 14e10728c9332c98d567557b23917d3afddbfa3ee586868080778f48013fce11
"$T" sign -H 0x200 --pad-header --align 8 -S 0x60000 -v 0 --pad -F 0x10000 -M 16 "$V/input.bin" g6.bin
golden "no key, rom-fixed, max-sectors" g6.bin 9e75cc1bd33e9ad4a904b17234e52052e3db3666c330ce94d8f9d3205ae4be76
"$T" sign -k "$K" --public-key-format full -H 0x200 --pad-header --align 8 -S 0x60000 -v 3.4.5+6 "$V/input.bin" g7.bin
golden "full public key" g7.bin f60c7ec37c31fcff481e9f1f2ddb218e87e71f33b88c76eeed56c7de307dff5a
"$T" sign -k "$K" --sha 512 -H 0x200 --pad-header --align 8 -S 0x60000 -v 1 "$V/input.bin" g8.bin
golden "sha 512" g8.bin ff331778c867fe6a08fafb55347cbe9b5ade020be498cbcf69fff7c91dd8dfe3
"$T" sign -k "$K" --pure -s auto --boot-record X -H 0x200 --pad-header --align 8 -S 0x60000 -v 1.2 "$V/input.bin" g9.bin
golden "pure with protected TLVs" g9.bin 2b2ebc147fec31f3569ab6e1c6c4c8d06fdba2b6fd8ccce8e454fb4ed126d9bc
cp g1.bin opt-ref.bin
"$T" dumpinfo opt-ref.bin > g1.txt
golden "dumpinfo with protected TLVs and flags" g1.txt e1a5b3f5fb2f9b611b384dcb6b77a36de5367af7cdbf0d2c23aecc811e35736c
"$T" getpriv -k "$V/key-ecdsa-p256.pem" --minimal > p1.c
golden "getpriv ec pkcs8 minimal" p1.c cec3c010269de5407dd56af5e387d47c7e53ae1ee7473e03e965161e746ea46d
"$T" getpriv -k "$V/key-ecdsa-p256.pem" -f openssl --minimal > p2.c
golden "getpriv ec openssl minimal" p2.c d718c3ee6a6cc4fe1f89d6afccde1939dae4c911a64b70e2222f5be3dfff2b76
"$T" getpriv -k "$V/key-rsa-2048.pem" --minimal > p3.c
golden "getpriv rsa minimal" p3.c 422d87db78e9fa57eb347955408f84c8fe73bb38f8e2b5a8302cba99c9de7e91
"$T" getpriv -k "$V/key-ecdsa-p384.pem" -f openssl > p4.c
golden "getpriv p384 openssl" p4.c 74f83c8016cefd7b6932964b73f96341a01c47cbdc54aed25004d059a6b14c9f

# Unknown command and bad options: usage errors; a near miss names the command meant.
must_fail "unknown command" "" "$T" frobnicate
says "unknown command text" 'imgtool: unknown command "frobnicate" (imgtool help --commands lists them)'
must_fail "misspelt command" "" "$T" sgin in.bin out.bin
says "misspelt command text" 'imgtool: unknown command "sgin"; did you mean "sign"?'
must_fail "help misspelt" "" "$T" help dumpinfp
says "help misspelt text" 'imgtool: unknown command "dumpinfp"; did you mean "dumpinfo"?'
"$T" sgin >/dev/null 2>&1; [ $? -eq 2 ] && ok || bad "unknown command exits 2"
must_fail "help two commands" "" "$T" help sign verify
says "help two commands text" "imgtool: help takes at most one COMMAND (or --commands)"
"$T" >/dev/null 2>over-err.txt; [ $? -eq 2 ] && head -1 over-err.txt | grep -qx 'Usage: imgtool COMMAND \[ARGS\]...' &&
    ok || bad "no command: overview on stderr, exit 2"
must_fail "bad option" "" "$T" verify --frob x
check "version" sh -c "'$T' version | grep -q ."

# The help contract: --help is the overview; help --commands one NAME<TAB>summary line per
# command; help NAME and NAME --help the same usage, starting "Usage: imgtool NAME"; exit 0.
check "overview" sh -c "'$T' --help > over.txt && head -1 over.txt | grep -qx 'Usage: imgtool COMMAND \\[ARGS\\]...'"
check "overview lists sign" grep -q "^  sign  *Create a signed or unsigned image$" over.txt
check "help alone" sh -c "'$T' help | cmp -s - over.txt"
check "help --commands" sh -c "'$T' help --commands > cmds.txt"
tab=$(printf '\t')
check "commands format" sh -c "! grep -v '^[a-z][a-z]*${tab}[A-Z].*[^ ]\$' cmds.txt"
check "commands count" [ "$(wc -l < cmds.txt)" -eq 10 ]
for name in $(cut -f1 cmds.txt); do
    "$T" help "$name" > h1.txt; rc1=$?
    "$T" "$name" --help > h2.txt; rc2=$?
    if [ $rc1 -eq 0 ] && [ $rc2 -eq 0 ] && cmp -s h1.txt h2.txt &&
       head -1 h1.txt | grep -q "^Usage: imgtool $name\( \|\$\)"; then ok; else bad "help $name"; fi
    # every long option the command parses is explained in its usage
    src=$SRC/tools/imgtool
    case $name in
    sign|create) opts=$(sed -n 's/^ *{"\([a-z-]*\)", [a-z_]*, NULL.*/\1/p' "$src/cmd_sign.c") ;;
    *) opts=$(awk -v c="$name" '/^int cmd_/ { f = ($0 ~ "^int cmd_" c "\\(") } f' \
                  "$src/cmd_keys.c" "$src/cmd_image.c" |
              grep -o '{"[a-z-]*", [a-z_]*, NULL' | cut -d'"' -f2) ;;
    esac
    for o in $opts; do
        grep -q -- "--$o\( \|,\|\$\)" h1.txt && ok || bad "help $name: --$o not explained"
    done
done
"$T" sign --help > h1.txt
check "sign usage" sh -c "head -1 h1.txt | grep -qx 'Usage: imgtool sign \\[OPTIONS\\] INFILE OUTFILE'"
check "sign -h" sh -c "'$T' sign -h | cmp -s - h1.txt"
printf 'AB' > tlv.bin
check "custom-tlv-file" sh -c "'$T' sign $ARGS --custom-tlv-file 0xc0 tlv.bin '$V/input.bin' f.bin && '$T' dumpinfo f.bin | grep -A2 'type: UNKNOWN (0xc0)' | grep -q 'data: 0x41 0x42'"

echo "$pass passed, $failed failed"
[ "$failed" -eq 0 ]
