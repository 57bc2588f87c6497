/* Swap using scratch (MCUboot's swap_scratch.c algorithm, our code).
 *
 * The swapped region [0, end) is cut into groups of whole sectors, from the end backwards,
 * each as large as fits in the scratch area and ending on a sector boundary of both slots.
 * Group idx (1 = the highest) goes through three steps, each recorded by one status entry
 * once its data is in place:
 *   step 0: scratch <- secondary[group]
 *   step 1: secondary[group] <- primary[group]
 *   step 2: primary[group] <- scratch
 * Status entries live in the primary trailer, entry (idx-1)*3 + step. Before the first group
 * the primary trailer is erased and rewritten (swap_info, image_ok, swap_size, magic last);
 * meanwhile a copy of that trailer in scratch says what is going on. When the first group
 * covers the trailer sectors themselves ("use_scratch"), its status stays in the scratch
 * trailer until step 2 has rebuilt the primary trailer.
 *
 * A sector is always erased from its end, so an interrupted erase of a trailer sector loses
 * the magic first and that trailer stops counting as a status source. */
#include "boot_priv.h"
#include "dfukit/err.h"

struct scratch_group {
    uint32_t off;
    uint32_t size;
};

/* Groups, index 0 = status idx 1 (the highest addresses). */
struct scratch_plan {
    struct scratch_group g[BOOT_MAX_IMG_SECTORS];
    uint32_t count;
    bool use_scratch;   /* the first group holds the primary trailer */
    uint32_t copy_sz1;  /* bytes of group 1 that are image (below the trailer) */
};

static bool is_boundary(const struct flash_area *fa, uint32_t off)
{
    struct flash_sector s;
    if (off == fa->size) {
        return true;
    }
    return flash_area_sector_at(fa, off, &s) == 0 && s.off == off;
}

/* The end of the swapped region: the first offset >= swap_size that is a sector boundary of
 * both slots; the whole slot when it reaches either slot's trailer sectors. */
static int region_end(struct boot_state *st, uint32_t swap_size, uint32_t *out)
{
    uint32_t end = 0;
    while (end < swap_size || !is_boundary(st->sec, end)) {
        struct flash_sector s;
        int err = flash_area_sector_at(st->pri, end, &s);
        if (err) {
            return err;
        }
        end = s.off + s.size;
    }
    uint32_t tp, ts;
    int err = boot_first_trailer_sector_off(st->pri, &st->tl_pri, &tp);
    if (!err) {
        err = boot_first_trailer_sector_off(st->sec, &st->tl_sec, &ts);
    }
    if (err) {
        return err;
    }
    if (end > tp || end > ts) {
        end = st->pri->size;
    }
    *out = end;
    return 0;
}

static int make_plan(struct boot_state *st, uint32_t swap_size, struct scratch_plan *p)
{
    if (st->scr == NULL || st->pri->size != st->sec->size ||
        swap_size > st->pri->size - st->tl_pri.size) {
        return DFU_EINVAL;
    }
    uint32_t end;
    int err = region_end(st, swap_size, &end);
    if (err) {
        return err;
    }
    p->count = 0;
    p->use_scratch = false;
    while (end > 0) {
        uint32_t start = end;
        while (start > 0) {
            struct flash_sector s;
            err = flash_area_sector_at(st->pri, start - 1, &s);
            if (err) {
                return err;
            }
            if (end - s.off > st->scr->size) {
                break;
            }
            start = s.off;
        }
        /* A group must fit the scratch and start on a boundary of both slots. */
        if (start == end || !is_boundary(st->sec, start) || p->count == BOOT_MAX_IMG_SECTORS) {
            return DFU_EINVAL;
        }
        p->g[p->count].off = start;
        p->g[p->count].size = end - start;
        p->count++;
        end = start;
    }
    p->copy_sz1 = p->g[0].size;
    if (p->g[0].off + p->g[0].size == st->pri->size) {
        uint32_t tp;
        err = boot_first_trailer_sector_off(st->pri, &st->tl_pri, &tp);
        if (err) {
            return err;
        }
        if (p->g[0].off + p->g[0].size > tp) {
            uint32_t img_end = st->pri->size - st->tl_pri.size;
            /* The image part of group 1 must not run into the scratch's own trailer. */
            if (img_end < p->g[0].off || img_end - p->g[0].off > st->scr->size - st->tl_scr.size) {
                return DFU_EINVAL;
            }
            p->use_scratch = true;
            p->copy_sz1 = img_end - p->g[0].off;
        }
    }
    return 0;
}

