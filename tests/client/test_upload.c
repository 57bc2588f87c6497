/* The upload engine against the in-process fake responder: chunk sizing fills the device's
 * buffer, the window pipelines requests, dropped / duplicated / reordered packets resync from
 * the offset the device returns, and a re-run resumes by SHA-256. Over UDP and a pty. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dfukit/client.h"
#include "dfukit/err.h"
#include "dfukit/imgbuild.h"
#include "fake_device.h"

static struct fake_device dev;
static uint8_t image[200 * 1024];

static void fill_image(size_t n)
{
    uint32_t x = 0x12345678;
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        image[i] = (uint8_t)(x >> 16);
    }
    /* an MCUboot magic at the start, as a real image has */
    image[0] = 0x3d; image[1] = 0xb8; image[2] = 0xf3; image[3] = 0x96;
}

static void open_session(struct client_session *s, bool serial)
{
    struct client_conn c;
    char msg[200];
    memset(&c, 0, sizeof(c));
    if (serial) {
        assert_int_equal(client_conn_parse(&c, CLIENT_CONN_SERIAL, dev.pty_path, msg, sizeof(msg)), 0);
    } else {
        char cs[64];
        snprintf(cs, sizeof(cs), "[127.0.0.1]:%u", dev.port);
        assert_int_equal(client_conn_parse(&c, CLIENT_CONN_UDP, cs, msg, sizeof(msg)), 0);
    }
    struct client_xport x;
    assert_int_equal(client_xport_open(&x, &c, msg, sizeof(msg)), 0);
    client_session_init(s, &x);
    s->timeout_ms = 2000;
}

static size_t progress_last;
static unsigned progress_calls;
static void on_progress(void *arg, size_t done, size_t total)
{
    (void)arg;
    assert_true(done <= total);
    assert_true(done >= progress_last); /* never goes backwards */
    progress_last = done;
    progress_calls++;
}

static int run_upload(bool serial, size_t len, unsigned window, struct client_upload_stats *st,
                      struct client_deverr *err)
{
    struct client_session s;
    open_session(&s, serial);
    struct client_upload_opts o;
    memset(&o, 0, sizeof(o));
    o.data = image;
    o.len = len;
    o.window = window;
    o.first_timeout_ms = 3000;
    o.timeout_ms = 300;
    o.retries = 8;
    o.progress = on_progress;
    progress_last = 0;
    progress_calls = 0;
    int rc = client_image_upload(&s, &o, st, err);
    client_session_close(&s);
    return rc;
}

static void check_received(size_t len)
{
    assert_int_equal(dev.img_len, len);
    assert_int_equal(dev.img_off, len);
    assert_memory_equal(dev.image, image, len);
}

/* Starts the fake device as configured, uploads len bytes of the test image and checks that
 * the device received them all. */
static void upload_ok(bool serial, size_t len, unsigned window, struct client_upload_stats *st)
{
    assert_int_equal(fake_start(&dev, serial), 0);
    fill_image(len);
    struct client_deverr err;
    assert_int_equal(run_upload(serial, len, window, st, &err), 0);
    fake_stop(&dev);
    check_received(len);
}

/* Starts the fake device as configured and uploads len bytes, which fails with rc. */
static void upload_fails(bool serial, size_t len, int rc, struct client_upload_stats *st)
{
    assert_int_equal(fake_start(&dev, serial), 0);
    fill_image(len);
    struct client_deverr err;
    assert_int_equal(run_upload(serial, len, 0, st, &err), rc);
    fake_stop(&dev);
}

static void test_udp_clean_fills_datagrams(void **state)
{
    (void)state;
    fake_defaults(&dev);
    struct client_upload_stats st;
    upload_ok(false, 100 * 1024, 0, &st);
    assert_int_equal(st.window, 3);              /* buf_count - 1 */
    assert_true(st.match_reported && st.match);
    /* the 2048-byte buffer is larger than a datagram: packets fill 1500 - 28 bytes */
    assert_true(dev.max_pkt_seen <= 1472 && dev.max_pkt_seen >= 1470);
    assert_int_equal(dev.mismatches, 0);
    assert_int_equal(progress_last, 100 * 1024);
    assert_true(progress_calls > 10);
}

static void test_udp_small_buffer_fills_packets(void **state)
{
    (void)state;
    fake_defaults(&dev);
    dev.buf_size = 384;
    dev.buf_count = 2;
    struct client_upload_stats st;
    upload_ok(false, 20 * 1024 + 7, 0, &st);
    assert_int_equal(st.window, 1);
    assert_true(dev.max_pkt_seen <= 384 && dev.max_pkt_seen >= 382);
    /* later chunks carry 384 - 26 = 358 bytes (offsets < 65536 use 3-byte uints) */
    assert_true(st.chunk_data >= 356 && st.chunk_data <= 360);
}

static void test_udp_dropped_requests_resync(void **state)
{
    (void)state;
    fake_defaults(&dev);
    dev.drop_req_every = 7;
    struct client_upload_stats st;
    upload_ok(false, 150 * 1024, 0, &st);
    assert_true(dev.mismatches > 0);            /* pipelined chunks after a gap were refused */
    assert_true(st.resyncs + st.retransmits > 0);
}

