/* End to end through devsim, for the server's upload safety and the serial path's limits:
 * an upload belongs to its peer (serial vs UDP, two UDP source ports), an image larger than
 * the bootloader's room is refused at the first chunk and slot info reports that room, the FS
 * group is bounded by --fs-size (default: the storage partition), the first chunk erases the
 * image's sectors unless --erase-progressively, --serial-max-packet drops longer packets
 * (logged), --serial-unpaced, and the dropped-line log names its cause. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dfukit/err.h"
#include "dfukit/smp_cbor.h"
#include "e2e_steps.h"
#include "harness.h"
#include "smp_test_client.h"

static struct board B;

static int teardown(void **state)
{
    (void)state;
    board_kill(&B);
    return 0;
}

static const uint8_t busy_rsp[] = { 0xa1, 0x62, 'r', 'c', 0x0a };  /* {"rc": 10} */

/* The first upload chunk of img with total length len (sha: the whole file's, may be NULL). */
static int first_chunk(struct smp_tc *c, const uint8_t *img, size_t n, uint64_t len)
{
    uint8_t req[1024];
    struct smp_cbor_enc e;
    smp_cbor_enc_init(&e, req, sizeof req);
    smp_cbor_put_map(&e, 4);
    smp_cbor_put_kv_uint(&e, "image", 0);
    smp_cbor_put_kv_uint(&e, "len", len);
    smp_cbor_put_kv_uint(&e, "off", 0);
    smp_cbor_put_kv_bstr(&e, "data", img, n);
    assert_int_equal(smp_cbor_enc_error(&e), 0);
    return smp_tc_request(c, SMP_OP_WRITE, SMP_GROUP_IMAGE, IMG_ID_UPLOAD, req, e.len);
}

static int next_chunk(struct smp_tc *c, const uint8_t *data, size_t n, uint64_t off)
{
    uint8_t req[1024];
    struct smp_cbor_enc e;
    smp_cbor_enc_init(&e, req, sizeof req);
    smp_cbor_put_map(&e, 2);
    smp_cbor_put_kv_uint(&e, "off", off);
    smp_cbor_put_kv_bstr(&e, "data", data, n);
    assert_int_equal(smp_cbor_enc_error(&e), 0);
    return smp_tc_request(c, SMP_OP_WRITE, SMP_GROUP_IMAGE, IMG_ID_UPLOAD, req, e.len);
}

static uint64_t rsp_uint(const struct smp_tc *c, const char *key)
{
    struct smp_cbor_dec d;
    smp_cbor_dec_init(&d, c->rsp, c->rsp_len);
    uint64_t v = UINT64_MAX;
    struct smp_cbor_map_entry e[] = { { .key = key, .decode = smp_cbor_dec_uint64, .out = &v } };
    assert_int_equal(smp_cbor_decode_map(&d, e, 1), 0);
    return v;
}

static void expect_busy(const struct smp_tc *c)
{
    assert_int_equal(c->rsp_len, sizeof busy_rsp);
    assert_memory_equal(c->rsp, busy_rsp, sizeof busy_rsp);
}

static void start_board(const char *name, const char *const extra[], char *v1, size_t cap)
{
    board_init(&B, name);
    assert_int_equal(make_signed_app(&B, "v1", "1.0.0", "normal", v1, cap), 0);
    assert_int_equal(flash_image(&B, v1, 0), 0);
    assert_int_equal(board_start(&B, extra), 0);
    board_assert_logged(&B, "app: running 1.0.0", 1);
}

/* Serial starts an upload: UDP gets EBUSY for offset 0 and for the expected offset, on v1
 * and v2; a second UDP socket (another source port) is another peer too; the serial client
 * completes; then anyone may upload. */
