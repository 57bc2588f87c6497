#!/bin/sh
# imgtool's encryption end to end: sign -E for every key exchange against upstream's two
# encrypted reference images (same TLV set and sizes), header flags, --clear, and the failure
# contract (one-line error, non-zero exit, no output file). Environment from
# dfu_script_test: BIN, VECTORS, TMP, SRC.
set -u
T="$BIN/imgtool"
V="$VECTORS/imgtool"
ARGS="--header-size 0x200 --align 8 --slot-size 0x60000 --version 1.2.3+4 --pad-header"
rm -rf "$TMP" && mkdir -p "$TMP" && cd "$TMP" || exit 1
. "$SRC/tests/imgtool/harness.sh"
# layout IMG: header flags and the TLV types and lengths as dumpinfo prints them (the ECDSA
# signature's length varies from image to image, so SIGLEN stands for it).
layout() {
    "$T" dumpinfo "$1" | grep -E '^(flags|img_size):|type:|len:' |
        awk '/type: ECDSASIG/ { print; getline; print "len: SIGLEN"; next } { print }'
}

# Same input, same keys: our image has upstream's header, TLV set and sizes.
check "sign -E ec256" "$T" sign -k "$V/key-ecdsa-p256.pem" $ARGS -E "$V/encpub-ecdsa-p256.pem" "$V/input.bin" ec.bin
layout ec.bin > ours.txt
layout "$V/signed-ecdsa-p256-enc-ec256.bin" > theirs.txt
check "ec256 same TLVs as upstream" cmp -s ours.txt theirs.txt
check "ec256 has ENC_EC256 of 113 bytes" sh -c "grep -A1 'type: ENCEC256 (0x32)' ours.txt | grep -q 'len:  0x71'"
check "sign -E x25519" "$T" sign -k "$V/key-ed25519.pem" $ARGS -E "$V/pub-x25519.pem" "$V/input.bin" x.bin
layout x.bin > ours.txt
layout "$V/signed-ed25519-enc-x25519.bin" > theirs.txt
check "x25519 same TLVs as upstream" cmp -s ours.txt theirs.txt
check "x25519 same size as upstream" test "$(wc -c < x.bin)" -eq "$(wc -c < "$V/signed-ed25519-enc-x25519.bin")"
# Everything before the body and the TLVs that do not depend on the random key is identical
# (Ed25519 signs deterministically, the hash covers the plaintext).
check "x25519 header as upstream" sh -c "cmp -s -n 512 x.bin '$V/signed-ed25519-enc-x25519.bin'"
check "x25519 hash+sig as upstream" sh -c "tail -c 228 x.bin | head -c 144 > a && tail -c 228 '$V/signed-ed25519-enc-x25519.bin' | head -c 144 | cmp -s - a"
# The body is not the plaintext.
check "body encrypted" sh -c "! tail -c +513 x.bin | head -c 102400 | cmp -s - '$V/input.bin'"

# The other key exchanges and key sizes.
"$T" keygen -k rsa.pem -t rsa-2048
check "sign -E rsa" "$T" sign -k rsa.pem $ARGS -E rsa.pem "$V/input.bin" r.bin
check "rsa has ENC_RSA2048 of 256 bytes" sh -c "'$T' dumpinfo r.bin | grep -A1 'type: ENCRSA2048 (0x30)' | grep -q 'len:  0x100'"
head -c 16 /dev/urandom > kek16.bin
head -c 32 /dev/urandom > kek32.bin
check "sign -E kw" "$T" sign -k "$V/key-ed25519.pem" $ARGS -E kek16.bin "$V/input.bin" kw.bin
check "kw has ENC_KW of 24 bytes" sh -c "'$T' dumpinfo kw.bin | grep -A1 'type: ENCKW (0x31)' | grep -q 'len:  0x18'"
check "sign -E kw 256" "$T" sign -k "$V/key-ed25519.pem" $ARGS -E kek32.bin --encrypt-keylen 256 "$V/input.bin" kw2.bin
check "kw 256 has ENC_KW of 40 bytes" sh -c "'$T' dumpinfo kw2.bin | grep -A1 'type: ENCKW (0x31)' | grep -q 'len:  0x28'"
check "keylen 256 flag" sh -c "'$T' dumpinfo kw2.bin | grep -qx 'flags:              ENCRYPTED_AES256 (0x8)'"
check "sign -E x25519 256" "$T" sign -k "$V/key-ed25519.pem" $ARGS -E "$V/key-x25519.pem" --encrypt-keylen 256 "$V/input.bin" x2.bin
check "x25519 256 has 96-byte TLV" sh -c "'$T' dumpinfo x2.bin | grep -A1 'type: ENCX25519 (0x33)' | grep -q 'len:  0x60'"
check "unsigned -E" "$T" sign $ARGS -E "$V/encpub-ecdsa-p256.pem" "$V/input.bin" u.bin

