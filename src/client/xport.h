/* Internal: the transports behind client_xport_open(). */
#ifndef CLIENT_XPORT_H
#define CLIENT_XPORT_H

#include "dfukit/client.h"

int client_xport_udp_open(struct client_xport *out, const struct client_conn *conn, char *msg,
                          size_t msg_len);
int client_xport_serial_open(struct client_xport *out, const struct client_conn *conn,
                             char *msg, size_t msg_len);

#endif