static void test_udp_duplicated_reordered_lost_replies(void **state)
{
    (void)state;
    fake_defaults(&dev);
    dev.dup_rsp_every = 5;
    dev.reorder_every = 11;
    dev.drop_rsp_every = 13;
    struct client_upload_stats st;
    upload_ok(false, 120 * 1024, 4, &st);
    assert_int_equal(st.window, 4);
    assert_int_equal(progress_last, 120 * 1024);
}

/* The requests a clean upload of len bytes takes (the fake's defaults: window 3). */
static unsigned clean_requests(size_t len)
{
    fake_defaults(&dev);
    struct client_upload_stats st;
    upload_ok(false, len, 0, &st);
    assert_int_equal(st.resyncs + st.retransmits, 0);
    assert_int_equal(dev.mismatches, 0);
    return st.requests;
}

/* A lost request shows in the next answers (the device names the offset it waits for): the
 * chunk goes again at once with the two the device dropped behind it, and no timeout passes. */
static void test_udp_lost_request_resent_at_once(void **state)
{
    (void)state;
    unsigned needed = clean_requests(100 * 1024);
    fake_defaults(&dev);
    dev.drop_req_once = 10;
    struct client_upload_stats st;
    upload_ok(false, 100 * 1024, 0, &st);
    assert_int_equal(st.requests, needed + 3);
    assert_int_equal(dev.upload_reqs, needed + 2); /* the lost one never arrived */
    assert_int_equal(dev.mismatches, 2);           /* the two sent behind it */
    assert_int_equal(st.resyncs, 1);
    assert_int_equal(st.retransmits, 0);
}

/* A lost answer is covered by the next one (offsets are cumulative): nothing is resent. */
static void test_udp_lost_answer_resends_nothing(void **state)
{
    (void)state;
    unsigned needed = clean_requests(100 * 1024);
    fake_defaults(&dev);
    dev.drop_rsp_once = 10;
    struct client_upload_stats st;
    upload_ok(false, 100 * 1024, 0, &st);
    assert_int_equal(st.requests, needed);
    assert_int_equal(dev.mismatches, 0);
    assert_int_equal(st.resyncs + st.retransmits, 0);
}

/* Duplicated and overtaken answers, and a duplicated request: no resend at all. */
static void test_udp_duplicates_and_reordered_answers_resend_nothing(void **state)
{
    (void)state;
    unsigned needed = clean_requests(100 * 1024);
    fake_defaults(&dev);
    dev.dup_rsp_every = 5;
    dev.reorder_every = 7;
    dev.dup_req_once = 12;
    struct client_upload_stats st;
    upload_ok(false, 100 * 1024, 0, &st);
    assert_int_equal(st.requests, needed);
    assert_int_equal(dev.mismatches, 1);           /* the copy of request 12 */
    assert_int_equal(st.resyncs + st.retransmits, 0);
}

/* A request overtaken by the next one: the device drops the next one (it takes chunks in
 * order), which goes again with the one behind it; the overtaken chunk itself arrived and is
 * not resent (the answer after the first wrong-offset one tells late from lost). */
static void test_udp_overtaken_request_not_resent(void **state)
{
    (void)state;
    unsigned needed = clean_requests(100 * 1024);
    fake_defaults(&dev);
    dev.reorder_req_once = 10;
    struct client_upload_stats st;
    upload_ok(false, 100 * 1024, 0, &st);
    assert_int_equal(st.requests, needed + 2);
    assert_int_equal(dev.mismatches, 2);
    assert_int_equal(st.resyncs, 1);
    assert_int_equal(st.retransmits, 0);
}

/* With nothing sent behind the gap (window 2), a link that has reordered once is given a
 * reordering window: the second overtaken chunk's own answer comes within it, so only the
 * chunk that overtook it goes again. The first one, before the link showed any reordering,
 * is taken for lost at once (it and the one behind it go again). */
static void test_udp_reordering_window_after_first_reorder(void **state)
{
    (void)state;
    fake_defaults(&dev);
    struct client_upload_stats st;
    upload_ok(false, 100 * 1024, 2, &st);
    unsigned needed = st.requests;
    fake_defaults(&dev);
    dev.reorder_req_once = 10;
    dev.reorder_req_again = 40;
    upload_ok(false, 100 * 1024, 2, &st);
    assert_int_equal(st.requests, needed + 3);
    assert_int_equal(st.resent_gap, 1);     /* the first overtaken chunk, needlessly */
    assert_int_equal(st.resent_behind, 1);  /* the one that overtook it */
    assert_int_equal(st.resent_other, 1);   /* the second time: only the one that overtook */
    assert_int_equal(dev.mismatches, 3);    /* the two overtakers and the needless repeat */
    assert_int_equal(st.retransmits, 0);
}

static void test_stop_and_wait_window_1(void **state)
{
    (void)state;
    fake_defaults(&dev);
    dev.drop_req_every = 5;
    struct client_upload_stats st;
    upload_ok(false, 30 * 1024, 1, &st);
    assert_int_equal(st.window, 1);
    assert_true(st.retransmits > 0);
}