# A body that is not a multiple of 16 is padded with the erased value (the header counts it).
head -c 1000 "$V/input.bin" > odd.bin
check "sign -E odd size" "$T" sign $ARGS -E "$V/pub-x25519.pem" odd.bin odd-e.bin
check "odd size padded" sh -c "'$T' dumpinfo odd-e.bin | grep -qx 'img_size:           0x3f0'"

# --clear: flagged and keyed as encrypted, body left as it was.
check "sign --clear" "$T" sign -k "$V/key-ed25519.pem" $ARGS -E "$V/pub-x25519.pem" --clear "$V/input.bin" c.bin
check "clear body" sh -c "tail -c +513 c.bin | head -c 102400 | cmp -s - '$V/input.bin'"
check "clear flag" sh -c "'$T' dumpinfo c.bin | grep -qx 'flags:              ENCRYPTED_AES128 (0x4)'"
check "clear key TLV" sh -c "'$T' dumpinfo c.bin | grep -q 'type: ENCX25519 (0x33)'"

# --pad: the trailer leaves room for the two key fields.
check "sign -E --pad" "$T" sign -k "$V/key-ed25519.pem" $ARGS -E "$V/pub-x25519.pem" --pad "$V/input.bin" p.bin
check "padded to the slot" test "$(wc -c < p.bin)" -eq $((0x60000))

# verify --enckey: upstream's images and ours decrypt and verify on their plaintext.
for c in "signed-ecdsa-p256-enc-ec256.bin enckey-ecdsa-p256.pem pub-ecdsa-p256.pem" \
         "signed-ed25519-enc-x25519.bin key-x25519.pem pub-ed25519.pem"; do
    set -- $c
    check "verify --enckey $1" sh -c "'$T' verify -k '$V/$3' --enckey '$V/$2' '$V/$1' | head -1 | grep -qx 'Image was correctly validated'"
done
check "verify --enckey digest" sh -c "'$T' verify --enckey '$V/key-x25519.pem' '$V/signed-ed25519-enc-x25519.bin' | sed -n 3p | grep -qx 'Image digest: 32eb7b8d47f0d252affd824503fb0a1168d5dc43a97a861b4478bd1bf10b2b88'"
check "verify ours ec256" sh -c "'$T' verify -k '$V/pub-ecdsa-p256.pem' --enckey '$V/enckey-ecdsa-p256.pem' ec.bin >/dev/null"
check "verify ours x25519" sh -c "'$T' verify -k '$V/pub-ed25519.pem' --enckey '$V/key-x25519.pem' x.bin >/dev/null"
check "verify ours x25519 256" sh -c "'$T' verify --enckey '$V/key-x25519.pem' x2.bin >/dev/null"
check "verify ours rsa" sh -c "'$T' verify -k rsa.pem --enckey rsa.pem r.bin >/dev/null"
check "verify ours kw" sh -c "'$T' verify --enckey kek16.bin kw.bin >/dev/null"
check "verify ours kw 256" sh -c "'$T' verify --enckey kek32.bin kw2.bin >/dev/null"
check "verify ours padded" sh -c "'$T' verify --enckey '$V/key-x25519.pem' p.bin >/dev/null"
check "verify ours odd size" sh -c "'$T' verify --enckey '$V/key-x25519.pem' odd-e.bin >/dev/null"
check "sign -E hex, verify --enckey" sh -c "'$T' sign -k '$V/key-ecdsa-p256.pem' $ARGS -x 0x10000 -E '$V/encpub-ecdsa-p256.pem' --pad '$V/input.bin' o.hex && '$T' verify -k '$V/pub-ecdsa-p256.pem' --enckey '$V/enckey-ecdsa-p256.pem' o.hex >/dev/null"
# Without the key: refused (exit 1, as upstream's verify fails on an encrypted image's hash),
# saying why.
must_fail "verify without --enckey" "" "$T" verify -k "$V/pub-ed25519.pem" "$V/signed-ed25519-enc-x25519.bin"
says "verify without --enckey text" "imgtool: $V/signed-ed25519-enc-x25519.bin: encrypted image: its hash covers the plaintext, so it cannot be checked without the device's decryption key (give it with --enckey)"
"$T" keygen -k other-x.pem -t x25519
must_fail "verify wrong key" "" "$T" verify --enckey other-x.pem x.bin
says "verify wrong key text" "imgtool: x.bin: the image's AES key does not unwrap with this key (ENC_X25519): it was encrypted for another key"
must_fail "verify wrong kind" "" "$T" verify --enckey "$V/enckey-ecdsa-p256.pem" x.bin
says "verify wrong kind text" "imgtool: x.bin: the image has no ENC_EC256 key TLV: it was encrypted for another kind of key"
must_fail "verify public enckey" "" "$T" verify --enckey "$V/pub-x25519.pem" x.bin
says "verify public enckey text" "imgtool: $V/pub-x25519.pem: --enckey needs the device's private ecdsa-p256, x25519 or rsa-2048 key, or its raw AES key"
must_fail "verify wrong kek" "" "$T" verify --enckey kek32.bin kw.bin
cp x.bin flip.bin
byte=$(od -An -tu1 -j 5000 -N 1 flip.bin | tr -d ' ')
# shellcheck disable=SC2059
printf "\\$(printf '%03o' $(((byte + 1) % 256)))" | dd of=flip.bin bs=1 seek=5000 conv=notrunc 2>/dev/null
check "byte flipped" sh -c "! cmp -s x.bin flip.bin"
must_fail "verify flipped byte" "" "$T" verify -k "$V/pub-ed25519.pem" --enckey "$V/key-x25519.pem" flip.bin
says "verify flipped byte text" "imgtool: flip.bin: the decrypted image's hash or signature does not verify (damaged ciphertext, or not signed by this key)"
must_fail "verify missing enckey" "" "$T" verify --enckey nonexistent.pem x.bin

