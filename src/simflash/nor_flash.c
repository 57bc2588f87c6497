/* Emulated NOR flash: file-backed (mmap) or in memory, with NOR rules, per-sector counters
 * and a timing model. See include/dfukit/simflash.h. */
#include "dfukit/simflash.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dfukit/err.h"

/* Index of the sector holding device offset off (off < size). */
static uint32_t sector_index(const struct nor_flash *nf, uint32_t off, struct flash_sector *out)
{
    uint32_t base = 0, idx = 0;
    out->off = off;  /* callers check ranges first; this only keeps *out defined */
    out->size = 1;
    for (uint32_t r = 0; r < nf->dev.run_count; r++) {
        const struct flash_sector_run *run = &nf->runs[r];
        uint64_t span = (uint64_t)run->count * run->size;
        if (off < base + span) {
            uint32_t i = (off - base) / run->size;
            out->off = base + i * run->size;
            out->size = run->size;
            return idx + i;
        }
        base += (uint32_t)span;
        idx += run->count;
    }
    return UINT32_MAX;
}

static bool in_range(const struct nor_flash *nf, uint32_t off, uint32_t len)
{
    return off <= nf->dev.size && len <= nf->dev.size - off;
}

static int nf_read(void *ctx, uint32_t off, void *buf, uint32_t len)
{
    struct nor_flash *nf = ctx;
    if (!in_range(nf, off, len)) {
        return DFU_ERANGE;
    }
    memcpy(buf, nf->mem + off, len);
    nf->total.reads++;
    nf->total.bytes_read += len;
    /* Charge the read to every sector it touches. */
    uint32_t pos = off, end = off + len;
    while (pos < end) {
        struct flash_sector s;
        uint32_t idx = sector_index(nf, pos, &s);
        nf->per_sector[idx].reads++;
        uint32_t stop = s.off + s.size < end ? s.off + s.size : end;
        nf->per_sector[idx].bytes_read += stop - pos;
        pos = stop;
    }
    return 0;
}

static int nf_write(void *ctx, uint32_t off, const void *buf, uint32_t len)
{
    struct nor_flash *nf = ctx;
    uint32_t align = nf->dev.write_align;
    if (!in_range(nf, off, len) || off % align != 0 || len % align != 0) {
        return DFU_EINVAL;
    }
    /* NOR programs only erased cells: refuse the whole write if any target byte is not
     * erased (writing the erased value over an erased byte is a no-op and allowed). */
    for (uint32_t i = 0; i < len; i++) {
        if (nf->mem[off + i] != nf->dev.erased_val) {
            return DFU_EINVAL;
        }
    }
    memcpy(nf->mem + off, buf, len);
    nf->total.writes++;
    nf->total.bytes_written += len;
    uint32_t pos = off, end = off + len;
    while (pos < end) {
        struct flash_sector s;
        uint32_t idx = sector_index(nf, pos, &s);
        nf->per_sector[idx].writes++;
        uint32_t stop = s.off + s.size < end ? s.off + s.size : end;
        nf->per_sector[idx].bytes_written += stop - pos;
        pos = stop;
    }
    if (nf->timing.word_size > 0) {
        uint64_t words = ((uint64_t)len + nf->timing.word_size - 1) / nf->timing.word_size;
        nf->time_us += words * nf->timing.word_us;
    }
    return 0;
}

static int nf_erase(void *ctx, uint32_t off, uint32_t len)
{
    struct nor_flash *nf = ctx;
    if (!in_range(nf, off, len) || len == 0) {
        return DFU_EINVAL;
    }
    struct flash_sector first, last;
    sector_index(nf, off, &first);
    sector_index(nf, off + len - 1, &last);
    if (first.off != off || last.off + last.size != off + len) {
        return DFU_EINVAL;
    }
    memset(nf->mem + off, nf->dev.erased_val, len);
    uint32_t pos = off;
    while (pos < off + len) {
        struct flash_sector s;
        uint32_t idx = sector_index(nf, pos, &s);
        nf->per_sector[idx].erases++;
        nf->total.erases++;
        if (nf->timing.erase_unit > 0) {
            uint64_t t = (uint64_t)nf->timing.erase_us * s.size / nf->timing.erase_unit;
            nf->time_us += t;
            nf->erase_time_us += t;
        }
        pos = s.off + s.size;
    }
    return 0;
}

static const struct flash_ops nor_flash_ops = {
    .read = nf_read,
    .write = nf_write,
    .erase = nf_erase,
};

static bool geometry_ok(const struct nor_flash_config *cfg, uint64_t *size, uint32_t *count)
{
    uint32_t a = cfg->write_align;
    if (a == 0 || a > 32 || (a & (a - 1)) != 0) {
        return false;
    }
    if (cfg->erased_val != 0xff && cfg->erased_val != 0x00) {
        return false;
    }
    if (cfg->runs == NULL || cfg->run_count == 0 || cfg->run_count > NOR_FLASH_MAX_RUNS) {
        return false;
    }
    uint64_t total = 0, n = 0;
    for (uint32_t r = 0; r < cfg->run_count; r++) {
        uint32_t sz = cfg->runs[r].size;
        if (cfg->runs[r].count == 0 || sz == 0 || sz % a != 0) {
            return false;
        }
        total += (uint64_t)cfg->runs[r].count * sz;
        n += cfg->runs[r].count;
    }
    if (total == 0 || total > UINT32_MAX || n > UINT32_MAX) {
        return false;
    }
    *size = total;
    *count = (uint32_t)n;
    return true;
}