/* A device error mid-way stops the upload and names the group error. */
static void test_device_error_mid_way(void **state)
{
    (void)state;
    fake_defaults(&dev);
    dev.fail_rc = 12; /* FLASH_WRITE_FAILED */
    assert_int_equal(fake_start(&dev, false), 0);
    fill_image(100 * 1024);
    size_t first = client_upload_chunk_fit(1472, 0, 100 * 1024, 0, false);
    dev.fail_at_off = (int)first; /* the second chunk */
    struct client_upload_stats st;
    struct client_deverr err;
    assert_int_equal(run_upload(false, 100 * 1024, 0, &st, &err), CLIENT_EDEVICE);
    fake_stop(&dev);
    assert_true(err.has_group_err);
    assert_int_equal(err.group, 1);
    assert_int_equal(err.group_rc, 12);
    assert_int_equal(dev.img_off, first);
}

/* The link dies half-way (the client gives up); the next run resumes by SHA-256 from where
 * the device stands instead of starting over. */
static void test_interrupted_then_resumes(void **state)
{
    (void)state;
    fake_defaults(&dev);
    dev.mute_after = 40;
    assert_int_equal(fake_start(&dev, false), 0);
    fill_image(120 * 1024);
    struct client_upload_stats st;
    struct client_deverr err;
    assert_int_equal(run_upload(false, 120 * 1024, 0, &st, &err), DFU_ETIMEDOUT);
    size_t stopped = dev.img_off;
    assert_true(stopped > 0 && stopped < 120 * 1024);

    dev.mute_after = 0;
    unsigned before = dev.upload_reqs;
    assert_int_equal(run_upload(false, 120 * 1024, 0, &st, &err), 0);
    fake_stop(&dev);
    check_received(120 * 1024);
    assert_int_equal(st.resumed_from, stopped);
    /* only the rest was sent (plus the resume probe): far fewer than a full upload */
    size_t rest = (120 * 1024 - stopped) / 1400 + 1;
    assert_true(dev.upload_reqs - before <= rest + 5);
    assert_true(st.match_reported && st.match);
}

static void test_device_refuses_first_chunk(void **state)
{
    (void)state;
    fake_defaults(&dev);
    dev.fail_at_off = 0;
    dev.fail_rc = 9; /* NO_FREE_SLOT */
    assert_int_equal(fake_start(&dev, false), 0);
    fill_image(10000);
    struct client_upload_stats st;
    struct client_deverr err;
    assert_int_equal(run_upload(false, 10000, 0, &st, &err), CLIENT_EDEVICE);
    fake_stop(&dev);
    char line[128];
    client_format_deverr(line, sizeof(line), "image upload", &err);
    assert_string_equal(line, "image upload: NO_FREE_SLOT (9)");
}

static void test_serial_fills_netbuf(void **state)
{
    (void)state;
    fake_defaults(&dev);
    struct client_upload_stats st;
    upload_ok(true, 40 * 1024, 0, &st);
    assert_int_equal(st.window, 3);
    /* each packet is spread evenly over its lines (104, 104, 104, 100, 100 characters + 3) */
    assert_true(dev.multi_line_frames > 100);
    assert_true(dev.line_spread <= 4);
    /* NETBUF_SIZE - 4: length field and CRC share the device's buffer */
    assert_true(dev.max_pkt_seen <= 380 && dev.max_pkt_seen >= 378);
    /* 380 - 24 below offset 65536 (3-byte offsets); the docs' 354 holds above it */
    assert_true(st.chunk_data >= 355 && st.chunk_data <= 356);
}

static void test_serial_with_drops(void **state)
{
    (void)state;
    fake_defaults(&dev);
    dev.drop_req_every = 6;
    dev.dup_rsp_every = 4;
    struct client_upload_stats st;
    upload_ok(true, 30 * 1024, 0, &st);
    assert_true(dev.mismatches > 0);
}

/* A device that keeps taking requests while it erases a page (partial erase): nothing is lost,
 * so the client keeps its full window across page boundaries (no page barrier). */
static void test_serial_no_barrier_without_loss(void **state)
{
    (void)state;
    fake_defaults(&dev);
    dev.page_delay_ms = 40;
    struct client_upload_stats st;
    upload_ok(true, 24 * 1024, 0, &st);
    assert_int_equal(st.window, 3);
    assert_int_equal(st.resyncs, 0);
    assert_int_equal(dev.pages_crossed, 5);
    /* requests were already waiting behind every page-opening chunk */
    assert_int_equal(dev.pages_followed, dev.pages_crossed);
}

/* A device that loses what arrives while it erases: the first page-opening chunk with requests
 * behind it costs one resync; from then on nothing follows such a chunk until it is answered,
 * and nothing else is lost. */
static void test_serial_barrier_after_erase_loss(void **state)
{
    (void)state;
    fake_defaults(&dev);
    dev.page_delay_ms = 40;
    dev.erase_deaf = true;
    dev.page_count_from = 8192;  /* pages after the first loss */
    struct client_upload_stats st;
    upload_ok(true, 24 * 1024, 0, &st);
    assert_int_equal(st.resyncs, 1);
    assert_int_equal(st.retransmits, 0);
    assert_int_equal(dev.erase_losses, 1);
    assert_int_equal(dev.pages_crossed, 3); /* 12288, 16384, 20480 */
    assert_int_equal(dev.pages_followed, 0);
}

