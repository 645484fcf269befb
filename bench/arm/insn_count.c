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
 * Debian 12 ships qemu-user with plugin support but neither plugins nor the
 * plugin header, so the few entry points used here are declared by hand,
 * as QEMU 7.2 documents them (plugin API version 1). Counting is inline
 * (an add per translated block or instruction, no callbacks), so the run
 * stays a few times slower than plain qemu.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

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

/* At translation: add the block's length when it runs, and one per memory
 * access of each of its instructions. */
static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
    (void)id;
    const size_t n = qemu_plugin_tb_n_insns(tb);
    qemu_plugin_register_vcpu_tb_exec_inline(tb, PLUGIN_INLINE_ADD_U64, &insns, n);
    for (size_t i = 0; i < n; i++)
        qemu_plugin_register_vcpu_mem_inline(qemu_plugin_tb_get_insn(tb, i), PLUGIN_MEM_RW, PLUGIN_INLINE_ADD_U64,
                                             &mem_accesses, 1);
}

static void report_counts(qemu_plugin_id_t id, void *data) {
    (void)id, (void)data;
    char line[128];
    snprintf(line, sizeof line, "insns %" PRIu64 " mem %" PRIu64 " threads %u\n", insns, mem_accesses, threads_seen);
    qemu_plugin_outs(line);
}

/* Entry point QEMU calls after loading the plugin. */
__attribute__((visibility("default"))) int qemu_plugin_install(qemu_plugin_id_t id, const void *info, int argc,
                                                               char **argv) {
    (void)info, (void)argc, (void)argv;
    qemu_plugin_register_vcpu_init_cb(id, on_vcpu_init);
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
    qemu_plugin_register_atexit_cb(id, report_counts, NULL);
    return 0;
}