static void upload_belongs_to_its_peer(void **state)
{
    (void)state;
    char v1[H_PATH], v2[H_PATH];
    const char *extra[] = { "--no-timing", NULL };
    start_board("server-peer", extra, v1, sizeof v1);
    assert_int_equal(make_signed_app(&B, "v2", "1.1.0", "normal", v2, sizeof v2), 0);
    size_t len;
    uint8_t *img = read_whole(v2, &len);
    assert_non_null(img);

    struct smp_tc ser, udp_a, udp_b;
    assert_int_equal(smp_tc_open_serial(&ser, B.link), 0);
    assert_int_equal(smp_tc_open_udp(&udp_a, B.udp), 0);
    assert_int_equal(smp_tc_open_udp(&udp_b, B.udp), 0);
    udp_a.version = SMP_V2;
    assert_int_equal(first_chunk(&ser, img, 200, len), 0);
    assert_int_equal(rsp_uint(&ser, "off"), 200);

    assert_int_equal(first_chunk(&udp_a, img, 200, len), 0);
    expect_busy(&udp_a);
    assert_int_equal(next_chunk(&udp_a, img + 200, 200, 200), 0);
    expect_busy(&udp_a);
    assert_int_equal(next_chunk(&udp_b, img + 200, 200, 200), 0);  /* v1 */
    expect_busy(&udp_b);

    /* the owner goes on from where it was */
    for (size_t off = 200; off < len;) {
        size_t n = len - off < 200 ? len - off : 200;
        assert_int_equal(next_chunk(&ser, img + off, n, off), 0);
        off += n;
        assert_int_equal(rsp_uint(&ser, "off"), off);
    }
    struct smp_tc_image list[4];
    size_t count;
    assert_int_equal(smp_tc_image_list(&ser, list, 4, &count), 0);
    const struct smp_tc_image *s1 = smp_tc_find_slot(list, count, 1);
    assert_non_null(s1);
    uint8_t h2[32];
    assert_int_equal(image_hash_of(img, len, h2), 0);
    assert_memory_equal(s1->hash, h2, 32);

    /* done: the owner keeps its claim on the slot for the idle time, so a peer that missed
     * the race cannot replace the image just reported uploaded; an image erase frees it, and
     * then one UDP peer starts its own upload while the other is refused */
    assert_int_equal(first_chunk(&udp_b, img, 300, len), 0);
    expect_busy(&udp_b);
    assert_int_equal(smp_tc_request(&udp_b, SMP_OP_WRITE, SMP_GROUP_IMAGE, IMG_ID_ERASE,
                                     (const uint8_t *)"\xa0", 1), 0);
    assert_int_equal(smp_tc_rc(&udp_b), 0);
    assert_int_equal(first_chunk(&udp_b, img, 300, len), 0);
    assert_int_equal(rsp_uint(&udp_b, "off"), 300);
    assert_int_equal(first_chunk(&udp_a, img, 300, len), 0);
    expect_busy(&udp_a);
    free(img);
    smp_tc_close(&ser);
    smp_tc_close(&udp_a);
    smp_tc_close(&udp_b);
    assert_int_equal(board_stop(&B), 0);
}

/* nRF52840 DK, slot 0x67000, write alignment 4: the trailer takes 3 x 128 x 4 + 4 x 8 + 16 =
 * 1584 bytes, so the room is 420304 bytes (swap-scratch); swap-move leaves the sector below the
 * trailer's free too: 0x67000 - 2 x 4096 = 413696. */