/* A request lost elsewhere (a garbled line) is no reason to wait at page boundaries: the window
 * shrinks, grows back, and runs across pages again. */
static void test_serial_other_loss_keeps_pipelining(void **state)
{
    (void)state;
    fake_defaults(&dev);
    dev.page_delay_ms = 20;
    dev.drop_req_once = 3;        /* in the first page */
    dev.page_count_from = 40960;  /* once the window has grown back */
    struct client_upload_stats st;
    upload_ok(true, 64 * 1024, 0, &st);
    assert_int_equal(st.resyncs, 1);
    assert_int_equal(dev.pages_crossed, 5); /* 45056 .. 61440 */
    assert_int_equal(dev.pages_followed, dev.pages_crossed);
}

/* After a loss the window is two, but behind a page-opening chunk a third request goes out on
 * a device that takes lines while it erases: its answer comes only after the erase, and the
 * line would stand idle meanwhile. */
static void test_serial_third_request_behind_page_opener(void **state)
{
    (void)state;
    fake_defaults(&dev);
    dev.page_delay_ms = 20;
    dev.drop_req_once = 3;       /* in the first page: the window halves to two */
    dev.page_count_from = 4200;  /* openers of 8192 .. 16384, before it would grow back */
    struct client_upload_stats st;
    upload_ok(true, 20 * 1024, 0, &st);
    assert_int_equal(st.resyncs, 1);
    assert_int_equal(st.resent_gap, 1);
    assert_int_equal(st.resent_behind, 2); /* the window was three when the line was lost */
    assert_int_equal(dev.pages_crossed, 3); /* 8192, 12288, 16384 */
    assert_int_equal(dev.pages_followed_two, dev.pages_crossed);
}

/* Serial, window two: a damaged request whose follower is damaged too leaves no answer to
 * name the gap. An empty chunk at the last confirmed offset asks where the device stands; its
 * answer names the lost chunk, which goes again at once, without waiting for the timeout. */
static void test_serial_probe_finds_double_loss(void **state)
{
    (void)state;
    fake_defaults(&dev);
    dev.drop_req_once = 5;
    dev.drop_req_run = 2;
    struct client_upload_stats st;
    upload_ok(true, 20 * 1024, 2, &st);
    assert_int_equal(st.probes, 1);
    assert_int_equal(dev.empty_chunks, 1);
    assert_false(dev.empty_at_zero);
    assert_int_equal(st.resyncs, 1);
    assert_int_equal(st.resent_gap, 1);
    assert_int_equal(st.resent_behind, 1);
    assert_int_equal(st.resent_timeout, 0);
    assert_int_equal(st.retransmits, 0);
}

/* A false alarm: the answers are late because the device erases a page (it keeps taking lines
 * meanwhile). The probe's answer comes after theirs and confirms them: no resend. */
static void test_serial_probe_behind_slow_erase_resends_nothing(void **state)
{
    (void)state;
    fake_defaults(&dev);
    dev.page_delay_ms = 120;
    struct client_upload_stats st;
    upload_ok(true, 6 * 1024, 0, &st);  /* one page opened after the first chunk: 4096 */
    assert_int_equal(dev.pages_crossed, 1);
    assert_int_equal(st.probes, 1);
    assert_int_equal(dev.empty_chunks, 1);
    assert_int_equal(st.resyncs, 0);
    assert_int_equal(st.resent_gap + st.resent_behind + st.resent_timeout + st.resent_other, 0);
    assert_int_equal(st.retransmits, 0);
    assert_int_equal(st.requests, 18); /* the clean run's: 356 data bytes each after the first */
}

/* The probe never goes at offset 0 (that would start a new upload): behind a slow first reply
 * (the device erases the slot) nothing is probed, and the earliest loss is asked about at the
 * first confirmed offset above 0. */
static void test_serial_probe_never_at_zero(void **state)
{
    (void)state;
    fake_defaults(&dev);
    dev.first_delay_ms = 200;
    dev.drop_req_once = 3;   /* the second and third chunk after the first */
    dev.drop_req_run = 2;
    struct client_upload_stats st;
    upload_ok(true, 8 * 1024, 2, &st);
    assert_int_equal(dev.first_chunks, 1);
    assert_int_equal(st.probes, 1);
    assert_int_equal(dev.empty_chunks, 1);
    assert_false(dev.empty_at_zero);
    assert_int_equal(st.retransmits, 0);
    assert_int_equal(st.resent_gap, 1);
}

/* One lost mcumgr params request does not fail the upload with one try (-r 1): the read goes
 * again within its timeout, and the upload runs at the device's buffer size. */
static void test_lost_params_read_sent_again(void **state)
{
    (void)state;
    fake_defaults(&dev);
    dev.drop_reads = 1;
    struct client_upload_stats st;
    upload_ok(false, 20 * 1024, 0, &st);
    assert_int_equal(dev.reads_in, 2);
    assert_int_equal(st.window, 3);   /* from the params answer (without it: 1) */
    assert_int_equal(st.packet, 1472); /* a full datagram (without it: 384 bytes) */
}

