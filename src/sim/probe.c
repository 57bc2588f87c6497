/* The programming probe (`devsim flash`): puts an image file into the board's flash the way
 * `west flash` does, erasing only the sectors the data covers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dfukit/err.h"
#include "dfukit/imgbuild.h"
#include "dfukit/sim.h"
#include "dfukit/simflash.h"

static int say(char *err, size_t err_len, int rc, const char *fmt, const char *arg)
{
    if (err != NULL && err_len > 0) {
        snprintf(err, err_len, fmt, arg);
    }
    return rc;
}

/* Erases every sector touching [off, off+len) and programs data there, padded with the erased
 * value to whole write units. */
static int program(struct nor_flash *nf, uint32_t off, const uint8_t *data, uint32_t len)
{
    const struct flash_dev *dev = &nf->dev;
    uint32_t end = off + len;
    for (uint32_t pos = off; pos < end;) {
        struct flash_sector s;
        int rc = flash_dev_sector_at(dev, pos, &s);
        if (rc != 0) {
            return rc;
        }
        rc = dev->ops->erase(dev->ctx, s.off, s.size);
        if (rc != 0) {
            return rc;
        }
        pos = s.off + s.size;
    }
    uint32_t align = dev->write_align;
    uint32_t start = off - off % align;
    uint32_t stop = (end + align - 1) / align * align;
    uint8_t *buf = malloc(stop - start);
    if (buf == NULL) {
        return DFU_ENOMEM;
    }
    memset(buf, dev->erased_val, stop - start);
    memcpy(buf + (off - start), data, len);
    int rc = dev->ops->write(dev->ctx, start, buf, stop - start);
    free(buf);
    return rc;
}

int sim_flash_file_check(const struct sim_board *board, const char *flash_path, char *err,
                         size_t err_len)
{
    struct stat st;
    if (stat(flash_path, &st) != 0 || (uint64_t)st.st_size == board->flash_size) {
        return 0;  /* missing: created erased */
    }
    if (err != NULL && err_len > 0) {
        snprintf(err, err_len, "%s is %llu bytes but %s has %u bytes of flash (another board?)",
                 flash_path, (unsigned long long)st.st_size, board->name, board->flash_size);
    }
    return DFU_EINVAL;
}

int sim_probe_flash(const struct sim_board *board, const char *flash_path, const char *file,
                    int slot, uint32_t *where, uint32_t *len, char *err, size_t err_len)
{
    int rc = sim_flash_file_check(board, flash_path, err, err_len);
    if (rc != 0) {
        return rc;
    }
    bool is_hex = imgbuild_is_hex_name(file);
    uint8_t *data = NULL;
    size_t size = 0;
    uint32_t base = 0;
    bool has_base = false;
    char why[IMGBUILD_ERR_LEN] = "";
    rc = imgbuild_read_file(file, is_hex, &data, &size, &base, &has_base, why, sizeof why);
    if (rc != 0) {
        return say(err, err_len, rc, "%s", why[0] ? why : dfu_strerror(rc));
    }
    uint64_t off;
    if (slot > (board->image_count > 1 ? 3 : 1) || slot < -1) {
        free(data);
        return say(err, err_len, DFU_EINVAL, "%s",
                   board->image_count > 1 ? "the slot must be 0 to 3" : "the slot must be 0 or 1");
    }
    if (slot >= 0 || !has_base) {
        struct sim_part part;  /* swap-offset: slot 1 one sector in */
        if (sim_board_image_part(board, slot < 0 ? 0 : slot, &part) != 0 || size > part.size) {
            free(data);
            return say(err, err_len, DFU_ENOSPC, "%s does not fit the slot", file);
        }
        off = part.off;
    } else {
        if (base < board->mem_base) {
            free(data);
            return say(err, err_len, DFU_ERANGE, "%s lies below the flash", file);
        }
        off = base - board->mem_base;
    }
    if (size == 0 || off + size > board->flash_size) {
        free(data);
        return say(err, err_len, DFU_ERANGE, "%s is empty or lies outside the flash", file);
    }
    struct nor_flash nf;
    struct nor_flash_config cfg = {
        .path = flash_path,
        .write_align = board->write_align,
        .erased_val = board->erased_val,
        .runs = board->runs,
        .run_count = board->run_count,
    };
    memset(&nf, 0, sizeof nf);
    rc = nor_flash_open(&nf, &cfg);
    if (rc != 0) {
        free(data);
        return say(err, err_len, rc, "cannot open the flash file %s", flash_path);
    }
    rc = program(&nf, (uint32_t)off, data, (uint32_t)size);
    nor_flash_close(&nf);
    free(data);
    if (rc != 0) {
        return say(err, err_len, rc, "programming failed: %s", dfu_strerror(rc));
    }
    *where = (uint32_t)off;
    *len = (uint32_t)size;
    return 0;
}
