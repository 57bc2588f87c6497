/* Test bench for the SMP server: a RAM flash with two 64 KiB slots, a fake board port (clock,
 * reset veto, threads, pools, OS strings, bootloader), the OS and image groups registered, and
 * helpers to send a request and look into the response. One instance per test program. */
#ifndef DFUKIT_TESTS_SERVER_FIXTURE_H
#define DFUKIT_TESTS_SERVER_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dfukit/boot.h"
#include "dfukit/image.h"
#include "dfukit/server.h"
#include "ramflash.h"

#define FX_SECTOR 4096u
#define FX_SLOT (16u * FX_SECTOR)
#define FX_FLASH (4u * FX_SLOT)   /* slots 0, 1 (image 0) and 2, 3 (image 1) */

struct fx {
    uint8_t mem[FX_FLASH];
    struct ramflash rf;
    struct flash_area pri, sec;
    struct flash_area pri1, sec1;    /* image 1 (fx_setup_multi) */
    struct boot_image_pair pairs[2];
    struct server_port port;
    struct smp_server srv;
    /* last exchange */
    uint8_t req[4096];
    uint8_t rsp[8192];
    int rsp_len;
    struct smp_hdr rh;          /* header of the first response */
    /* fake board */
    bool rtc_set;
    bool rtc_broken;
    struct server_datetime rtc;
    int reset_veto;             /* what reset_request returns unless forced */
    unsigned reset_calls;
    bool reset_force;
    uint32_t now_ms;            /* the port's uptime clock */
    struct smp_peer peer;       /* who sends the next requests (zero: the default peer) */
};

extern struct fx fx;

/* Fresh erased flash with the given write alignment, server with cfg (NULL: defaults). */
void fx_setup(uint32_t align, const struct server_config *cfg);

/* The same with two image pairs: image 0 in slots 0 and 1, image 1 in slots 2 and 3. */
void fx_setup_multi(uint32_t align, const struct server_config *cfg);

/* Feeds raw bytes to server_process_from(fx.peer); returns its result and decodes the first response
 * header into fx.rh when there is one. */
int fx_raw(const uint8_t *req, size_t len);

/* The payload encoder for the next fx_send (reset each call). */
struct smp_cbor_enc *fx_payload(void);
/* Sends header(ver, op, group, id, seq 0x42) + the fx_payload() bytes; checks that the
 * response header echoes group/id/seq with the response op and version min(ver, 1). */
void fx_send(uint8_t ver, uint8_t op, uint16_t group, uint8_t id);
/* Same with an explicit payload. */
void fx_send_bytes(uint8_t ver, uint8_t op, uint16_t group, uint8_t id, const uint8_t *p,
                   size_t n);

/* Response inspection (top-level keys of the first response map). */
bool fx_find(const char *key, struct smp_cbor_dec *value);
uint64_t fx_uint(const char *key);
bool fx_bool(const char *key);
/* The top-level "rc" (0 when absent). */
int fx_rc(void);
/* Asserts a v2 error {"err": {"group": g, "rc": rc}}. */
void fx_expect_err(uint16_t group, uint16_t rc);
/* Asserts the whole response payload is {"rc": rc}. */
void fx_expect_rc_only(int rc);
/* Asserts the response payload is exactly these bytes. */
void fx_expect_payload(const uint8_t *p, size_t n);

/* Builds a signed-less MCUboot image (hash TLV only) of body_len bytes into out; returns its
 * length. */
size_t fx_make_image(uint8_t *out, size_t cap, uint8_t major, uint8_t minor, uint16_t rev,
                     uint32_t build, uint32_t body_len, uint8_t seed, bool non_bootable);
/* The SHA256 TLV value (the image hash mcumgr reports) of an image made by fx_make_image. */
void fx_image_hash(const uint8_t *img, uint8_t out[32]);
/* Programs bytes into a slot (0..3) directly, as a probe would. */
void fx_put(unsigned slot, uint32_t off, const uint8_t *data, size_t len);
/* True when a slot (0..3) is all erased bytes. */
bool fx_slot_blank(unsigned slot);
/* One image upload request (v ver): {"image", ("len", ("sha"), ("upgrade") when first), "off",
 * "data"}; sha NULL and upgrade < 0 leave those keys out. */
void fx_upload(uint8_t ver, uint32_t image, uint64_t len, uint64_t off, const uint8_t *data,
               size_t n, bool first, const uint8_t *sha, size_t sha_len, int upgrade);
/* Trailer states as the bootloader leaves them. */
void fx_trailer_magic(unsigned slot);
void fx_trailer_flag(unsigned slot, bool image_ok, bool copy_done);
/* A peer identity: link and one address byte. */
struct smp_peer fx_peer(uint8_t link, uint8_t addr);

/* Hex text (whitespace ignored) to bytes; returns the count. */
size_t fx_hex(const char *hex, uint8_t *out, size_t cap);

#endif
