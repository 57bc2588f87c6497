/* The FS group's filesystem port on the host: a sandbox directory no path can leave.
 * Resolution rules are in port_host.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dfukit/err.h"
#include "port_host.h"

static int errno_to_dfu(int e)
{
    switch (e) {
    case ENOENT:
    case ENOTDIR:
        return DFU_ENOENT;
    case ELOOP:       /* O_NOFOLLOW met a symlink */
    case EISDIR:
    case EACCES:
    case EPERM:
    case EROFS:
    case ENXIO:
        return DFU_EPERM;
    case ENOSPC:
    case EDQUOT:
    case EMFILE:
    case ENFILE:
        return DFU_ENOSPC;
    case ENAMETOOLONG:
        return DFU_EINVAL;
    default:
        return DFU_EIO;
    }
}

/* Splits path into the directory fd holding its last component and that component, opening
 * every directory on the way with O_NOFOLLOW relative to the previous one. *dir_fd must be
 * closed by the caller. leaf is empty when the path names the root itself. */
static int resolve_parent(const struct port_fs_sandbox *sb, const char *path, int *dir_fd,
                          char leaf[FS_PORT_PATH_MAX + 1])
{
    size_t plen = strnlen(path, FS_PORT_PATH_MAX + 1);
    if (plen == 0 || plen > FS_PORT_PATH_MAX) {
        return DFU_EINVAL;
    }
    int fd = dup(sb->root_fd);
    if (fd < 0) {
        return errno_to_dfu(errno);
    }
    leaf[0] = '\0';
    const char *p = path;
    while (*p) {
        while (*p == '/') {
            p++;
        }
        const char *end = strchr(p, '/');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == 0) {
            break;
        }
        if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.')) {
            close(fd);
            return DFU_EINVAL;
        }
        /* Is anything but slashes left after this component? Then it is a directory. */
        const char *rest = p + n;
        while (*rest == '/') {
            rest++;
        }
        if (*rest == '\0') {
            memcpy(leaf, p, n);
            leaf[n] = '\0';
            break;
        }
        char comp[FS_PORT_PATH_MAX + 1];
        memcpy(comp, p, n);
        comp[n] = '\0';
        int next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        int e = errno;
        close(fd);
        if (next < 0) {
            return errno_to_dfu(e);
        }
        fd = next;
        p = rest;
    }
    *dir_fd = fd;
    return 0;
}

static int sb_stat(void *ctx, const char *path, struct fs_port_stat *out)
{
    struct port_fs_sandbox *sb = ctx;
    char leaf[FS_PORT_PATH_MAX + 1];
    int dir_fd;
    int rc = resolve_parent(sb, path, &dir_fd, leaf);
    if (rc) {
        return rc;
    }
    struct stat st;
    if (leaf[0] == '\0') {
        rc = fstat(dir_fd, &st);
    } else {
        rc = fstatat(dir_fd, leaf, &st, AT_SYMLINK_NOFOLLOW);
    }
    int e = errno;
    close(dir_fd);
    if (rc != 0) {
        return errno_to_dfu(e);
    }
    if (S_ISDIR(st.st_mode)) {
        out->is_dir = true;
        out->size = 0;
        return 0;
    }
    if (!S_ISREG(st.st_mode)) {
        return DFU_EPERM;  /* symlinks, devices, fifos: not files of this filesystem */
    }
    if ((uint64_t)st.st_size > UINT32_MAX) {
        return DFU_EOVERFLOW;
    }
    out->is_dir = false;
    out->size = (uint32_t)st.st_size;
    return 0;
}

static int sb_open(void *ctx, const char *path, enum fs_port_mode mode)
{
    struct port_fs_sandbox *sb = ctx;
    int slot = -1;
    for (int i = 0; i < PORT_FS_HANDLES; i++) {
        if (sb->fds[i] < 0) {
            slot = i;
            break;
        }
    }
    if (slot < 0) {
        return DFU_ENOSPC;
    }
    char leaf[FS_PORT_PATH_MAX + 1];
    int dir_fd;
    int rc = resolve_parent(sb, path, &dir_fd, leaf);
    if (rc) {
        return rc;
    }
    if (leaf[0] == '\0') {
        close(dir_fd);
        return DFU_EPERM;  /* the root is a directory */
    }
    /* O_NONBLOCK so that a fifo cannot stall the device; it is refused just below anyway. */
    int flags = O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK;
    flags |= (mode == FS_PORT_WRITE) ? (O_RDWR | O_CREAT) : O_RDONLY;
    int fd = openat(dir_fd, leaf, flags, 0644);
    int e = errno;
    close(dir_fd);
    if (fd < 0) {
        return errno_to_dfu(e);
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return DFU_EPERM;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0) {
        (void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    }
    sb->fds[slot] = fd;
    return slot;
}

static int handle_fd(const struct port_fs_sandbox *sb, int h)
{
    return (h >= 0 && h < PORT_FS_HANDLES) ? sb->fds[h] : -1;
}

static int sb_read(void *ctx, int h, uint32_t off, void *buf, uint32_t len)
{
    int fd = handle_fd(ctx, h);
    if (fd < 0) {
        return DFU_EINVAL;
    }
    if (len > INT32_MAX) {
        len = INT32_MAX;
    }
    uint32_t got = 0;
    while (got < len) {
        ssize_t n = pread(fd, (uint8_t *)buf + got, len - got, (off_t)off + got);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return errno_to_dfu(errno);
        }
        if (n == 0) {
            break;
        }
        got += (uint32_t)n;
    }
    return (int)got;
}

