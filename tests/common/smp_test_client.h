/* A small synchronous SMP client for end-to-end tests, built from the SMP core (header, CBOR
 * helpers), the serial console codec and host I/O: one request at a time, matched by sequence
 * number, retried on timeout. The real client is `mcumgr`; this one only has to be obviously
 * right. */
#ifndef DFUKIT_TESTS_SMP_TEST_CLIENT_H
#define DFUKIT_TESTS_SMP_TEST_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dfukit/serial_frame.h"
#include "dfukit/smp.h"

#define SMP_TC_BUF 4096

struct smp_tc {
    int fd;
    bool serial;
    bool raw;               /* serial without console framing (devsim --raw-serial) */
    uint8_t seq;
    uint8_t version;        /* enum smp_version used for requests (default v1, as Go mcumgr) */
    int timeout_ms;         /* per try */
    int tries;
    uint32_t pkt_max;       /* largest request packet (header included) */
    struct serial_deframer df;
    struct raw_deframer rawdf;
    uint8_t dfbuf[SMP_TC_BUF];
    struct smp_hdr rsp_hdr; /* the last response */
    uint8_t rsp[SMP_TC_BUF];
    size_t rsp_len;
    uint32_t timeouts;      /* tries that timed out, over the session */
};

/* Opens a serial port (a devsim pty) or a UDP peer ("127.0.0.1:1337", "[::1]:1337"). */
int smp_tc_open_serial(struct smp_tc *c, const char *path);
/* Raw binary SMP on a serial port (no base64, CRC or markers). */
int smp_tc_open_serial_raw(struct smp_tc *c, const char *path);
int smp_tc_open_udp(struct smp_tc *c, const char *addr);
void smp_tc_close(struct smp_tc *c);

/* Sends one request and waits for its response (same seq); the CBOR payload lands in c->rsp.
 * DFU_ETIMEDOUT after c->tries tries. */
int smp_tc_request(struct smp_tc *c, uint8_t op, uint16_t group, uint8_t id, const uint8_t *cbor,
                   size_t len);
/* The two halves of a request, for tests that pipeline: send (the sequence number used goes
 * to *seq), and wait up to timeout_ms for any response (c->rsp_hdr, c->rsp): 0 or
 * DFU_ETIMEDOUT. */
int smp_tc_send(struct smp_tc *c, uint8_t op, uint16_t group, uint8_t id, const uint8_t *cbor,
                size_t len, uint8_t *seq);
int smp_tc_recv(struct smp_tc *c, int timeout_ms);
/* The result in the last response: "rc" (v1) or err.rc (v2), 0 when absent. */
int smp_tc_rc(const struct smp_tc *c);

int smp_tc_echo(struct smp_tc *c, const char *text, char *out, size_t cap);
/* MCUmgr parameters (0/0/6); sets pkt_max from them. */
int smp_tc_params(struct smp_tc *c, uint32_t *buf_size, uint32_t *buf_count);

struct smp_tc_image {
    uint32_t slot;
    char version[32];
    uint8_t hash[32];
    bool bootable, pending, confirmed, active, permanent;
};

int smp_tc_image_list(struct smp_tc *c, struct smp_tc_image *out, size_t max, size_t *count);
/* Uploads a whole image, continuing from the offset the device returns. Returns 0, the
 * device's rc (> 0) or a negative error. */
int smp_tc_image_upload(struct smp_tc *c, const uint8_t *img, size_t len);
/* State write: test (confirm false) or confirm; hash NULL confirms the running image. */
int smp_tc_image_state_write(struct smp_tc *c, const uint8_t *hash, bool confirm);
int smp_tc_reset(struct smp_tc *c);

/* The slot entry of a list, or NULL. */
const struct smp_tc_image *smp_tc_find_slot(const struct smp_tc_image *list, size_t count,
                                            uint32_t slot);

#endif