int swap_scratch_check(struct boot_state *st, uint32_t swap_size)
{
    struct scratch_plan p;
    return make_plan(st, swap_size, &p);
}

int swap_scratch_group_count(struct boot_state *st, uint32_t swap_size, uint32_t *count)
{
    struct scratch_plan p;
    int err = make_plan(st, swap_size, &p);
    if (!err) {
        *count = p.count;
    }
    return err;
}

/* Status source table: where the progress of an interrupted swap is recorded.
 * (MCUboot's boot_status_tables[] without its "primary unset" row: our primary never holds
 * status without its magic.) Rows are tried in order; then a good primary that already
 * records group 1 wins over a good scratch (see swap_scratch_status_source). */
struct source_row {
    uint8_t magic_primary;    /* 0xff: any */
    uint8_t magic_scratch;    /* 0xfe: not good; 0xff: any */
    uint8_t copy_done_primary;
    uint8_t source;
};
#define ANY 0xff
#define NOTGOOD 0xfe

static const struct source_row source_rows[] = {
    /*           | primary | scratch  |
     * ----------+---------+----------|
     *     magic | Good    | Not good |
     * copy-done | Set     | N/A      |
     * ----------+---------+----------'
     * source: none (the last swap finished)
     */
    {BOOT_MAGIC_GOOD, NOTGOOD, BOOT_FLAG_SET, BOOT_STATUS_SOURCE_NONE},
    /*           | primary | scratch  |
     * ----------+---------+----------|
     *     magic | Good    | Not good |
     * copy-done | Unset   | N/A      |
     * ----------+---------+----------'
     * source: primary (a swap is under way, or an image was programmed with --pad)
     */
    {BOOT_MAGIC_GOOD, NOTGOOD, BOOT_FLAG_UNSET, BOOT_STATUS_SOURCE_PRIMARY},
    /*           | primary | scratch  |
     * ----------+---------+----------|
     *     magic | Any     | Good     |
     * copy-done | Any     | N/A      |
     * ----------+---------+----------'
     * source: scratch (the primary trailer is being rebuilt)
     */
    {ANY, BOOT_MAGIC_GOOD, ANY, BOOT_STATUS_SOURCE_SCRATCH},
};

static bool magic_match(uint8_t want, uint8_t have)
{
    return want == ANY || (want == NOTGOOD && have != BOOT_MAGIC_GOOD) || want == have;
}

