/* A private D-Bus bus for a test: `dbus-daemon --session --print-address --nofork` (the
 * session configuration lets anyone own any name, org.bluez included). Killed and reaped by
 * test_dbus_stop. */
#ifndef DFUKIT_TESTS_TEST_DBUS_H
#define DFUKIT_TESTS_TEST_DBUS_H

#include <sys/types.h>

struct test_dbus {
    pid_t pid;
    char address[256];
};

/* 0, or -1 when the daemon cannot be started. */
int test_dbus_start(struct test_dbus *d);
void test_dbus_stop(struct test_dbus *d);

#endif
