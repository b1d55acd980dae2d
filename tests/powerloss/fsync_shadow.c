/* LD_PRELOAD shim for the power-loss test (tests/test_outbox_powerloss.py).
 *
 * Models a power cut in which the page cache is lost: only data that was fsynced
 * survives. On every fsync()/fdatasync() of a regular file below $POWERLOSS_WATCH,
 * the file's whole content at that moment is copied (atomically, via rename) to the
 * same relative path below $POWERLOSS_SHADOW, before the real fsync runs. After the
 * process is killed, $POWERLOSS_SHADOW is the disk as the next boot would find it:
 * every write that was never fsynced is gone (a file never fsynced does not exist).
 *
 * Directory entries: unlink() and rename() below $POWERLOSS_WATCH reach the shadow only
 * when their directory is fsynced (POSIX: until then a power cut may undo them). A new
 * file's name is taken as durable with the file's first fsync (optimistic; SQLite and
 * the outbox fsync the directory after creating files anyway). A fsync that returned
 * keeps everything written before it. Torn sector writes are not modelled.
 *
 * The content is read with pread() on the fsynced descriptor itself: opening and
 * closing another descriptor of an SQLite file would drop SQLite's POSIX locks.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *watched(const char *path) {
    /* The path below $POWERLOSS_WATCH ("/x/y"), or NULL when outside it. */
    const char *watch = getenv("POWERLOSS_WATCH");
    size_t wl = watch ? strlen(watch) : 0;
    if (!watch || !getenv("POWERLOSS_SHADOW") || strncmp(path, watch, wl) != 0 || path[wl] != '/')
        return NULL;
    return path + wl;
}

/* Directory operations waiting for their directory's fsync: {old, new} (new "" = unlink). */
#define MAX_PENDING 1024
#define REL_MAX 1024
static char pending[MAX_PENDING][2][REL_MAX];
static int pending_count;

static void absolute(const char *path, char *out) {
    if (path[0] == '/') {
        snprintf(out, PATH_MAX, "%s", path);
    } else {
        char cwd[PATH_MAX];
        if (!getcwd(cwd, sizeof cwd))
            cwd[0] = 0;
        snprintf(out, PATH_MAX, "%s/%s", cwd, path);
    }
}

static void remember(const char *old_path, const char *new_path) {
    char old_abs[PATH_MAX], new_abs[PATH_MAX] = "";
    absolute(old_path, old_abs);
    if (new_path)
        absolute(new_path, new_abs);
    if (!watched(old_abs) || pending_count >= MAX_PENDING)
        return;
    snprintf(pending[pending_count][0], REL_MAX, "%s", watched(old_abs));
    snprintf(pending[pending_count][1], REL_MAX, "%s", new_path && watched(new_abs) ? watched(new_abs) : "");
    pending_count++;
}

static void apply_pending(const char *directory) {
    /* `directory` was fsynced: its entries' changes become durable in the shadow. */
    const char *shadow = getenv("POWERLOSS_SHADOW");
    size_t dl = strlen(directory);
    int kept = 0;
    for (int i = 0; i < pending_count; i++) {
        const char *old_rel = pending[i][0];
        const char *slash = strrchr(old_rel, '/');
        if ((size_t)(slash - old_rel) == dl && strncmp(old_rel, directory, dl) == 0) {
            char old_shadow[PATH_MAX * 2], new_shadow[PATH_MAX * 2];
            snprintf(old_shadow, sizeof old_shadow, "%s%s", shadow, old_rel);
            if (pending[i][1][0]) {
                snprintf(new_shadow, sizeof new_shadow, "%s%s", shadow, pending[i][1]);
                rename(old_shadow, new_shadow);
            } else {
                unlink(old_shadow);
            }
        } else {
            if (kept != i) {
                memcpy(pending[kept], pending[i], sizeof pending[i]);
            }
            kept++;
        }
    }
    pending_count = kept;
}

static void make_parents(char *path) {
    for (char *p = path + 1; *p; p++) {
        if (*p == '/') {
            *p = 0;
            mkdir(path, 0700);
            *p = '/';
        }
    }
}

static int copy_out(int fd, int out) {
    char buf[65536];
    off_t offset = 0;
    for (;;) {
        ssize_t n = pread(fd, buf, sizeof buf, offset);
        if (n < 0)
            return -1;
        if (n == 0)
            return 0;
        if (write(out, buf, (size_t)n) != n)
            return -1;
        offset += n;
    }
}

static void snapshot(int fd) {
    const char *watch = getenv("POWERLOSS_WATCH");
    const char *shadow = getenv("POWERLOSS_SHADOW");
    if (!watch || !shadow)
        return;
    int saved_errno = errno;
    char link[64], path[PATH_MAX], target[PATH_MAX], tmp[PATH_MAX + 8];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    struct stat st;
    size_t wl = strlen(watch);
    if (n <= 0 || fstat(fd, &st) != 0)
        goto out;
    path[n] = 0;
    if (S_ISDIR(st.st_mode) && strncmp(path, watch, wl) == 0 && (path[wl] == '/' || path[wl] == 0)) {
        apply_pending(path + wl);
        goto out;
    }
    if (!S_ISREG(st.st_mode) || strncmp(path, watch, wl) != 0 || path[wl] != '/')
        goto out;
    snprintf(target, sizeof target, "%s%s", shadow, path + wl);
    snprintf(tmp, sizeof tmp, "%s.part", target);
    make_parents(target);
    int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (out < 0)
        goto out;
    int failed = copy_out(fd, out);
    if (failed && errno == EBADF) {           /* opened write-only (a key file): read it by path */
        int in = open(path, O_RDONLY);
        if (in >= 0) {
            failed = copy_out(in, out);
            close(in);
        }
    }
    close(out);
    if (!failed)
        rename(tmp, target);
out:
    errno = saved_errno;
}

int fsync(int fd) {
    static int (*real)(int);
    if (!real)
        real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    snapshot(fd);
    return real(fd);
}

int fdatasync(int fd) {
    static int (*real)(int);
    if (!real)
        real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
    snapshot(fd);
    return real(fd);
}

int unlink(const char *path) {
    static int (*real)(const char *);
    if (!real)
        real = (int (*)(const char *))dlsym(RTLD_NEXT, "unlink");
    int result = real(path);
    if (result == 0)
        remember(path, NULL);
    return result;
}

int unlinkat(int dirfd, const char *path, int flags) {
    static int (*real)(int, const char *, int);
    if (!real)
        real = (int (*)(int, const char *, int))dlsym(RTLD_NEXT, "unlinkat");
    int result = real(dirfd, path, flags);
    if (result == 0 && dirfd == AT_FDCWD)
        remember(path, NULL);
    return result;
}

int rename(const char *old_path, const char *new_path) {
    static int (*real)(const char *, const char *);
    if (!real)
        real = (int (*)(const char *, const char *))dlsym(RTLD_NEXT, "rename");
    int result = real(old_path, new_path);
    if (result == 0)
        remember(old_path, new_path);
    return result;
}
