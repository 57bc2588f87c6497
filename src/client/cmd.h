/* Shared by the command functions (os.c, img_cmds.c, shell.c, stat.c, settings.c, enum.c,
 * fs.c): the request shapes most commands use, and the optional-reply convention. */
#ifndef CLIENT_CMD_H
#define CLIENT_CMD_H

#include "dfukit/client.h"

/* Request bodies this size fit every command's arguments (names, echo text, shell argv). */
#define CLIENT_CMD_REQ_MAX 2048

/* Sends {key: value}, or {} when value is NULL, into r (see client_call). */
int client_cmd_kv(struct client_session *s, uint8_t op, uint16_t group, uint8_t id,
                  const char *key, const char *value, struct client_rsp *r,
                  struct client_deverr *err);
/* The reply to decode: the caller's rsp when given, else the local one. */
static inline struct client_rsp *client_cmd_rsp(struct client_rsp *rsp, struct client_rsp *local)
{
    return rsp ? rsp : local;
}
/* After decoding: keeps r for the caller only when it asked for it and all went well. */
int client_cmd_done(int rc, struct client_rsp *r, const struct client_rsp *rsp);

#endif
