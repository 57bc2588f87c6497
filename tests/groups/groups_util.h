/* Test bench for the FS, Shell, Stat, Settings and Enum groups: a server with every group
 * registered over host ports (sandbox directory, simulator shell, RAM flash storage), request
 * bytes in through server_process(), response bytes out, decoded with libcbor. */
#ifndef DFUKIT_TESTS_GROUPS_UTIL_H
#define DFUKIT_TESTS_GROUPS_UTIL_H

#include <cbor.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dfukit/server.h"
#include "port_host.h"
#include "ramflash.h"

#define BENCH_FLASH_SIZE (64u * 1024u)
#define BENCH_SECTOR 4096u
#define BENCH_STORAGE_OFF (48u * 1024u)
#define BENCH_STORAGE_SIZE (16u * 1024u)

struct bench {
    struct smp_server srv;
    struct server_port port;
    struct server_config cfg;
    /* FS */
    char root[512];
    struct port_fs_sandbox sandbox;
    struct fs_port fs;
    struct fs_mgmt_state fs_state;
    uint32_t now_ms;
    /* shell */
    struct port_shell_sim shell_sim;
    struct shell_port shell;
    /* settings on RAM flash */
    uint8_t mem[BENCH_FLASH_SIZE];
    struct ramflash rf;
    struct flash_area storage;
    struct port_shell_partition parts[1];
    struct settings_store settings;
    /* stats */
    struct stat_registry stats;
    struct stat_group smp_stats;
    /* last response */
    uint8_t rsp[4096];
    size_t rsp_len;
    uint8_t seq;
};

/* Sets up the bench; `name` makes the sandbox directory unique (DFU_TEST_TMP/groups/<name>),
 * emptied first. erased_val/write_align: the storage flash's geometry. */
void bench_init(struct bench *b, const char *name, uint8_t erased_val, uint32_t write_align);
/* Registers the groups and the server again on the same ports and flash (a "reset"). */
void bench_restart(struct bench *b);
void bench_fini(struct bench *b);

/* Sends one request (payload = CBOR bytes, may be empty) and returns the decoded response map
 * (caller cbor_decref's it); asserts the response header matches the request. */
cbor_item_t *bench_req(struct bench *b, uint8_t version, uint8_t op, uint16_t group, uint8_t id,
                       const uint8_t *payload, size_t len);

/* Sends raw packet bytes; returns the response length (bytes in b->rsp). */
size_t bench_raw(struct bench *b, const uint8_t *pkt, size_t len);

/* Request payload builder over the project's encoder. */
struct req {
    uint8_t buf[2048];
    struct smp_cbor_enc enc;
};
void req_init(struct req *r);
size_t req_len(const struct req *r);

/* libcbor lookups in a response map: NULL / asserting getters. */
cbor_item_t *map_get(cbor_item_t *map, const char *key);
uint64_t map_uint(cbor_item_t *map, const char *key);
int64_t map_int(cbor_item_t *map, const char *key);
/* Copies a bstr or tstr value; returns its length (asserts it fits). */
size_t map_bytes(cbor_item_t *map, const char *key, void *out, size_t cap);
size_t map_size(cbor_item_t *map);
/* Asserts a v2 group error {"err": {"group", "rc"}}. */
void expect_group_err(cbor_item_t *rsp, uint16_t group, uint16_t rc);
/* Asserts {"rc": rc, ...}. */
void expect_rc(cbor_item_t *rsp, int rc);

/* Host file helpers in the sandbox. */
void sandbox_write(const struct bench *b, const char *rel, const void *data, size_t len);
/* Reads a sandbox file; returns its length, or -1 when missing. */
long sandbox_read(const struct bench *b, const char *rel, void *out, size_t cap);

#endif