static void too_large_refused_at_first_chunk(void **state)
{
    (void)state;
    char v1[H_PATH];
    const char *extra[] = { "--no-timing", NULL };
    start_board("server-large", extra, v1, sizeof v1);
    size_t len;
    uint8_t *img = read_whole(v1, &len);
    assert_non_null(img);
    struct smp_tc c;
    assert_int_equal(smp_tc_open_udp(&c, B.udp), 0);
    c.version = SMP_V2;
    assert_int_equal(smp_tc_request(&c, SMP_OP_READ, SMP_GROUP_IMAGE, 6, (const uint8_t *)"\xa0", 1), 0);
    /* ... "max_image_size": 420304 at the end of the one image entry */
    const uint8_t tail[] = { 'm', 'a', 'x', '_', 'i', 'm', 'a', 'g', 'e', '_', 's', 'i', 'z', 'e',
                             0x1a, 0x00, 0x06, 0x69, 0xd0 };
    assert_true(c.rsp_len >= sizeof tail);
    assert_memory_equal(c.rsp + c.rsp_len - sizeof tail, tail, sizeof tail);

    assert_int_equal(first_chunk(&c, img, 200, 420305), 0);
    assert_int_equal(smp_tc_rc(&c), 30);  /* INVALID_IMAGE_TOO_LARGE */
    assert_int_equal(first_chunk(&c, img, 200, 420304), 0);
    assert_int_equal(rsp_uint(&c, "off"), 200);
    smp_tc_close(&c);
    assert_int_equal(board_stop(&B), 0);

    const char *move[] = { "--no-timing", "--strategy", "swap-move", NULL };
    assert_int_equal(board_start(&B, move), 0);
    board_assert_logged(&B, "app: running 1.0.0", 2);
    assert_int_equal(smp_tc_open_udp(&c, B.udp), 0);
    c.version = SMP_V2;
    assert_int_equal(first_chunk(&c, img, 200, 413697), 0);
    assert_int_equal(smp_tc_rc(&c), 30);
    assert_int_equal(first_chunk(&c, img, 200, 413696), 0);
    assert_int_equal(rsp_uint(&c, "off"), 200);
    free(img);
    smp_tc_close(&c);
    assert_int_equal(board_stop(&B), 0);
}

static int fs_upload_first(struct smp_tc *c, const char *name, const uint8_t *data, size_t n,
                           uint64_t len)
{
    uint8_t req[1024];
    struct smp_cbor_enc e;
    smp_cbor_enc_init(&e, req, sizeof req);
    smp_cbor_put_map(&e, 4);
    smp_cbor_put_kv_tstr(&e, "name", name);
    smp_cbor_put_kv_uint(&e, "off", 0);
    smp_cbor_put_kv_bstr(&e, "data", data, n);
    smp_cbor_put_kv_uint(&e, "len", len);
    assert_int_equal(smp_cbor_enc_error(&e), 0);
    return smp_tc_request(c, SMP_OP_WRITE, SMP_GROUP_FS, 0, req, e.len);
}

/* The FS holds the storage partition's 32 KiB by default, --fs-size bytes when given: an
 * upload past it is refused (FILE_WRITE_FAILED, 10) and leaves no file behind. */
static void fs_bounded(void **state)
{
    (void)state;
    char v1[H_PATH], root[H_PATH], path[H_PATH + 32];
    board_init(&B, "server-fs");
    board_path(&B, "fs", root, sizeof root);
    /* what an earlier run left (board_init keeps unknown files) */
    snprintf(path, sizeof path, "%s/lfs1/big.bin", root);
    unlink(path);
    snprintf(path, sizeof path, "%s/lfs1/b.bin", root);
    unlink(path);
    assert_int_equal(make_signed_app(&B, "v1", "1.0.0", "normal", v1, sizeof v1), 0);
    assert_int_equal(flash_image(&B, v1, 0), 0);
    const char *extra[] = { "--no-timing", "--fs-root", root, NULL };
    assert_int_equal(board_start(&B, extra), 0);
    board_assert_logged(&B, "app: running 1.0.0", 1);
    struct smp_tc c;
    assert_int_equal(smp_tc_open_udp(&c, B.udp), 0);
    c.version = SMP_V2;
    uint8_t data[256];
    memset(data, 'd', sizeof data);
    assert_int_equal(fs_upload_first(&c, "/lfs1/big.bin", data, sizeof data, 32769), 0);
    assert_int_equal(smp_tc_rc(&c), 10);
    snprintf(path, sizeof path, "%s/lfs1/big.bin", root);
    struct stat st;
    assert_int_not_equal(stat(path, &st), 0);
    assert_int_equal(fs_upload_first(&c, "/lfs1/big.bin", data, sizeof data, 32768), 0);
    assert_int_equal(smp_tc_rc(&c), 0);
    assert_int_equal(rsp_uint(&c, "off"), sizeof data);
    smp_tc_close(&c);
    assert_int_equal(board_stop(&B), 0);

    unlink(path);
    const char *small[] = { "--no-timing", "--fs-root", root, "--fs-size", "1000", NULL };
    assert_int_equal(board_start(&B, small), 0);
    board_assert_logged(&B, "app: running 1.0.0", 2);
    assert_int_equal(smp_tc_open_udp(&c, B.udp), 0);
    c.version = SMP_V2;
    assert_int_equal(fs_upload_first(&c, "/lfs1/b.bin", data, sizeof data, 1001), 0);
    assert_int_equal(smp_tc_rc(&c), 10);
    snprintf(path, sizeof path, "%s/lfs1/b.bin", root);
    assert_int_not_equal(stat(path, &st), 0);
    assert_int_equal(fs_upload_first(&c, "/lfs1/b.bin", data, sizeof data, 1000), 0);
    assert_int_equal(rsp_uint(&c, "off"), sizeof data);
    smp_tc_close(&c);
    assert_int_equal(board_stop(&B), 0);
    unlink(path);
}