int swap_scratch_status_source(struct boot_state *st, uint8_t *source)
{
    struct boot_swap_state p, s;
    int err = trailer_read_state(st->pri, &st->tl_pri, &p);
    if (!err) {
        err = trailer_read_state(st->scr, &st->tl_scr, &s);
    }
    if (err) {
        return err;
    }
#if BOOT_IMAGE_NUMBER > 1
    /* The scratch is shared: a record there may be another image's (the image number in its
     * swap_info), and is then none of this image's business. MCUboot takes this image's
     * status source to be none then; boot_go_multi() leaves copy_done of every image until
     * all swaps are done, so a finished swap waiting for it is found in the primary. */
    if (s.magic == BOOT_MAGIC_GOOD && s.image_num != BOOT_CURR_IMG(st)) {
        s.magic = BOOT_MAGIC_BAD;
    }
#endif
    *source = BOOT_STATUS_SOURCE_NONE;
    for (size_t i = 0; i < sizeof(source_rows) / sizeof(source_rows[0]); i++) {
        const struct source_row *r = &source_rows[i];
        if (magic_match(r->magic_primary, p.magic) && magic_match(r->magic_scratch, s.magic) &&
            (r->copy_done_primary == ANY || r->copy_done_primary == p.copy_done)) {
            *source = r->source;
            break;
        }
    }
    if (*source == BOOT_STATUS_SOURCE_SCRATCH && p.magic == BOOT_MAGIC_GOOD &&
        p.copy_done == BOOT_FLAG_UNSET) {
        /* Both good: once the primary records all of group 1 it is the newer record, and
         * the scratch trailer is a leftover whose erase was cut (its data may be gone even
         * where its trailer survived). */
        uint32_t n;
        err = status_count(st->pri, &st->tl_pri, &n);
        if (err) {
            return err;
        }
        if (n >= BOOT_STATUS_STATE_COUNT) {
            *source = BOOT_STATUS_SOURCE_PRIMARY;
        }
    }
    return 0;
}

int swap_scratch_read_status(struct boot_state *st, struct boot_status *bs)
{
    bs->idx = 1;
    bs->state = 0;
    bs->op = BOOT_OP_SWAP;
    bs->swap_type = BOOT_SWAP_TYPE_NONE;
    bs->swap_size = 0;
    int err = swap_scratch_status_source(st, &bs->source);
    if (err || bs->source == BOOT_STATUS_SOURCE_NONE) {
        return err;
    }
    const struct flash_area *fa = bs->source == BOOT_STATUS_SOURCE_SCRATCH ? st->scr : st->pri;
    const struct boot_trailer_layout *tl =
        bs->source == BOOT_STATUS_SOURCE_SCRATCH ? &st->tl_scr : &st->tl_pri;
    uint32_t n;
    err = status_count(fa, tl, &n);
    if (err) {
        return err;
    }
    bs->idx = n / BOOT_STATUS_STATE_COUNT + 1;
    bs->state = (uint8_t)(n % BOOT_STATUS_STATE_COUNT);
    struct boot_swap_state ts;
    err = trailer_read_state(fa, tl, &ts);
    if (err) {
        return err;
    }
    bs->swap_type = ts.swap_type;
    err = trailer_read_swap_size(fa, tl, &bs->swap_size);
    if (err == DFU_ENOENT) {
        /* A good trailer without swap_size was not written by a swap (e.g. --pad). */
        bs->idx = 1;
        bs->state = 0;
        bs->swap_size = 0;
        return 0;
    }
    return err;
}

/* Records that step `state` of group idx is done, in scratch while it holds the status. */
static int write_status(struct boot_state *st, const struct boot_status *bs, bool in_scratch)
{
    if (in_scratch) {
        return status_write(st->scr, &st->tl_scr, bs->state, (uint8_t)(bs->state + 1));
    }
    uint32_t i = (bs->idx - 1) * BOOT_STATUS_STATE_COUNT + bs->state;
    return status_write(st->pri, &st->tl_pri, i, (uint8_t)(bs->state + 1));
}

static int secondary_image_ok(struct boot_state *st, bool *out)
{
    struct boot_swap_state s;
    int err = trailer_read_state(st->sec, &st->tl_sec, &s);
    *out = !err && s.image_ok == BOOT_FLAG_SET;
    return err;
}

/* Rebuilds the primary trailer from the scratch one at the end of group 1 (use_scratch). */
static int primary_trailer_from_scratch(struct boot_state *st, const struct boot_status *bs)
{
    int err = 0;
    for (uint8_t i = 0; i < BOOT_STATUS_STATE_COUNT - 1 && !err; i++) {
        err = status_write(st->pri, &st->tl_pri, i, (uint8_t)(i + 1));
    }
    struct boot_swap_state s;
    if (!err) {
        err = trailer_read_state(st->scr, &st->tl_scr, &s);
    }
    if (!err) {
        err = boot_status_init(st, st->pri, &st->tl_pri, bs, s.image_ok == BOOT_FLAG_SET);
    }
    return err;
}