# dumpinfo shows an encrypted image as upstream does: flag, key TLV, trailer key fields.
check "dumpinfo enc flag" sh -c "'$T' dumpinfo '$V/signed-ecdsa-p256-enc-ec256.bin' | grep -qx 'flags:              ENCRYPTED_AES128 (0x4)'"
check "dumpinfo enc tlv" sh -c "'$T' dumpinfo '$V/signed-ecdsa-p256-enc-ec256.bin' | grep -q 'type: ENCEC256 (0x32)'"
check "dumpinfo enc keys" sh -c "'$T' dumpinfo p.bin | grep -q '^enc. keys:   (len: '"

# Failures: one line, non-zero exit, no output file.
must_fail "ed25519 cannot encrypt" o1.bin "$T" sign $ARGS -E "$V/pub-ed25519.pem" "$V/input.bin" o1.bin
says "ed25519 cannot encrypt text" "imgtool: ed25519 keys cannot encrypt images (-E takes an ecdsa-p256, x25519 or rsa-2048 key, or a raw 16- or 32-byte AES key)"
must_fail "mixed families" o2.bin "$T" sign -k "$V/key-ecdsa-p256.pem" $ARGS -E "$V/pub-x25519.pem" "$V/input.bin" o2.bin
says "mixed families text" "imgtool: Signing and encryption must use the same type of key"
head -c 20 /dev/urandom > kek20.bin
must_fail "raw key of 20 bytes" o3.bin "$T" sign $ARGS -E kek20.bin "$V/input.bin" o3.bin
says "raw key text" "imgtool: kek20.bin: neither a PEM key nor a raw 16- or 32-byte AES key (20 bytes)"
must_fail "missing enc key" o4.bin "$T" sign $ARGS -E nonexistent.pem "$V/input.bin" o4.bin
must_fail "bad keylen" o5.bin "$T" sign $ARGS -E "$V/pub-x25519.pem" --encrypt-keylen 192 "$V/input.bin" o5.bin
says "bad keylen text" "imgtool: invalid --encrypt-keylen '192' (128, 256)"
must_fail "rsa-3072 cannot encrypt" o6.bin "$T" sign $ARGS -E "$V/key-rsa-3072.pem" "$V/input.bin" o6.bin
must_fail "p384 signer" o7.bin "$T" sign -k "$V/key-ecdsa-p384.pem" $ARGS -E "$V/encpub-ecdsa-p256.pem" "$V/input.bin" o7.bin
# The key fields make the trailer larger: an image that fits without -E does not with it.
must_fail "trailer with keys" o8.bin "$T" sign $ARGS -E "$V/pub-x25519.pem" --slot-size 0x19ec0 "$V/input.bin" o8.bin
says "trailer with keys text" "imgtool: Image size (0x1927c) + trailer (0xc50) exceeds requested size 0x19ec0"

echo "$pass passed, $failed failed"
[ "$failed" -eq 0 ]
