/*
 * insn_count.c — a QEMU TCG plugin that counts the guest instructions and
 * guest memory accesses a program executes under qemu-user, printed at
 * exit as "insns N mem N threads N". The ARM speed proxy (bench/arm-insn-proxy.sh,
 * bench/arm-compare-llamacpp.sh) loads it with qemu-aarch64/qemu-arm -plugin.
 * "threads" is the number of guest threads the program ran (qemu-user makes
 * one vCPU per thread): the proxy counts one-thread runs, and any second
 * thread (a pool worker spinning while it waits) makes the count depend on
 * timing, so the scripts refuse a count with threads > 1.
 *
 * It is also the proxy's profiler: with the argument profile=FILE
 * (`-plugin insn_count.so,profile=FILE`) it counts per translated block
 * too and writes FILE at exit, one line per block that ran:
 *     PATH <tab> OFFSET <tab> INSNS <tab> MEM
 * PATH is the file mapped where the block starts (the program or a shared
 * library, "?" for anonymous memory), OFFSET the block's start as a hex
 * offset in that file, INSNS and MEM the instructions and memory accesses
 * the block executed in all. The guest's code lives in host memory in
 * qemu-user, so the host's /proc/self/maps names each block's file; a block
 * retranslated later gives a second line (add them). With every=SECONDS as
 * well, FILE is also rewritten every SECONDS of wall time while the program
 * runs (counters read on the fly), to see where a run that never ends
 * spends its time. bench/arm/profile_report.py
 * turns two such files into instructions per token by function (symbols
 * from the ELF files' tables), and bench/arm-profile.sh runs the whole model.
 *
 * Debian 12 ships qemu-user with plugin support but neither plugins nor the
 * plugin header, so the few entry points used here are declared by hand,
 * as QEMU 7.2 documents them (plugin API version 1). Counting is inline
 * (an add per translated block or instruction, no callbacks), so the run
 * stays a few times slower than plain qemu.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
enum { PLUGIN_INLINE_ADD_U64 = 0 }; /* enum qemu_plugin_op */
enum { PLUGIN_MEM_RW = 3 };         /* enum qemu_plugin_mem_rw: reads and writes */

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id,
                                           void (*cb)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb));
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, void (*cb)(qemu_plugin_id_t id, void *data), void *data);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
void *qemu_plugin_insn_haddr(const struct qemu_plugin_insn *insn);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb, int op, void *ptr, uint64_t imm);
void qemu_plugin_register_vcpu_mem_inline(struct qemu_plugin_insn *insn, int rw, int op, void *ptr, uint64_t imm);
void qemu_plugin_outs(const char *string);
void qemu_plugin_register_vcpu_init_cb(qemu_plugin_id_t id, void (*cb)(qemu_plugin_id_t id, unsigned int vcpu_index));

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

/* Totals over all guest threads (inline adds are not atomic: the proxy
 * runs one thread). */
static uint64_t insns, mem_accesses;
static unsigned threads_seen; /* vCPUs created: guest threads, the main one included */

/* A guest thread started (vCPUs are created one at a time, under qemu's lock). */
static void on_vcpu_init(qemu_plugin_id_t id, unsigned int vcpu_index) {
    (void)id, (void)vcpu_index;
    threads_seen++;
}

/* Profile mode: one record per translated block, its counters bumped
 * inline; records are never freed (a run translates some 10^4–10^5 blocks). */
typedef struct {
    uintptr_t host_addr; /* where the block's first instruction is in host memory */
    uint64_t insns;      /* instructions executed by this block */
    uint64_t mem;        /* memory accesses executed by this block */
} block_record;

enum { RECORDS_PER_CHUNK = 4096 };
typedef struct record_chunk {
    struct record_chunk *next;
    size_t used;
    block_record records[RECORDS_PER_CHUNK];
} record_chunk;

static char *profile_path;      /* NULL: totals only */
static record_chunk *chunks;    /* newest first */
static pthread_mutex_t chunks_lock = PTHREAD_MUTEX_INITIALIZER;

/* new_record: a zeroed record for a block at HOST_ADDR, or NULL when out of
 * memory (the block is then counted in the totals only). */
static block_record *new_record(uintptr_t host_addr) {
    pthread_mutex_lock(&chunks_lock);
    if (!chunks || chunks->used == RECORDS_PER_CHUNK) {
        record_chunk *c = calloc(1, sizeof *c);
        if (!c) {
            pthread_mutex_unlock(&chunks_lock);
            return NULL;
        }
        c->next = chunks;
        chunks = c;
    }
    block_record *r = &chunks->records[chunks->used++];
    pthread_mutex_unlock(&chunks_lock);
    r->host_addr = host_addr;
    return r;
}

/* At translation: add the block's length when it runs, and one per memory
 * access of each of its instructions; in profile mode the same again into
 * the block's own record. */
