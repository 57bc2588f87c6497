/* Many boards at once (host only): the one-step upgrade (client_upgrade) and the image list
 * on every board of a fleet, in parallel. Each board runs in a process of its own (fork), with
 * its own session: nothing of the client library is shared between boards, and one board
 * that crashes or hangs cannot take the others with it. The children report to the parent
 * through a pipe; the parent calls the caller's update hook (the tool draws the live lines)
 * and fills one result per board. The library never prints. */
#ifndef DFUKIT_FLEET_H
#define DFUKIT_FLEET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dfukit/client.h"

enum client_fleet_state {
    FLEET_QUEUED = 0,
    FLEET_RUNNING,       /* step says which: "connect", "upload", "reset", "wait", ... */
    FLEET_DONE,          /* upgraded */
    FLEET_SKIPPED,       /* already running the image */
    FLEET_FAILED,
};

#ifndef FLEET_MAX_SLOTS
#define FLEET_MAX_SLOTS CLIENT_STATE_SLOTS_MAX
#endif

struct client_fleet_board {
    char name[128];                  /* profile name, or the connection text */
    struct client_conn conn;
    /* filled while running */
    enum client_fleet_state state;
    char step[32];
    size_t done, total, resumed_from;
    double start_s, end_s;           /* client_now_s() */
    double upload_s;                 /* seconds the upload took (0 until it ended) */
    char old_version[32], new_version[32];
    int rc;                          /* 0, a dfu_err, CLIENT_EDEVICE or CLIENT_ELINK */
    struct client_deverr deverr;
    enum client_boot_outcome boot;
    enum client_upload_verdict verdict;
    char failed_step[32];
    char link_error[256];            /* the transport's account (exec's exit) */
    /* fleet list */
    struct client_slot_state slots[FLEET_MAX_SLOTS];
    size_t nslots;
};

struct client_fleet_opts {
    const uint8_t *data;             /* the image file (upgrade) */
    size_t len;
    bool test, confirm, wait;
    unsigned jobs;                   /* boards at once; 0 = all (serial: one per port) */
    int timeout_ms;                  /* per request; 0 = 10 s */
    int tries;
    /* Called in the parent whenever board i changed (state, step or progress). */
    void (*update)(void *arg, const struct client_fleet_board *b, size_t n, size_t i);
    void *update_arg;
};

/* Upgrades every board; returns the number that failed (0: all done or skipped), or a
 * negative dfu_err when the fleet could not be run at all. */
int client_fleet_upgrade(struct client_fleet_board *b, size_t n,
                         const struct client_fleet_opts *o);
/* Reads every board's image list into slots (state FLEET_DONE) or FLEET_FAILED. */
int client_fleet_list(struct client_fleet_board *b, size_t n, const struct client_fleet_opts *o);


#endif