static int swap_group(struct boot_state *st, struct boot_status *bs, const struct scratch_plan *p,
                      const struct scratch_group *g)
{
    bool first = bs->idx == 1;
    bool use_scratch = first && p->use_scratch;
    uint32_t copy_sz = first ? p->copy_sz1 : g->size;
    int err = 0;

    if (bs->state == 0) {
        err = boot_erase_region(st->scr, 0, st->scr->size);
        if (!err && first) {
            bool ok;
            err = secondary_image_ok(st, &ok);
            /* The scratch trailer keeps swap_info while the primary trailer is rebuilt. */
            if (!err) {
                err = boot_status_init(st, st->scr, &st->tl_scr, bs, ok);
            }
            if (!err && !use_scratch) {
                err = boot_erase_trailer_sectors(st->pri, &st->tl_pri);
                if (!err) {
                    err = boot_status_init(st, st->pri, &st->tl_pri, bs, ok);
                }
                if (!err) {
                    err = boot_erase_region(st->scr, 0, st->scr->size);
                }
            }
        }
        if (!err) {
            err = boot_copy_image_region(st, st->sec, g->off, st->scr, 0, copy_sz,
                                         BOOT_IMG_SECONDARY, g->off);
        }
        if (!err) {
            err = write_status(st, bs, use_scratch);
        }
        if (err) {
            return err;
        }
        bs->state = 1;
    }
    if (bs->state == 1) {
        err = boot_erase_region(st->sec, g->off, g->size);
        if (!err) {
            err = boot_copy_image_region(st, st->pri, g->off, st->sec, g->off, copy_sz,
                                         BOOT_IMG_PRIMARY, g->off);
        }
        if (!err && first && !use_scratch) {
            /* Only the primary may hold a trailer once the swap has begun. */
            err = boot_erase_trailer_sectors(st->sec, &st->tl_sec);
        }
        if (!err) {
            err = write_status(st, bs, use_scratch);
        }
        if (err) {
            return err;
        }
        bs->state = 2;
    }
    if (bs->state == 2) {
        err = boot_erase_region(st->pri, g->off, g->size);
        if (!err) {
            err = boot_copy_region(st, st->scr, 0, st->pri, g->off, copy_sz);
        }
        if (!err && use_scratch) {
            err = primary_trailer_from_scratch(st, bs);
        }
        if (!err) {
            err = write_status(st, bs, false);
        }
        if (!err && use_scratch) {
            /* Drop the scratch copy only once the primary trailer records group 1. */
            err = boot_erase_region(st->scr, 0, st->scr->size);
        }
        if (err) {
            return err;
        }
        bs->idx++;
        bs->state = 0;
    }
    return 0;
}

int swap_scratch_run(struct boot_state *st, struct boot_status *bs)
{
    struct scratch_plan p;
    int err = make_plan(st, bs->swap_size, &p);
    if (err) {
        return err;
    }
    for (uint32_t i = bs->idx - 1; i < p.count; i++) {
        err = swap_group(st, bs, &p, &p.g[i]);
        if (err) {
            return err;
        }
    }
    /* A scratch trailer left by a cut erase must go before copy_done is written, or the
     * next boot would take it for a swap in progress. */
    struct boot_swap_state s;
    err = trailer_read_state(st->scr, &st->tl_scr, &s);
#if BOOT_IMAGE_NUMBER > 1
    bool ours = s.image_num == BOOT_CURR_IMG(st);  /* not another image's swap under way */
#else
    bool ours = true;
#endif
    if (!err && s.magic == BOOT_MAGIC_GOOD && ours) {
        err = boot_erase_region(st->scr, 0, st->scr->size);
    }
    return err;
}