/* A device that answers no read still fails, after one timeout's worth of sends (four). */
static void test_unanswered_params_read_fails(void **state)
{
    (void)state;
    fake_defaults(&dev);
    dev.drop_reads = 100;
    struct client_upload_stats st;
    upload_fails(false, 4096, DFU_ETIMEDOUT, &st);
    assert_int_equal(dev.reads_in, 4);
    assert_int_equal(dev.upload_reqs, 0);
}

static void test_without_params_defaults(void **state)
{
    (void)state;
    fake_defaults(&dev);
    dev.no_params = true;
    struct client_upload_stats st;
    upload_ok(false, 5000, 0, &st);
    assert_int_equal(st.window, 1);
    assert_true(dev.max_pkt_seen <= 384);
}

static void test_request_matches_seq(void **state)
{
    (void)state;
    fake_defaults(&dev);
    assert_int_equal(fake_start(&dev, false), 0);
    struct client_session s;
    open_session(&s, false);
    /* a stray reply with another sequence number is ignored */
    static const uint8_t echo[] = {0xa1, 0x61, 'd', 0x62, 'h', 'i'};
    int seq = client_send(&s, SMP_OP_WRITE, SMP_GROUP_OS, 0, echo, sizeof(echo));
    assert_true(seq >= 0);
    struct client_rsp rsp;
    assert_int_equal(client_request(&s, SMP_OP_WRITE, SMP_GROUP_OS, 0, echo, sizeof(echo), &rsp, 0), 0);
    assert_int_equal(rsp.hdr.seq, (uint8_t)(seq + 1));
    char text[8];
    assert_true(client_get_text(rsp.root, "r", text, sizeof(text)));
    assert_string_equal(text, "hi");
    client_rsp_free(&rsp);
    assert_int_equal(client_read_params(&s), 0);
    assert_int_equal(s.buf_size, 2048);
    assert_int_equal(s.buf_count, 4);
    /* nothing answers group 9 in the fake: ENOTSUP comes back as a device error */
    assert_int_equal(client_request(&s, SMP_OP_WRITE, SMP_GROUP_SHELL, 0, echo, sizeof(echo), &rsp, 0), 0);
    assert_true(client_rsp_failed(&rsp));
    assert_int_equal(rsp.err.rc, 8);
    client_rsp_free(&rsp);
    client_session_close(&s);
    fake_stop(&dev);
}

struct steps {
    char names[8][16];
    unsigned n;
};

static void on_step(void *arg, const char *step, double seconds, const char *detail)
{
    struct steps *st = arg;
    assert_true(seconds >= 0);
    assert_non_null(detail);
    assert_true(st->n < 8);
    snprintf(st->names[st->n++], sizeof(st->names[0]), "%s", step);
}

static int run_upgrade(struct client_upgrade_opts *u, struct client_upgrade_result *r,
                       struct steps *steps)
{
    struct client_session s;
    open_session(&s, false);
    struct client_deverr err;
    memset(steps, 0, sizeof(*steps));
    u->upload.data = image;
    u->upload.first_timeout_ms = 3000;
    u->upload.timeout_ms = 300;
    u->step = on_step;
    u->step_arg = steps;
    u->wait_ms = 5000;
    int rc = client_upgrade(&s, u, r, &err);
    client_session_close(&s);
    return rc;
}

/* upload -> test -> reset -> wait -> check -> confirm, each step reported in order. */
static void test_one_step_upgrade(void **state)
{
    (void)state;
    fake_defaults(&dev);
    assert_int_equal(fake_start(&dev, false), 0);
    fill_image(50 * 1024);
    struct client_upgrade_opts u;
    memset(&u, 0, sizeof(u));
    u.upload.len = 50 * 1024;
    u.confirm = true;
    u.reset = true;
    struct client_upgrade_result r;
    struct steps steps;
    assert_int_equal(run_upgrade(&u, &r, &steps), 0);
    fake_stop(&dev);
    static const char *want[] = {"upload", "test", "reset", "wait", "check", "confirm"};
    assert_int_equal(steps.n, 6);
    for (unsigned i = 0; i < 6; i++) {
        assert_string_equal(steps.names[i], want[i]);
    }
    assert_true(r.active && r.confirmed);
    assert_null(r.failed_step);
    assert_int_equal(dev.resets, 1);
    /* the new image runs, confirmed; its hash is what the device listed */
    assert_memory_equal(dev.slot[0].hash, r.hash, 32);
    assert_true(dev.slot[0].confirmed);
}

/* A tested image that the bootloader reverts is reported at the check step. */
static void test_one_step_upgrade_reverted(void **state)
{
    (void)state;
    fake_defaults(&dev);
    dev.revert_on_boot = true;
    assert_int_equal(fake_start(&dev, false), 0);
    fill_image(20 * 1024);
    struct client_upgrade_opts u;
    memset(&u, 0, sizeof(u));
    u.upload.len = 20 * 1024;
    u.test = true;
    u.reset = true;
    u.wait = true;
    struct client_upgrade_result r;
    struct steps steps;
    assert_int_equal(run_upgrade(&u, &r, &steps), DFU_ESIG);
    fake_stop(&dev);
    assert_string_equal(r.failed_step, "check");
    assert_int_equal(steps.n, 4); /* upload, test, reset, wait */
    assert_false(r.active);
    assert_int_equal(r.boot, CLIENT_BOOT_REVERTED);
    assert_string_equal(r.running_version, "1.0.0");
}