/* The first chunk of an upload erases, by default, every sector the image will take and the
 * trailer's before it is answered (seconds on an nRF52840 for a large image: 85 ms a page);
 * with --erase-progressively only the sector it writes and the trailer's. Counted by the
 * "smp" stat group's img_sectors_erased. */
/* Decodes the stat read's "fields" map into its img_sectors_erased. */
static int dec_sectors_field(struct smp_cbor_dec *d, void *out)
{
    struct smp_cbor_map_entry f[] = {
        { .key = "img_sectors_erased", .decode = smp_cbor_dec_uint64, .out = out },
    };
    int rc = smp_cbor_decode_map(d, f, 1);
    return rc != 0 ? rc : f[0].found ? 0 : DFU_EINVAL;
}

static uint64_t sectors_erased(struct smp_tc *c)
{
    uint8_t req[32];
    struct smp_cbor_enc e;
    smp_cbor_enc_init(&e, req, sizeof req);
    smp_cbor_put_map(&e, 1);
    smp_cbor_put_kv_tstr(&e, "name", "smp");
    assert_int_equal(smp_tc_request(c, SMP_OP_READ, SMP_GROUP_STAT, 0, req, e.len), 0);
    struct smp_cbor_dec d;
    smp_cbor_dec_init(&d, c->rsp, c->rsp_len);
    uint64_t v = UINT64_MAX;
    struct smp_cbor_map_entry top[] = {
        { .key = "fields", .decode = dec_sectors_field, .out = &v },
    };
    assert_int_equal(smp_cbor_decode_map(&d, top, 1), 0);
    assert_true(top[0].found);
    return v;
}

