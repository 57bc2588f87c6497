/* Serial devices and pseudo-terminals in raw mode through termios. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "dfukit/err.h"
#include "dfukit/hostio.h"

struct baud_map {
    uint32_t rate;
    speed_t code;
};

static const struct baud_map baud_table[] = {
    {1200, B1200},       {2400, B2400},       {4800, B4800},       {9600, B9600},
    {19200, B19200},     {38400, B38400},     {57600, B57600},     {115200, B115200},
    {230400, B230400},   {460800, B460800},   {500000, B500000},   {576000, B576000},
    {921600, B921600},   {1000000, B1000000}, {1500000, B1500000}, {2000000, B2000000},
    {3000000, B3000000}, {4000000, B4000000},
};

static int baud_code(uint32_t rate, speed_t *out)
{
    for (size_t i = 0; i < sizeof(baud_table) / sizeof(baud_table[0]); i++) {
        if (baud_table[i].rate == rate) {
            *out = baud_table[i].code;
            return 0;
        }
    }
    return DFU_EINVAL;
}

int hostio_serial_configure(int fd, uint32_t baud)
{
    speed_t code;
    if (baud_code(baud, &code) != 0) {
        return DFU_EINVAL;
    }
    struct termios t;
    if (tcgetattr(fd, &t) != 0) {
        return DFU_EIO;
    }
    cfmakeraw(&t);
    t.c_cflag &= ~(tcflag_t)(CSTOPB | PARENB | CRTSCTS);
    t.c_cflag |= CLOCAL | CREAD | CS8;
    t.c_iflag &= ~(tcflag_t)(IXON | IXOFF | IXANY);
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    if (cfsetispeed(&t, code) != 0 || cfsetospeed(&t, code) != 0 ||
        tcsetattr(fd, TCSANOW, &t) != 0) {
        return DFU_EIO;
    }
    return 0;
}

int hostio_serial_open(int *out_fd, const char *path, uint32_t baud)
{
    speed_t code;
    if (baud_code(baud, &code) != 0) {
        return DFU_EINVAL;
    }
    int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        return errno == ENOENT ? DFU_ENOENT : DFU_EIO;
    }
    int err = hostio_serial_configure(fd, baud);
    if (err) {
        close(fd);
        return err;
    }
    *out_fd = fd;
    return 0;
}

int hostio_pty_open(int *out_master, char *slave_path, size_t cap)
{
    int fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        return DFU_EIO;
    }
    char name[128];
    if (grantpt(fd) != 0 || unlockpt(fd) != 0 || ptsname_r(fd, name, sizeof(name)) != 0) {
        close(fd);
        return DFU_EIO;
    }
    if (strlen(name) + 1 > cap) {
        close(fd);
        return DFU_ENOMEM;
    }
    /* Raw on the master too, so neither side echoes or rewrites newlines. */
    struct termios t;
    if (tcgetattr(fd, &t) != 0) {
        close(fd);
        return DFU_EIO;
    }
    cfmakeraw(&t);
    if (tcsetattr(fd, TCSANOW, &t) != 0 || fcntl(fd, F_SETFL, O_NONBLOCK) != 0) {
        close(fd);
        return DFU_EIO;
    }
    memcpy(slave_path, name, strlen(name) + 1);
    *out_master = fd;
    return 0;
}

int hostio_pty_hold(int *out_fd, const char *slave_path)
{
    int fd = open(slave_path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        return errno == ENOENT ? DFU_ENOENT : DFU_EIO;
    }
    struct termios t;
    if (tcgetattr(fd, &t) == 0) {
        cfmakeraw(&t);
        tcsetattr(fd, TCSANOW, &t);
    }
    *out_fd = fd;
    return 0;
}