/* --confirm without --reset marks the upload permanent and stops there. */
static void test_upload_and_confirm_only(void **state)
{
    (void)state;
    fake_defaults(&dev);
    assert_int_equal(fake_start(&dev, false), 0);
    fill_image(8 * 1024);
    struct client_upgrade_opts u;
    memset(&u, 0, sizeof(u));
    u.upload.len = 8 * 1024;
    u.confirm = true;
    struct client_upgrade_result r;
    struct steps steps;
    assert_int_equal(run_upgrade(&u, &r, &steps), 0);
    fake_stop(&dev);
    assert_int_equal(steps.n, 2);
    assert_string_equal(steps.names[1], "confirm");
    assert_true(dev.slot[1].pending && dev.slot[1].permanent);
    assert_int_equal(dev.resets, 0);
}


/* A hash-only MCUboot image of n payload bytes (the test image) in b; its SHA-256 TLV in h. */
static void make_mcuboot_image(struct imgbuild *b, size_t n, uint8_t h[32])
{
    fill_image(n);
    struct imgbuild_opts io;
    memset(&io, 0, sizeof(io));
    io.header_size = 0x200;
    io.pad_header = true;
    io.version.major = 2;
    imgbuild_init(b);
    assert_int_equal(imgbuild_load_mem(b, image + 4, n - 4, &io), 0); /* no magic in the body */
    assert_int_equal(imgbuild_create(b, &io), 0);
    size_t hl;
    assert_int_equal(client_image_file_hash(b->data, b->len, h, 32, &hl), 0);
    assert_int_equal(hl, 32);
}

static struct client_upload_opts fast_opts(const uint8_t *data, size_t len)
{
    struct client_upload_opts o;
    memset(&o, 0, sizeof(o));
    o.data = data;
    o.len = len;
    o.first_timeout_ms = 3000;
    o.timeout_ms = 300;
    o.retries = 8;
    return o;
}

static int upgrade_with(const struct client_upload_opts *o, struct client_upgrade_result *r,
                        struct client_deverr *err)
{
    struct client_session s;
    open_session(&s, false);
    struct client_upgrade_opts u;
    memset(&u, 0, sizeof(u));
    u.upload = *o;
    int rc = client_upgrade(&s, &u, r, err);
    client_session_close(&s);
    return rc;
}

/* A serial path that holds less than the SMP buffers: packets above 600 bytes never arrive.
 * The first chunk goes again at half the size until one is answered, then the search narrows
 * down to exactly 600; the rest of the upload keeps that size and the stats name both sizes. */
static void fallback_finds_size(bool serial)
{
    fake_defaults(&dev);
    dev.buf_size = 2048;
    dev.drop_larger = 600;
    struct client_upload_stats st;
    upload_ok(serial, 30 * 1024, 0, &st);
    assert_int_equal(st.packet_unanswered, 601);
    assert_int_equal(st.packet, 600);
    assert_true(dev.dropped_large >= 2);              /* full, half, then search steps */
    assert_int_equal(dev.max_pkt_handled, 600);
    assert_true(st.chunk_data > 500 && st.chunk_data < 600); /* not the dropped sizes' */
    assert_int_equal(dev.first_chunks, 1);
    assert_int_equal(st.resumed_from, 0);
}

static void test_udp_packet_fallback(void **state)
{
    (void)state;
    fallback_finds_size(false);
}

static void test_serial_packet_fallback(void **state)
{
    (void)state;
    fallback_finds_size(true);
}

/* A first chunk lost once for another reason (not its size): the fallback tries the full
 * size again before searching, and the upload runs at full size with no fallback to report. */
static void test_incidental_first_loss_keeps_size(void **state)
{
    (void)state;
    fake_defaults(&dev);
    dev.drop_req_once = 1;
    struct client_upload_stats st;
    upload_ok(false, 30 * 1024, 0, &st);
    assert_int_equal(st.packet, 1472);
    assert_int_equal(st.packet_unanswered, 0);
    assert_int_equal(dev.max_pkt_handled, 1472);
}

/* The first chunk arrives but its answer is lost: the halved retry is answered with the
 * first try's offset, which is this run's data, not a resume; the full size stays. */
static void test_lost_first_answer_is_no_resume(void **state)
{
    (void)state;
    fake_defaults(&dev);
    dev.drop_rsp_once = 1;
    struct client_upload_stats st;
    upload_ok(false, 30 * 1024, 0, &st);
    assert_int_equal(st.resumed_from, 0);
    assert_int_equal(st.packet, 1472);
    assert_int_equal(st.packet_unanswered, 0);
    assert_int_equal(dev.first_chunks, 1);
}

