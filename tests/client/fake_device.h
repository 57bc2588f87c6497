/* A tiny in-process SMP responder for the client tests: a thread answering over a UDP socket
 * on loopback or over the master side of a pseudo-terminal (console framing). It implements
 * mcumgr params, echo, reset, image state and Zephyr's image upload semantics (resume by sha,
 * answer a wrong offset with the expected one), can drop or duplicate packets on purpose, keeps
 * the last other request and answers it with a canned reply. */
#ifndef CLIENT_FAKE_DEVICE_H
#define CLIENT_FAKE_DEVICE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FAKE_IMAGE_MAX (512u * 1024u)

struct fake_device {
    /* configuration, set before fake_start() */
    uint32_t buf_size, buf_count;
    bool no_params;          /* answer 0/0/6 with ENOTSUP */
    unsigned drop_reads;     /* the first this many read requests get no reply (lost) */
    unsigned reads_in;       /* read requests received */
    unsigned drop_req_every; /* ignore every Nth upload request (not processed, no reply) */
    unsigned drop_rsp_every; /* process every Nth upload request but send no reply */
    unsigned dup_rsp_every;  /* send every Nth upload reply twice */
    unsigned reorder_every;  /* hold every Nth upload reply and send it after the next one */
    int fail_at_off;         /* >= 0: answer the chunk at this offset with an image error */
    int fail_rc;
    unsigned mute_after;     /* > 0: ignore every upload request after this many (link lost) */
    unsigned drop_req_once;  /* > 0: ignore this (1-based) upload request, once */
    unsigned drop_req_run;   /* with drop_req_once: this many in a row from there (0: one) */
    unsigned drop_rsp_once;  /* > 0: process this (1-based) upload request, send no reply */
    /* UDP: upload datagram N (1-based, counted as they arrive) comes twice / is overtaken by
     * the next one (it is handled right after it) */
    unsigned dup_req_once, reorder_req_once;
    unsigned reorder_req_again; /* a second datagram overtaken by the next one */
    /* serial: a chunk reaching into a new 4 KiB page is answered after page_delay_ms (an
     * erase); pages_followed counts those (at offsets >= page_count_from) behind which more
     * requests had already arrived by then (the client did not wait for the answer) */
    unsigned page_delay_ms;
    uint32_t page_count_from;
    bool erase_deaf;         /* input that arrives during that delay is lost (whole erase) */
    bool serial;
    bool revert_on_boot;     /* a tested image "crashes": the reset after marking reverts it */
    /* any request the fake does not model is answered with this CBOR body (empty: rc 8) */
    uint8_t canned[512];
    size_t canned_len;
    bool refuse_on_boot;     /* the bootloader rejects a pending image: slot 1 is erased */
    unsigned drop_larger;    /* > 0: requests longer than this (SMP bytes) get no reply: a
                              * serial path that holds less than the SMP buffers */
    unsigned first_delay_ms; /* a fresh first chunk is answered this late (whole-slot erase);
                              * requests arriving meanwhile wait */
    unsigned first_short;    /* the first chunk's answer is this many bytes short (rounded
                              * down to a write alignment, as MCUboot serial recovery does) */
    bool forget_upload;      /* a finished upload's slot is gone (another client erased it) */
    bool no_match, bad_match; /* the last answer lacks "match" / says false */
    bool mute_all;           /* the first upload request hangs the device: nothing answers */
    bool busy;               /* uploads refused with MGMT_ERR_EBUSY (another peer's upload) */
    bool slot_info;          /* answer image slot-info (2/1/6) */
    uint32_t slot_size, max_image_size;
    bool has_list_hash;      /* after an upload, slot 1 lists list_hash (an image's hash TLV, */
    uint8_t list_hash[32];   /* or another client's image) instead of the data's SHA-256 */

    /* image state model: slot 0 runs, slot 1 receives uploads (hash = SHA-256 of the data) */
    struct {
        bool present, pending, permanent, confirmed;
        uint8_t hash[32];
        char version[16];
    } slot[2];
    unsigned resets;

    /* state */
    int fd;                  /* UDP socket or pty master */
    int hold_fd;
    char pty_path[128];
    uint16_t port;
    pthread_t thread;
    volatile bool stop;
    uint8_t image[FAKE_IMAGE_MAX];
    uint32_t img_len, img_off;
    uint8_t sha[32];
    bool in_progress;
    unsigned upload_reqs, mismatches, max_pkt_seen, max_outstanding;
    unsigned empty_chunks;   /* upload requests handled with no data (the client's probes) */
    bool empty_at_zero;      /* one of them at offset 0 */
    uint8_t last_req[2048];  /* the last request other than an upload chunk, header included */
    size_t last_req_len;
    unsigned dropped_large, first_chunks, max_pkt_handled;
    bool deaf;
    uint8_t held[2048];
    size_t held_len;
    unsigned upload_in;
    uint8_t req_held[4096];
    size_t req_held_len;
    unsigned nreq;
    bool erasing;            /* the request just handled opened a new page */
    bool erasing_counted;
    unsigned pages_crossed, pages_followed, erase_losses;
    unsigned pages_followed_two; /* of those, pages with two requests or more waiting behind */
    /* serial: console lines as received */
    size_t line_len, frame_min, frame_max, line_spread;
    uint8_t line_first;
    unsigned multi_line_frames;
};

/* Starts the responder thread on UDP 127.0.0.1:<ephemeral> or on a new pty. */
int fake_start(struct fake_device *d, bool serial);
void fake_stop(struct fake_device *d);
/* Defaults: buf_size 2048 (UDP) / 384 (serial), buf_count 4, no faults. */
void fake_defaults(struct fake_device *d);

#endif