/* Maps the backing file, creating or resizing it (then erased). */
static int map_file(struct nor_flash *nf, const char *path, uint32_t size)
{
    int fd = open(path, O_RDWR | O_CREAT, 0644);
    if (fd < 0) {
        return DFU_EIO;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        close(fd);
        return DFU_EIO;
    }
    bool fresh = (uint64_t)st.st_size != size;
    if (fresh && ftruncate(fd, size) != 0) {
        close(fd);
        return DFU_EIO;
    }
    void *m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED) {
        close(fd);
        return DFU_EIO;
    }
    nf->mem = m;
    nf->fd = fd;
    if (fresh) {
        memset(nf->mem, nf->dev.erased_val, size);
    }
    return 0;
}

int nor_flash_open(struct nor_flash *nf, const struct nor_flash_config *cfg)
{
    uint64_t size;
    uint32_t count;
    memset(nf, 0, sizeof(*nf));
    nf->fd = -1;
    if (cfg == NULL || !geometry_ok(cfg, &size, &count)) {
        return DFU_EINVAL;
    }
    memcpy(nf->runs, cfg->runs, cfg->run_count * sizeof(cfg->runs[0]));
    nf->dev.ops = &nor_flash_ops;
    nf->dev.ctx = nf;
    nf->dev.size = (uint32_t)size;
    nf->dev.write_align = cfg->write_align;
    nf->dev.erased_val = cfg->erased_val;
    nf->dev.runs = nf->runs;
    nf->dev.run_count = cfg->run_count;
    nf->sector_count = count;
    nf->timing = cfg->timing;
    nf->per_sector = calloc(count, sizeof(*nf->per_sector));
    if (nf->per_sector == NULL) {
        return DFU_ENOMEM;
    }
    int err = 0;
    if (cfg->path != NULL) {
        err = map_file(nf, cfg->path, (uint32_t)size);
    } else {
        nf->mem = malloc(size);
        if (nf->mem == NULL) {
            err = DFU_ENOMEM;
        } else {
            memset(nf->mem, cfg->erased_val, size);
        }
    }
    if (err) {
        free(nf->per_sector);
        nf->per_sector = NULL;
    }
    return err;
}

void nor_flash_close(struct nor_flash *nf)
{
    if (nf->mem != NULL) {
        if (nf->fd >= 0) {
            msync(nf->mem, nf->dev.size, MS_SYNC);
            munmap(nf->mem, nf->dev.size);
        } else {
            free(nf->mem);
        }
    }
    if (nf->fd >= 0) {
        close(nf->fd);
    }
    free(nf->per_sector);
    nf->mem = NULL;
    nf->per_sector = NULL;
    nf->fd = -1;
}

uint8_t *nor_flash_mem(struct nor_flash *nf) { return nf->mem; }

uint32_t nor_flash_sector_count(const struct nor_flash *nf) { return nf->sector_count; }

int nor_flash_sector(const struct nor_flash *nf, uint32_t idx, struct flash_sector *out)
{
    uint32_t base = 0;
    for (uint32_t r = 0; r < nf->dev.run_count; r++) {
        if (idx < nf->runs[r].count) {
            out->off = base + idx * nf->runs[r].size;
            out->size = nf->runs[r].size;
            return 0;
        }
        idx -= nf->runs[r].count;
        base += nf->runs[r].count * nf->runs[r].size;
    }
    return DFU_ERANGE;
}

const struct nor_flash_stats *nor_flash_total(const struct nor_flash *nf) { return &nf->total; }

const struct nor_flash_stats *nor_flash_sector_stats(const struct nor_flash *nf, uint32_t idx)
{
    return idx < nf->sector_count ? &nf->per_sector[idx] : NULL;
}

uint64_t nor_flash_time_us(const struct nor_flash *nf) { return nf->time_us; }
uint64_t nor_flash_erase_time_us(const struct nor_flash *nf) { return nf->erase_time_us; }

uint64_t nor_flash_max_erases(const struct nor_flash *nf)
{
    uint64_t m = 0;
    for (uint32_t i = 0; i < nf->sector_count; i++) {
        if (nf->per_sector[i].erases > m) {
            m = nf->per_sector[i].erases;
        }
    }
    return m;
}

void nor_flash_reset_stats(struct nor_flash *nf)
{
    memset(&nf->total, 0, sizeof(nf->total));
    memset(nf->per_sector, 0, nf->sector_count * sizeof(*nf->per_sector));
    nf->time_us = 0;
    nf->erase_time_us = 0;
}