/* Nothing the size of a chunk gets through: the halving stops at 128 bytes and names it. */
static void test_packet_fallback_gives_up_at_minimum(void **state)
{
    (void)state;
    fake_defaults(&dev);
    dev.drop_larger = 100;
    struct client_upload_stats st;
    upload_fails(false, 10000, DFU_ETIMEDOUT, &st);
    assert_int_equal(st.packet_unanswered, CLIENT_UPLOAD_PACKET_MIN);
    assert_false(st.device_silent);
    assert_int_equal(dev.dropped_large, 5);           /* 1472, 736, 368, 184, 128 */
    assert_int_equal(dev.upload_reqs, 0);
}

/* A first reply that comes late (the device erases the whole slot first) is waited for: one
 * first chunk, no smaller retry, the full packet size kept. Over both links. */
static void slow_first_reply(bool serial)
{
    fake_defaults(&dev);
    dev.first_delay_ms = 1000; /* > timeout_ms 300: the probe goes out and waits behind it */
    struct client_upload_stats st;
    upload_ok(serial, 20 * 1024, 0, &st);
    assert_int_equal(dev.first_chunks, 1);
    assert_int_equal(st.packet_unanswered, 0);
    assert_int_equal(st.packet, serial ? 380 : 1472);
    assert_int_equal(st.retransmits, 0);
    assert_true(st.match_reported && st.match);
}

static void test_udp_slow_first_reply(void **state)
{
    (void)state;
    slow_first_reply(false);
}

static void test_serial_slow_first_reply(void **state)
{
    (void)state;
    slow_first_reply(true);
}

/* A first reply rounded down to the write alignment is this run's progress, not a resume. */
static void test_rounded_first_reply_is_no_resume(void **state)
{
    (void)state;
    fake_defaults(&dev);
    dev.first_short = 3;
    struct client_upload_stats st;
    upload_ok(false, 12 * 1024, 0, &st);
    assert_int_equal(st.resumed_from, 0);
}

static size_t resumed_at;
static void on_resumed(void *arg, size_t off, size_t total)
{
    (void)arg;
    (void)total;
    assert_int_equal(progress_calls, 0); /* before the first progress report */
    resumed_at = off;
}

/* A resumed upload reports where it goes on from before any progress. */
static void test_resume_reported_first(void **state)
{
    (void)state;
    fake_defaults(&dev);
    dev.mute_after = 20;
    assert_int_equal(fake_start(&dev, false), 0);
    fill_image(60 * 1024);
    struct client_upload_stats st;
    struct client_deverr err;
    assert_int_equal(run_upload(false, 60 * 1024, 0, &st, &err), DFU_ETIMEDOUT);
    size_t stopped = dev.img_off;
    dev.mute_after = 0;
    struct client_session s;
    open_session(&s, false);
    struct client_upload_opts o = fast_opts(image, 60 * 1024);
    o.progress = on_progress;
    o.resumed = on_resumed;
    progress_last = progress_calls = 0;
    resumed_at = 0;
    assert_int_equal(client_image_upload(&s, &o, &st, &err), 0);
    client_session_close(&s);
    fake_stop(&dev);
    assert_int_equal(resumed_at, stopped);
    assert_int_equal(st.resumed_from, stopped);
    check_received(60 * 1024);
}

/* Another peer's upload is active: the device says EBUSY and the upload stops there. */
static void test_busy_device(void **state)
{
    (void)state;
    fake_defaults(&dev);
    dev.busy = true;
    assert_int_equal(fake_start(&dev, false), 0);
    fill_image(5000);
    struct client_upload_opts o = fast_opts(image, 5000);
    struct client_upgrade_result r;
    struct client_deverr err;
    assert_int_equal(upgrade_with(&o, &r, &err), CLIENT_EDEVICE);
    fake_stop(&dev);
    assert_false(err.has_group_err);
    assert_int_equal(err.rc, SMP_ERR_EBUSY);
    assert_int_equal(dev.upload_reqs, 1);
}

/* slot-info says the file cannot fit: refused before any chunk is sent. */
static void test_too_large_refused_locally(void **state)
{
    (void)state;
    fake_defaults(&dev);
    dev.slot_info = true;
    dev.slot_size = 8192;
    dev.max_image_size = 8192 - 48;
    assert_int_equal(fake_start(&dev, false), 0);
    fill_image(8192);
    struct client_upload_opts o = fast_opts(image, 8192);
    struct client_upgrade_result r;
    struct client_deverr err;
    assert_int_equal(upgrade_with(&o, &r, &err), DFU_ENOSPC);
    fake_stop(&dev);
    assert_true(r.too_large);
    assert_int_equal(r.room.max_image_size, 8192 - 48);
    assert_int_equal(r.room.slot, 1);
    assert_int_equal(dev.upload_reqs, 0);
}

/* An MCUboot image: success only when slot 1 lists the file's hash TLV afterwards. */
static void test_success_when_slot_lists_file_hash(void **state)
{
    (void)state;
    struct imgbuild b;
    uint8_t h[32];
    make_mcuboot_image(&b, 30 * 1024, h);
    fake_defaults(&dev);
    dev.slot_info = true;
    dev.slot_size = 0x20000;
    dev.max_image_size = 0x20000 - 48;
    dev.has_list_hash = true;
    memcpy(dev.list_hash, h, 32);
    assert_int_equal(fake_start(&dev, false), 0);
    struct client_upload_opts o = fast_opts(b.data, b.len);
    struct client_upgrade_result r;
    struct client_deverr err;
    assert_int_equal(upgrade_with(&o, &r, &err), 0);
    fake_stop(&dev);
    assert_int_equal(r.verdict, CLIENT_UPLOAD_VERIFIED);
    assert_int_equal(r.slot, 1);
    assert_int_equal(r.hash_len, 32);
    assert_memory_equal(r.hash, h, 32);
    imgbuild_free(&b);
}

