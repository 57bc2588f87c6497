/* bridge: keeps a serial board reachable over UDP (a relay; the board answers). Runs until
 * SIGINT or SIGTERM, then prints what it relayed. */
#include <signal.h>
#include <string.h>

#include "dfukit/err.h"
#include "mcumgr.h"

static volatile int bridge_stop;

static void on_stop(int sig)
{
    (void)sig;
    bridge_stop = 1;
}

int mcumgr_cmd_bridge(struct mcumgr *m, struct mcumgr_args *a)
{
    const char *serial = mcumgr_opt_value(a, "--serial", NULL);
    const char *udp = mcumgr_opt_value(a, "--udp", NULL);
    int rc = mcumgr_no_more_opts(a, NULL);
    if (rc) {
        return rc;
    }
    if (a->argc > 0) {
        return mcumgr_fail_usage(m->what, "unexpected argument %s", a->argv[0]);
    }
    if (!serial) {
        return mcumgr_fail_usage(m->what, "--serial DEV[,baud=N] is required");
    }
    if (!udp) {
        udp = "127.0.0.1:1337"; /* SMP has no authentication: loopback unless named */
    }
    struct client_conn conn;
    char msg[300];
    if (client_conn_parse(&conn, CLIENT_CONN_SERIAL, serial, msg, sizeof(msg)) != 0) {
        return mcumgr_fail_usage(m->what, "%s", msg);
    }
    struct client_bridge *b;
    if (client_bridge_open(&b, &conn, udp, msg, sizeof(msg)) != 0) {
        return mcumgr_fail(m->what, "%s", msg);
    }
    char local[80] = "?";
    client_bridge_local(b, local, sizeof(local));
    fprintf(stderr, "bridge: %s (%u baud%s) <-> udp %s\n", conn.dev, (unsigned)conn.baud,
            conn.raw ? ", raw" : "", local);
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_stop;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    int err = client_bridge_run(b, &bridge_stop, msg, sizeof(msg));
    struct client_bridge_stats st;
    client_bridge_get_stats(b, &st);
    client_bridge_close(b);
    fprintf(stderr, "bridge: relayed %u requests and %u answers (%u unasked-for packets "
            "dropped)\n", (unsigned)st.requests, (unsigned)st.answers, (unsigned)st.unmatched);
    return err ? mcumgr_fail(m->what, "%s", msg) : MCUMGR_EXIT_OK;
}
