/*
 * gguf_pack.c — single-file executables: a program with a GGUF model
 * appended (mote pack), read and written.
 *
 * The layout (all integers little-endian):
 *   [0, exe_size)                      the program, byte for byte
 *   zeros up to model_offset           a multiple of MOTE_PACK_ALIGN (64 KiB),
 *                                      so the model can be mapped in place
 *                                      on any page size (4, 16 or 64 KiB)
 *   [model_offset, +model_size)        the GGUF file, byte for byte
 *   [args_offset, +args_size)          default arguments, each NUL-terminated
 *   the trailer, the last 56 bytes:    u64 exe_size, u64 model_offset,
 *                                      u64 model_size, u64 args_offset,
 *                                      u64 args_size, u32 version (1),
 *                                      u32 0, "MOTEPACK"
 * The trailer is at the end so a program can find it in its own file without
 * knowing its own size, and the ELF loader ignores everything past the
 * program's segments.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "gguf/gguf_internal.h"

#define TRAILER_SIZE 56
#define PACK_VERSION 1
static const char pack_magic[8] = {'M', 'O', 'T', 'E', 'P', 'A', 'C', 'K'};

static uint64_t get_u64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

static void put_u64(uint8_t *p, uint64_t v) {
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}

/* Does [off, off + len) lie within [lo, hi)? Without overflow. */
static int within(uint64_t off, uint64_t len, uint64_t lo, uint64_t hi) {
    return off >= lo && off <= hi && len <= hi - off;
}

int mote_pack_read_fd(int fd, uint64_t file_size, mote_pack_info *out) {
    uint8_t t[TRAILER_SIZE];
    if (file_size < TRAILER_SIZE || pread(fd, t, TRAILER_SIZE, (off_t)(file_size - TRAILER_SIZE)) != TRAILER_SIZE ||
        memcmp(t + 48, pack_magic, 8) != 0)
        return MOTE_ERR_NOT_FOUND; /* not packed: no message, the caller goes on */
    const uint32_t version = (uint32_t)get_u64(t + 40);
    if (version != PACK_VERSION)
        return mote_fail(MOTE_ERR_VERSION, "mote pack trailer version %u (this mote reads version %d)", version, PACK_VERSION);
    mote_pack_info p = {get_u64(t), get_u64(t + 8), get_u64(t + 16), get_u64(t + 24), get_u64(t + 32)};
    const uint64_t end = file_size - TRAILER_SIZE;
    if (p.model_offset % MOTE_PACK_ALIGN || p.model_offset < p.exe_size || p.model_size == 0 ||
        !within(p.model_offset, p.model_size, 0, end) || !within(p.args_offset, p.args_size, p.model_offset + p.model_size, end))
        return mote_fail(MOTE_ERR_FORMAT, "damaged mote pack trailer (model %llu bytes at %llu, arguments %llu at %llu, file %llu)",
                         (unsigned long long)p.model_size, (unsigned long long)p.model_offset,
                         (unsigned long long)p.args_size, (unsigned long long)p.args_offset, (unsigned long long)file_size);
    *out = p;
    return MOTE_OK;
}

int mote_pack_read(const char *path, mote_pack_info *out) {
    if (!path || !out) return mote_fail(MOTE_ERR_INVALID_ARG, "mote_pack_read: null argument");
    int fd = open(path, O_RDONLY);
    if (fd < 0) return mote_fail(MOTE_ERR_IO, "cannot open '%s': %s", path, strerror(errno));
    struct stat st;
    int rc = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? mote_pack_read_fd(fd, (uint64_t)st.st_size, out)
                                                         : MOTE_ERR_NOT_FOUND;
    close(fd);
    return rc;
}

int mote_pack_args(const char *path, const mote_pack_info *info, char ***argv, int *argc) {
    if (!path || !info || !argv || !argc) return mote_fail(MOTE_ERR_INVALID_ARG, "mote_pack_args: null argument");
    if (info->args_size > (1u << 20)) return mote_fail(MOTE_ERR_FORMAT, "'%s': %llu bytes of default arguments (at most 1 MiB)",
                                                       path, (unsigned long long)info->args_size);
    const size_t n = (size_t)info->args_size;
    int count = 0;
    char *text = malloc(n + 1);
    if (!text) return mote_fail(MOTE_ERR_NOMEM, "out of memory");
    int fd = open(path, O_RDONLY);
    int ok = fd >= 0 && (n == 0 || pread(fd, text, n, (off_t)info->args_offset) == (ssize_t)n);
    if (fd >= 0) close(fd);
    if (!ok) {
        free(text);
        return mote_fail(MOTE_ERR_IO, "cannot read the default arguments of '%s'", path);
    }
    if (n && text[n - 1] != '\0') {
        free(text);
        return mote_fail(MOTE_ERR_FORMAT, "'%s': the default arguments do not end in a NUL", path);
    }
    for (size_t i = 0; i < n; i++) count += text[i] == '\0';
    /* One block: the pointer array, then the strings. */
    char **v = malloc((size_t)(count + 1) * sizeof *v + n + 1);
    if (!v) {
        free(text);
        return mote_fail(MOTE_ERR_NOMEM, "out of memory");
    }
    char *strings = (char *)(v + count + 1);
    memcpy(strings, text, n);
    free(text);
    for (int i = 0; i < count; i++) {
        v[i] = strings;
        strings += strlen(strings) + 1;
    }
    v[count] = NULL;
    *argv = v;
    *argc = count;
    return MOTE_OK;
}