static void erase_policy(void **state)
{
    (void)state;
    char v1[H_PATH];
    board_init(&B, "server-erase");
    assert_int_equal(make_signed_app(&B, "v1", "1.0.0", "normal", v1, sizeof v1), 0);
    assert_int_equal(flash_image(&B, v1, 0), 0);
    assert_int_equal(flash_image(&B, v1, 1), 0);  /* slot 1 not blank */
    uint8_t *img = NULL;
    size_t len;
    img = read_whole(v1, &len);
    assert_non_null(img);
    /* a 200 KiB image: 50 pages (the trailer's is blank, so not erased again), 50 x 85 ms =
     * 4.25 s before the first reply */
    const uint64_t big = 200u * 1024u;
    const char *timed[] = { NULL };
    assert_int_equal(board_start(&B, timed), 0);
    board_assert_logged(&B, "app: running 1.0.0", 1);
    struct smp_tc c;
    assert_int_equal(smp_tc_open_udp(&c, B.udp), 0);
    c.timeout_ms = 10000;
    c.tries = 1;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(first_chunk(&c, img, 200, big), 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    assert_int_equal(rsp_uint(&c, "off"), 200);
    long ms = (t1.tv_sec - t0.tv_sec) * 1000L + (t1.tv_nsec - t0.tv_nsec) / 1000000L;
    assert_true(ms >= 50 * 85);
    assert_int_equal(sectors_erased(&c), 50);
    smp_tc_close(&c);
    assert_int_equal(board_stop(&B), 0);

    const char *prog[] = { "--no-timing", "--erase-progressively", NULL };
    assert_int_equal(flash_image(&B, v1, 1), 0);
    assert_int_equal(board_start(&B, prog), 0);
    board_assert_logged(&B, "app: running 1.0.0", 2);
    assert_int_equal(smp_tc_open_udp(&c, B.udp), 0);
    assert_int_equal(first_chunk(&c, img, 200, big), 0);
    assert_int_equal(rsp_uint(&c, "off"), 200);
    assert_int_equal(sectors_erased(&c), 1);
    free(img);
    smp_tc_close(&c);
    assert_int_equal(board_stop(&B), 0);
}

/* --serial-max-packet: an echo packet longer than the limit gets no reply and is logged; one
 * within it is answered; UDP is not limited. */
static void serial_path_limit(void **state)
{
    (void)state;
    char v1[H_PATH];
    const char *extra[] = { "--no-timing", "--serial-max-packet", "100", NULL };
    start_board("server-maxpkt", extra, v1, sizeof v1);
    board_assert_logged(&B, "serial path max 100-byte SMP packets", 1);
    struct smp_tc c;
    assert_int_equal(smp_tc_open_serial(&c, B.link), 0);
    c.timeout_ms = 300;
    c.tries = 1;
    char text[201], out[256];
    memset(text, 'x', 200);
    text[200] = '\0';
    /* header 8 + map 1 + "d" 2 + text head 2 + 200 = 213 bytes */
    assert_int_equal(smp_tc_echo(&c, text, out, sizeof out), DFU_ETIMEDOUT);
    board_assert_logged(&B, "uart: SMP packet of 213 bytes over the serial path's 100-byte "
                            "limit, dropped (1 total)", 1);
    text[80] = '\0';  /* 93 bytes */
    c.timeout_ms = 2000;
    assert_int_equal(smp_tc_echo(&c, text, out, sizeof out), 0);
    assert_string_equal(out, text);
    smp_tc_close(&c);
    struct smp_tc u;
    assert_int_equal(smp_tc_open_udp(&u, B.udp), 0);
    text[80] = 'x';
    assert_int_equal(smp_tc_echo(&u, text, out, sizeof out), 0);
    smp_tc_close(&u);
    assert_int_equal(board_stop(&B), 0);
}

/* The dropped-line log names its cause: a line longer than the 128-byte line buffer. */
static void dropped_line_too_long(void **state)
{
    (void)state;
    char v1[H_PATH];
    const char *extra[] = { "--no-timing", NULL };
    start_board("server-longline", extra, v1, sizeof v1);
    int fd = open(B.link, O_RDWR | O_NOCTTY);
    assert_true(fd >= 0);
    char line[301];
    memset(line, 'z', 300);
    line[300] = '\n';
    assert_int_equal(write(fd, line, sizeof line), (ssize_t)sizeof line);
    board_assert_logged(&B, "uart: line longer than the 128-byte rx line buffer, 1 line(s) "
                            "dropped (1 total)", 1);
    close(fd);
    /* the port still serves */
    struct smp_tc c;
    assert_int_equal(smp_tc_open_serial(&c, B.link), 0);
    char out[16];
    assert_int_equal(smp_tc_echo(&c, "ok", out, sizeof out), 0);
    smp_tc_close(&c);
    assert_int_equal(board_stop(&B), 0);
}

/* ... and the line buffers full while an erase halts the CPU (timing on: the first upload
 * chunk erases, three echoes right behind it, the third finds both buffers taken). */
static void dropped_line_during_erase(void **state)
{
    (void)state;
    char v1[H_PATH];
    board_init(&B, "server-erasedrop");
    assert_int_equal(make_signed_app(&B, "v1", "1.0.0", "normal", v1, sizeof v1), 0);
    assert_int_equal(flash_image(&B, v1, 0), 0);
    assert_int_equal(flash_image(&B, v1, 1), 0);
    const char *extra[] = { NULL };
    assert_int_equal(board_start(&B, extra), 0);
    board_assert_logged(&B, "app: running 1.0.0", 1);
    size_t len;
    uint8_t *img = read_whole(v1, &len);
    assert_non_null(img);
    struct smp_tc c;
    assert_int_equal(smp_tc_open_serial(&c, B.link), 0);
    static uint8_t req[1024];
    struct smp_cbor_enc e;
    smp_cbor_enc_init(&e, req, sizeof req);
    smp_cbor_put_map(&e, 4);
    smp_cbor_put_kv_uint(&e, "image", 0);
    smp_cbor_put_kv_uint(&e, "len", len);
    smp_cbor_put_kv_uint(&e, "off", 0);
    smp_cbor_put_kv_bstr(&e, "data", img, 200);
    free(img);
    uint8_t seq;
    assert_int_equal(smp_tc_send(&c, SMP_OP_WRITE, SMP_GROUP_IMAGE, 1, req, e.len, &seq), 0);
    for (int i = 0; i < 3; i++) {
        uint8_t small[64];
        smp_cbor_enc_init(&e, small, sizeof small);
        smp_cbor_put_map(&e, 1);
        smp_cbor_put_kv_tstr(&e, "d", "0123456789012345678901234567890123456789");
        assert_int_equal(smp_tc_send(&c, SMP_OP_WRITE, SMP_GROUP_OS, 0, small, e.len, &seq), 0);
    }
    while (smp_tc_recv(&c, 1500) == 0) {
    }
    board_assert_logged(&B, "uart: rx line buffers full during a flash erase, 1 line(s) dropped "
                            "(1 total)", 1);
    smp_tc_close(&c);
    assert_int_equal(board_stop(&B), 0);
}

/* ... and the line buffers full with no erase to blame: a crashed app (its UART DMA still
 * fills the buffers, nothing drains them until the watchdog resets the board). */
static void dropped_line_buffers_full(void **state)
{
    (void)state;
    char v1[H_PATH];
    board_init(&B, "server-fulldrop");
    assert_int_equal(make_signed_app(&B, "v1", "1.0.0", "crash", v1, sizeof v1), 0);
    assert_int_equal(flash_image(&B, v1, 0), 0);
    const char *extra[] = { "--no-timing", "--watchdog-ms", "30000", NULL };
    assert_int_equal(board_start(&B, extra), 0);
    board_assert_logged(&B, "app: running 1.0.0", 1);
    board_assert_logged(&B, "hard fault", 1);
    int fd = open(B.link, O_RDWR | O_NOCTTY);
    assert_true(fd >= 0);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(write(fd, "line\n", 5), 5);
    }
    board_assert_logged(&B, "uart: rx line buffers full, 1 line(s) dropped (1 total)", 1);
    close(fd);
    assert_int_equal(board_stop(&B), 0);
}