static int sb_write(void *ctx, int h, uint32_t off, const void *buf, uint32_t len)
{
    int fd = handle_fd(ctx, h);
    if (fd < 0) {
        return DFU_EINVAL;
    }
    uint32_t put = 0;
    while (put < len) {
        ssize_t n = pwrite(fd, (const uint8_t *)buf + put, len - put, (off_t)off + put);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return errno_to_dfu(errno);
        }
        put += (uint32_t)n;
    }
    return 0;
}

static int sb_truncate(void *ctx, int h, uint32_t len)
{
    int fd = handle_fd(ctx, h);
    if (fd < 0) {
        return DFU_EINVAL;
    }
    return ftruncate(fd, (off_t)len) == 0 ? 0 : errno_to_dfu(errno);
}

static void sb_close(void *ctx, int h)
{
    struct port_fs_sandbox *sb = ctx;
    int fd = handle_fd(sb, h);
    if (fd >= 0) {
        close(fd);
        sb->fds[h] = -1;
    }
}

/* Bytes of the regular files under directory fd (closed here), added to *used; depth bounds
 * the walk (the FS group never makes directories, so a deep tree is someone else's). */
static int tree_size(int fd, int depth, uint64_t *used)
{
    DIR *dir = fdopendir(fd);
    if (dir == NULL) {
        close(fd);
        return DFU_EIO;
    }
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(dir)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
            continue;
        }
        struct stat st;
        if (fstatat(dirfd(dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
            continue;  /* gone meanwhile */
        }
        if (S_ISREG(st.st_mode)) {
            *used += (uint64_t)st.st_size;
        } else if (S_ISDIR(st.st_mode) && depth > 0) {
            int sub = openat(dirfd(dir), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            rc = sub < 0 ? DFU_EIO : tree_size(sub, depth - 1, used);
        }
    }
    closedir(dir);
    return rc;
}

static int sb_free_space(void *ctx, uint32_t *out)
{
    struct port_fs_sandbox *sb = ctx;
    if (sb->size_limit == 0) {
        *out = UINT32_MAX;
        return 0;
    }
    int fd = openat(sb->root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        return DFU_EIO;
    }
    uint64_t used = 0;
    int rc = tree_size(fd, 8, &used);
    if (rc == 0) {
        *out = used >= sb->size_limit ? 0 : (uint32_t)(sb->size_limit - used);
    }
    return rc;
}

static const struct fs_port_ops sandbox_ops = {
    .open = sb_open,
    .read = sb_read,
    .write = sb_write,
    .truncate = sb_truncate,
    .stat = sb_stat,
    .close = sb_close,
    .free_space = sb_free_space,
};

int port_fs_sandbox_open(struct port_fs_sandbox *sb, const char *root, const char *mount)
{
    for (int i = 0; i < PORT_FS_HANDLES; i++) {
        sb->fds[i] = -1;
    }
    sb->root_fd = -1;
    if (mkdir(root, 0755) != 0 && errno != EEXIST) {
        return DFU_EIO;
    }
    int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        return DFU_EIO;
    }
    if (mount != NULL) {
        if (strchr(mount, '/') != NULL || strcmp(mount, ".") == 0 || strcmp(mount, "..") == 0 ||
            (mkdirat(fd, mount, 0755) != 0 && errno != EEXIST)) {
            close(fd);
            return DFU_EIO;
        }
    }
    sb->root_fd = fd;
    return 0;
}

void port_fs_sandbox_close(struct port_fs_sandbox *sb)
{
    for (int i = 0; i < PORT_FS_HANDLES; i++) {
        sb_close(sb, i);
    }
    if (sb->root_fd >= 0) {
        close(sb->root_fd);
        sb->root_fd = -1;
    }
}

struct fs_port port_fs_sandbox_port(struct port_fs_sandbox *sb)
{
    struct fs_port p = {.ops = &sandbox_ops, .ctx = sb};
    return p;
}