/* Copy len bytes at offset `from` of in to out's current position. */
static int copy_range(int in, uint64_t from, uint64_t len, FILE *out, const char *what) {
    static char buf[1 << 16];
    while (len > 0) {
        size_t want = len < sizeof buf ? (size_t)len : sizeof buf;
        ssize_t got = pread(in, buf, want, (off_t)from);
        if (got <= 0) return mote_fail(MOTE_ERR_IO, "cannot read '%s': %s", what, got < 0 ? strerror(errno) : "it ended early");
        if (fwrite(buf, 1, (size_t)got, out) != (size_t)got) return mote_fail(MOTE_ERR_IO, "write failed: %s", strerror(errno));
        from += (uint64_t)got;
        len -= (uint64_t)got;
    }
    return MOTE_OK;
}

/* The part of `path` to copy: the whole file, or `part` (the program or the
 * model) of a packed one. */
static int source_range(const char *path, int fd, int want_model, uint64_t *off, uint64_t *len) {
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return mote_fail(MOTE_ERR_IO, "'%s' is not a regular file", path);
    mote_pack_info p;
    int rc = mote_pack_read_fd(fd, (uint64_t)st.st_size, &p);
    if (rc == MOTE_ERR_NOT_FOUND) {
        *off = 0;
        *len = (uint64_t)st.st_size;
        return MOTE_OK;
    }
    if (rc) return rc;
    *off = want_model ? p.model_offset : 0;
    *len = want_model ? p.model_size : p.exe_size;
    return MOTE_OK;
}

int mote_pack_write(const char *exe_path, const char *model_path, const char *const *args, int n_args, const char *out_path) {
    if (!exe_path || !model_path || !out_path || n_args < 0 || (n_args && !args))
        return mote_fail(MOTE_ERR_INVALID_ARG, "mote_pack_write: null argument");
    /* The model must open as one (a packed file's embedded model does). */
    mote_gguf *g = NULL;
    int rc = mote_gguf_open(model_path, &g);
    mote_gguf_close(g);
    if (rc) return rc;

    /* The rename would replace whatever out_path names: only a regular file. */
    struct stat st;
    if (stat(out_path, &st) == 0 && !S_ISREG(st.st_mode))
        return mote_fail(MOTE_ERR_IO, "cannot write '%s': it exists and is not a regular file", out_path);
    int exe = open(exe_path, O_RDONLY), model = open(model_path, O_RDONLY);
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp-%ld", out_path, (long)getpid());
    FILE *out = NULL;
    uint64_t exe_off = 0, exe_len = 0, model_off = 0, model_len = 0;
    if (exe < 0) rc = mote_fail(MOTE_ERR_IO, "cannot open '%s': %s", exe_path, strerror(errno));
    else if (model < 0) rc = mote_fail(MOTE_ERR_IO, "cannot open '%s': %s", model_path, strerror(errno));
    if (!rc) rc = source_range(exe_path, exe, 0, &exe_off, &exe_len);
    if (!rc) rc = source_range(model_path, model, 1, &model_off, &model_len);
    if (!rc) {
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0755);
        out = fd >= 0 ? fdopen(fd, "wb") : NULL;
        if (!out) {
            rc = mote_fail(MOTE_ERR_IO, "cannot create '%s': %s", out_path, strerror(errno));
            if (fd >= 0) close(fd);
            else tmp[0] = '\0'; /* nothing to remove */
        }
    }
    const uint64_t model_at = (exe_len + MOTE_PACK_ALIGN - 1) / MOTE_PACK_ALIGN * MOTE_PACK_ALIGN;
    uint64_t args_len = 0;
    if (!rc) rc = copy_range(exe, exe_off, exe_len, out, exe_path);
    for (uint64_t i = exe_len; !rc && i < model_at; i++)
        if (fputc(0, out) == EOF) rc = mote_fail(MOTE_ERR_IO, "cannot write '%s': %s", out_path, strerror(errno));
    if (!rc) rc = copy_range(model, model_off, model_len, out, model_path);
    for (int i = 0; !rc && i < n_args; i++) {
        const size_t n = strlen(args[i]) + 1;
        if (fwrite(args[i], 1, n, out) != n) rc = mote_fail(MOTE_ERR_IO, "cannot write '%s': %s", out_path, strerror(errno));
        args_len += n;
    }
    if (!rc) {
        uint8_t t[TRAILER_SIZE] = {0};
        put_u64(t, exe_len);
        put_u64(t + 8, model_at);
        put_u64(t + 16, model_len);
        put_u64(t + 24, model_at + model_len);
        put_u64(t + 32, args_len);
        put_u64(t + 40, PACK_VERSION);
        memcpy(t + 48, pack_magic, 8);
        if (fwrite(t, 1, sizeof t, out) != sizeof t || fflush(out) != 0 || fsync(fileno(out)) != 0)
            rc = mote_fail(MOTE_ERR_IO, "cannot write '%s': %s", out_path, strerror(errno));
    }
    if (out && fclose(out) != 0 && !rc) rc = mote_fail(MOTE_ERR_IO, "cannot write '%s': %s", out_path, strerror(errno));
    /* The mode was given at creation (0755 less the umask). */
    if (!rc && rename(tmp, out_path) != 0) rc = mote_fail(MOTE_ERR_IO, "cannot write '%s': %s", out_path, strerror(errno));
    if (rc && tmp[0]) unlink(tmp);
    if (exe >= 0) close(exe);
    if (model >= 0) close(model);
    return rc;
}