/* --serial-unpaced: the pty moves bytes as fast as the host (50 echoes of 200 characters that
 * take >= 2.3 s at 115200 baud), while flash timing stays on. */
static void serial_unpaced(void **state)
{
    (void)state;
    char v1[H_PATH];
    const char *extra[] = { "--serial-unpaced", NULL };
    start_board("server-unpaced", extra, v1, sizeof v1);
    board_assert_logged(&B, "timing on", 1);
    board_assert_logged(&B, "115200 baud, unpaced", 1);
    struct smp_tc c;
    assert_int_equal(smp_tc_open_serial(&c, B.link), 0);
    char text[201], out[256];
    memset(text, 'u', 200);
    text[200] = '\0';
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < 50; i++) {
        assert_int_equal(smp_tc_echo(&c, text, out, sizeof out), 0);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long ms = (t1.tv_sec - t0.tv_sec) * 1000L + (t1.tv_nsec - t0.tv_nsec) / 1000000L;
    assert_true(ms < 2000);
    smp_tc_close(&c);
    assert_int_equal(board_stop(&B), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(upload_belongs_to_its_peer, teardown),
        cmocka_unit_test_teardown(too_large_refused_at_first_chunk, teardown),
        cmocka_unit_test_teardown(fs_bounded, teardown),
        cmocka_unit_test_teardown(erase_policy, teardown),
        cmocka_unit_test_teardown(serial_path_limit, teardown),
        cmocka_unit_test_teardown(dropped_line_too_long, teardown),
        cmocka_unit_test_teardown(dropped_line_during_erase, teardown),
        cmocka_unit_test_teardown(dropped_line_buffers_full, teardown),
        cmocka_unit_test_teardown(serial_unpaced, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