/* The upload ran, match and all, but slot 1 lists another image (a second client took the
 * device over): no success. */
static void test_other_image_in_slot_is_failure(void **state)
{
    (void)state;
    struct imgbuild b;
    uint8_t h[32];
    make_mcuboot_image(&b, 20 * 1024, h);
    fake_defaults(&dev);
    dev.has_list_hash = true;
    memset(dev.list_hash, 0x5a, 32);
    assert_int_equal(fake_start(&dev, false), 0);
    struct client_upload_opts o = fast_opts(b.data, b.len);
    struct client_upgrade_result r;
    struct client_deverr err;
    assert_int_equal(upgrade_with(&o, &r, &err), DFU_ESIG);
    fake_stop(&dev);
    assert_true(r.upload.match_reported && r.upload.match);
    assert_int_equal(r.verdict, CLIENT_UPLOAD_OTHER_IMAGE);
    assert_int_equal(r.slot, 1);
    assert_string_equal(r.failed_step, "upload");
    imgbuild_free(&b);
}

/* The bootloader rejects the tested image (erases it): refused, not reverted. */
static void test_one_step_upgrade_refused(void **state)
{
    (void)state;
    fake_defaults(&dev);
    dev.refuse_on_boot = true;
    assert_int_equal(fake_start(&dev, false), 0);
    fill_image(20 * 1024);
    struct client_upgrade_opts u;
    memset(&u, 0, sizeof(u));
    u.upload.len = 20 * 1024;
    u.test = true;
    u.reset = true;
    u.wait = true;
    struct client_upgrade_result r;
    struct steps steps;
    assert_int_equal(run_upgrade(&u, &r, &steps), DFU_ESIG);
    fake_stop(&dev);
    assert_string_equal(r.failed_step, "check");
    assert_int_equal(r.boot, CLIENT_BOOT_REFUSED);
    assert_string_equal(r.running_version, "1.0.0");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_udp_clean_fills_datagrams),
        cmocka_unit_test(test_udp_small_buffer_fills_packets),
        cmocka_unit_test(test_udp_dropped_requests_resync),
        cmocka_unit_test(test_udp_lost_request_resent_at_once),
        cmocka_unit_test(test_udp_lost_answer_resends_nothing),
        cmocka_unit_test(test_udp_duplicates_and_reordered_answers_resend_nothing),
        cmocka_unit_test(test_udp_overtaken_request_not_resent),
        cmocka_unit_test(test_udp_reordering_window_after_first_reorder),
        cmocka_unit_test(test_udp_duplicated_reordered_lost_replies),
        cmocka_unit_test(test_stop_and_wait_window_1),
        cmocka_unit_test(test_device_error_mid_way),
        cmocka_unit_test(test_interrupted_then_resumes),
        cmocka_unit_test(test_device_refuses_first_chunk),
        cmocka_unit_test(test_serial_fills_netbuf),
        cmocka_unit_test(test_serial_with_drops),
        cmocka_unit_test(test_serial_no_barrier_without_loss),
        cmocka_unit_test(test_serial_barrier_after_erase_loss),
        cmocka_unit_test(test_serial_other_loss_keeps_pipelining),
        cmocka_unit_test(test_serial_third_request_behind_page_opener),
        cmocka_unit_test(test_serial_probe_finds_double_loss),
        cmocka_unit_test(test_serial_probe_behind_slow_erase_resends_nothing),
        cmocka_unit_test(test_serial_probe_never_at_zero),
        cmocka_unit_test(test_lost_params_read_sent_again),
        cmocka_unit_test(test_unanswered_params_read_fails),
        cmocka_unit_test(test_without_params_defaults),
        cmocka_unit_test(test_request_matches_seq),
        cmocka_unit_test(test_one_step_upgrade),
        cmocka_unit_test(test_one_step_upgrade_reverted),
        cmocka_unit_test(test_upload_and_confirm_only),
        cmocka_unit_test(test_udp_packet_fallback),
        cmocka_unit_test(test_serial_packet_fallback),
        cmocka_unit_test(test_packet_fallback_gives_up_at_minimum),
        cmocka_unit_test(test_incidental_first_loss_keeps_size),
        cmocka_unit_test(test_lost_first_answer_is_no_resume),
        cmocka_unit_test(test_udp_slow_first_reply),
        cmocka_unit_test(test_serial_slow_first_reply),
        cmocka_unit_test(test_rounded_first_reply_is_no_resume),
        cmocka_unit_test(test_resume_reported_first),
        cmocka_unit_test(test_busy_device),
        cmocka_unit_test(test_too_large_refused_locally),
        cmocka_unit_test(test_success_when_slot_lists_file_hash),
        cmocka_unit_test(test_other_image_in_slot_is_failure),
        cmocka_unit_test(test_one_step_upgrade_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