static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
    (void)id;
    const size_t n = qemu_plugin_tb_n_insns(tb);
    qemu_plugin_register_vcpu_tb_exec_inline(tb, PLUGIN_INLINE_ADD_U64, &insns, n);
    block_record *r = NULL;
    if (profile_path && n > 0)
        r = new_record((uintptr_t)qemu_plugin_insn_haddr(qemu_plugin_tb_get_insn(tb, 0)));
    if (r)
        qemu_plugin_register_vcpu_tb_exec_inline(tb, PLUGIN_INLINE_ADD_U64, &r->insns, n);
    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        qemu_plugin_register_vcpu_mem_inline(insn, PLUGIN_MEM_RW, PLUGIN_INLINE_ADD_U64, &mem_accesses, 1);
        if (r)
            qemu_plugin_register_vcpu_mem_inline(insn, PLUGIN_MEM_RW, PLUGIN_INLINE_ADD_U64, &r->mem, 1);
    }
}

/* One file mapping of the host process (qemu-user maps the guest's files
 * into its own address space, so these include the guest's program and
 * libraries). */
typedef struct {
    uintptr_t start, end, offset;
    char path[256];
} host_mapping;

/* read_host_mappings: the host's file-backed mappings, in *COUNT; NULL if
 * /proc/self/maps cannot be read. */
static host_mapping *read_host_mappings(size_t *count) {
    FILE *f = fopen("/proc/self/maps", "r");
    if (!f)
        return NULL;
    size_t n = 0, cap = 256;
    host_mapping *maps = malloc(cap * sizeof *maps);
    char line[512];
    while (maps && fgets(line, sizeof line, f)) {
        unsigned long start, end, offset;
        char path[256] = "";
        if (sscanf(line, "%lx-%lx %*s %lx %*s %*s %255s", &start, &end, &offset, path) < 3 || path[0] != '/')
            continue;
        if (n == cap) {
            host_mapping *grown = realloc(maps, 2 * cap * sizeof *maps);
            if (!grown)
                break;
            maps = grown, cap *= 2;
        }
        maps[n] = (host_mapping){.start = start, .end = end, .offset = offset};
        snprintf(maps[n].path, sizeof maps[n].path, "%s", path);
        n++;
    }
    fclose(f);
    *count = n;
    return maps;
}

/* write_profile: every record that ran, as "PATH\tOFFSET\tINSNS\tMEM"
 * (to a temporary file renamed over FILE, so a reader never sees half). */
static void write_profile(void) {
    char tmp_path[4096];
    snprintf(tmp_path, sizeof tmp_path, "%s.tmp", profile_path);
    FILE *out = fopen(tmp_path, "w");
    if (!out) {
        qemu_plugin_outs("insn_count: cannot write the profile file\n");
        return;
    }
    size_t n_maps = 0;
    host_mapping *maps = read_host_mappings(&n_maps);
    pthread_mutex_lock(&chunks_lock);
    for (record_chunk *c = chunks; c; c = c->next)
        for (size_t i = 0; i < c->used; i++) {
            const block_record *r = &c->records[i];
            if (!r->insns)
                continue;
            const host_mapping *m = NULL;
            for (size_t k = 0; k < n_maps && !m; k++)
                if (r->host_addr >= maps[k].start && r->host_addr < maps[k].end)
                    m = &maps[k];
            if (m)
                fprintf(out, "%s\t%" PRIxPTR "\t%" PRIu64 "\t%" PRIu64 "\n", m->path,
                        r->host_addr - m->start + m->offset, r->insns, r->mem);
            else
                fprintf(out, "?\t%" PRIxPTR "\t%" PRIu64 "\t%" PRIu64 "\n", r->host_addr, r->insns, r->mem);
        }
    pthread_mutex_unlock(&chunks_lock);
    free(maps);
    fclose(out);
    rename(tmp_path, profile_path);
}

static unsigned snapshot_seconds; /* every=SECONDS: 0 for none */

/* The snapshot thread: rewrites the profile every snapshot_seconds. */
static void *snapshot_loop(void *arg) {
    (void)arg;
    for (;;) {
        sleep(snapshot_seconds);
        write_profile();
    }
    return NULL;
}

static void report_counts(qemu_plugin_id_t id, void *data) {
    (void)id, (void)data;
    char line[128];
    snprintf(line, sizeof line, "insns %" PRIu64 " mem %" PRIu64 " threads %u\n", insns, mem_accesses, threads_seen);
    qemu_plugin_outs(line);
    if (profile_path)
        write_profile();
}

/* Entry point QEMU calls after loading the plugin; the arguments it knows
 * are profile=FILE and every=SECONDS. */
__attribute__((visibility("default"))) int qemu_plugin_install(qemu_plugin_id_t id, const void *info, int argc,
                                                               char **argv) {
    (void)info;
    for (int i = 0; i < argc; i++) {
        if (strncmp(argv[i], "profile=", 8) == 0 && argv[i][8]) {
            profile_path = strdup(argv[i] + 8);
        } else if (strncmp(argv[i], "every=", 6) == 0 && atoi(argv[i] + 6) > 0) {
            snapshot_seconds = (unsigned)atoi(argv[i] + 6);
        } else {
            qemu_plugin_outs("insn_count: unknown argument (known: profile=FILE, every=SECONDS)\n");
            return -1;
        }
    }
    pthread_t snapshots;
    if (profile_path && snapshot_seconds && pthread_create(&snapshots, NULL, snapshot_loop, NULL) == 0)
        pthread_detach(snapshots);
    qemu_plugin_register_vcpu_init_cb(id, on_vcpu_init);
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
    qemu_plugin_register_atexit_cb(id, report_counts, NULL);
    return 0;
}
