/*
 * test_rag_search.c — the knowledge base (src/rag): exact top-k against a
 * brute-force reference, the FTS5 query built from a question, a small
 * bee-facts knowledge base where each question's passage must rank first in
 * keyword and hybrid modes, re-indexing that changes nothing, removal, and
 * a database refusing another embedding model. The embedding model is the
 * fixture BERT (random weights: its vectors rank noise, which is why the
 * questions' words each belong to one passage only — hybrid must still put
 * the keyword match first). mote_bm25 (lengths from memory) gives FTS5's
 * own bm25() for every matching row, also after another connection wrote.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mote_rag.h"
#include "quant/fp16.h"
#include "rag/rag_internal.h"
#include "testutil.h"

/* Deterministic numbers in [-1, 1). */
static uint64_t rng = 0x9e3779b97f4a7c15ull;
static float frand(void) {
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (float)((rng >> 11) * (1.0 / 9007199254740992.0)) * 2.0f - 1.0f;
}

/* Brute force: every dot product in double; check the kernel's top k holds the same rows in the same order,
 * allowing only a swap of rows whose exact scores are within tol. */
static void check_topk(int type) {
    enum { N = 2000, D = 96, K = 20 };
    float *m = malloc(sizeof(float) * N * D), q[D];
    mote_fp16 *h = malloc(sizeof(mote_fp16) * N * D);
    for (int i = 0; i < N * D; i++) {
        m[i] = frand();
        h[i] = mote_f32_to_fp16(m[i]);
        if (type == MOTE_TYPE_F16) m[i] = mote_fp16_to_f32(h[i]); /* the reference sees what is stored */
    }
    for (int k = 0; k < D; k++) q[k] = frand();
    /* the f16 kernel takes the question as f16 too */
    double qd[D];
    for (int k = 0; k < D; k++) qd[k] = type == MOTE_TYPE_F16 ? mote_fp16_to_f32(mote_f32_to_fp16(q[k])) : q[k];
    double *exact = malloc(sizeof(double) * N);
    int64_t *order = malloc(sizeof(int64_t) * N);
    for (int i = 0; i < N; i++) {
        double s = 0;
        for (int k = 0; k < D; k++) s += (double)m[i * D + k] * qd[k];
        exact[i] = s;
        order[i] = i;
    }
    /* selection sort of the first K is enough */
    for (int a = 0; a < K; a++)
        for (int b = a + 1; b < N; b++)
            if (exact[order[b]] > exact[order[a]]) {
                int64_t t = order[a];
                order[a] = order[b];
                order[b] = t;
            }
    int64_t idx[K];
    float sc[K];
    const void *rows = type == MOTE_TYPE_F16 ? (const void *)h : (const void *)m;
    assert_int_equal(rag_topk_dot(rows, type, N, D, q, K, idx, sc), K);
    for (int a = 0; a < K; a++) {
        assert_true(fabs(sc[a] - exact[idx[a]]) < 1e-3);
        if (idx[a] != order[a]) assert_true(fabs(exact[idx[a]] - exact[order[a]]) < 1e-4);
        if (a) assert_true(sc[a] <= sc[a - 1]);
    }
    /* fewer rows than k: all of them, sorted */
    assert_int_equal(rag_topk_dot(rows, type, 7, D, q, K, idx, sc), 7);
    for (int a = 1; a < 7; a++) assert_true(sc[a] <= sc[a - 1]);
    free(m);
    free(h);
    free(exact);
    free(order);
}

static void test_topk_f32(void **state) {
    (void)state;
    check_topk(MOTE_TYPE_F32);
}

static void test_topk_f16(void **state) {
    (void)state;
    check_topk(MOTE_TYPE_F16);
}

static void test_fts_query(void **state) {
    (void)state;
    char *q = rag_fts_query("What do the bees \"eat\" in WINTER? (café-au-lait)");
    assert_string_equal(q, "\"bees\" OR \"eat\" OR \"WINTER\" OR \"café\" OR \"au\" OR \"lait\"");
    free(q);
    q = rag_fts_query("what is it?");
    assert_string_equal(q, "");
    free(q);
}

/* The knowledge base written for the test: one fact per file, questions whose words only their passage holds. */
static const struct {
    const char *file, *text, *question;
} BEES[] = {
    {"queen.md", "# The queen\n\nThe queen lays up to two thousand eggs a day in spring, and she can live for "
                 "several years.\n",
     "How many eggs does the queen lay?"},
    {"dance.md", "Foragers describe the direction of distant flowers with the waggle dance; its angle to the "
                 "vertical gives the angle to the sun.\n",
     "Which dance shows the direction of flowers?"},
    {"honey.txt", "Honey is nectar that has been concentrated: water evaporates until less than a fifth remains, "
                  "and enzymes turn sucrose into glucose and fructose.\n",
     "How is honey made from nectar?"},
    {"drones.txt", "Drones are the males. They cannot defend the hive, do not gather food, and die after mating; in autumn "
                   "the workers push the remaining drones out of the hive.\n",
     "What happens to the males after mating?"},
    {"wax.md", "Young workers secrete wax from glands under the abdomen and shape it into hexagonal cells for "
               "storing pollen and raising brood.\n",
     "Where does wax come from and why are the cells hexagonal?"},
    {"winter.txt", "Through winter the colony forms a tight cluster and shivers its flight muscles to keep the "
                   "centre near thirty degrees Celsius.\n",
     "How does the colony stay warm through winter?"},
    {"sting.md", "A worker's sting is barbed, so it lodges in mammal skin; the worker tears away and dies after "
                 "stinging.\n",
     "Why is the sting barbed?"},
    {"propolis.txt", "Propolis is a resin collected from tree buds; it seals cracks and its antimicrobial "
                     "compounds protect against infection.\n",
     "What is propolis used for?"},
};
#define N_BEES (sizeof BEES / sizeof *BEES)

static char kb_dir[256], db_path[300];

static void write_file(const char *dir, const char *name, const char *text) {
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static mote_rag *open_kb(const char *embed) {
    mote_rag_params p = mote_rag_default_params();
    p.embed_model = embed;
    p.chunk_tokens = 64;
    p.overlap_tokens = 8;
    mote_rag *r = NULL;
    int st = mote_rag_open(db_path, &p, &r);
    if (st) fprintf(stderr, "%s\n", mote_last_error());
    assert_int_equal(st, MOTE_OK);
    return r;
}

static int setup_kb(void **state) {
    (void)state;
    require_fixtures();
    snprintf(kb_dir, sizeof kb_dir, "%s", temp_path("_bees"));
    mkdir(kb_dir, 0755);
    for (size_t i = 0; i < N_BEES; i++) write_file(kb_dir, BEES[i].file, BEES[i].text);
    snprintf(db_path, sizeof db_path, "%s/kb.sqlite", kb_dir);
    mote_rag *r = open_kb(fixture_path("models/bert-tiny-f32.gguf"));
    mote_rag_index_stats st = {0};
    assert_int_equal(mote_rag_index_path(r, kb_dir, NULL, NULL, &st), MOTE_OK);
    assert_int_equal(st.files_indexed, N_BEES);
    assert_int_equal(st.chunks_added, N_BEES);
    mote_rag_close(r);
    return 0;
}

/* The file name of a hit. */
static const char *base(const mote_rag_hit *h) { return strrchr(h->path, '/') + 1; }

static void test_bees_rank_first(void **state) {
    (void)state;
    mote_rag *r = open_kb(NULL); /* the model the database remembers */
    const mote_rag_mode modes[] = {MOTE_RAG_KEYWORD, MOTE_RAG_HYBRID};
    for (size_t m = 0; m < 2; m++)
        for (size_t i = 0; i < N_BEES; i++) {
            mote_rag_results res;
            assert_int_equal(mote_rag_search(r, BEES[i].question, 3, modes[m], &res), MOTE_OK);
            assert_true(res.n >= 1);
            if (strcmp(base(&res.hits[0]), BEES[i].file))
                fail_msg("%s: '%s' ranked %s first", mote_rag_mode_name(modes[m]), BEES[i].question,
                         base(&res.hits[0]));
            assert_int_equal(res.hits[0].keyword_rank, 1);
            assert_int_equal(res.hits[0].start, 0);
            mote_rag_results_free(&res);
        }
    /* vector mode ranks every chunk (noise here, but all of them, by cosine) */
    mote_rag_results res;
    assert_int_equal(mote_rag_search(r, "anything at all", 100, MOTE_RAG_VECTOR, &res), MOTE_OK);
    assert_int_equal(res.n, N_BEES);
    for (int32_t i = 1; i < res.n; i++) assert_true(res.hits[i].score <= res.hits[i - 1].score);
    assert_true(fabs(res.hits[0].score) <= 1.0001);
    mote_rag_results_free(&res);
    /* several phrasings fused */
    const char *qs[] = {"waggle", "propolis resin"};
    assert_int_equal(mote_rag_search_multi(r, qs, 2, 2, MOTE_RAG_KEYWORD, &res), MOTE_OK);
    assert_int_equal(res.n, 2);
    assert_true(!strcmp(base(&res.hits[0]), "dance.md") || !strcmp(base(&res.hits[0]), "propolis.txt"));
    mote_rag_results_free(&res);
    mote_rag_close(r);
}

static void test_reindex_and_remove(void **state) {
    (void)state;
    mote_rag *r = open_kb(fixture_path("models/bert-tiny-f32.gguf"));
    mote_rag_stats before, after;
    assert_int_equal(mote_rag_get_stats(r, &before), MOTE_OK);
    mote_rag_index_stats st = {0};
    assert_int_equal(mote_rag_index_path(r, kb_dir, NULL, NULL, &st), MOTE_OK);
    assert_int_equal(st.files_indexed, 0);
    assert_int_equal(st.files_unchanged, N_BEES);
    assert_int_equal(st.chunks_added, 0);
    assert_int_equal(mote_rag_get_stats(r, &after), MOTE_OK);
    assert_int_equal(after.n_chunks, before.n_chunks);
    assert_int_equal(after.n_docs, N_BEES);
    /* a changed file is replaced, not added */
    write_file(kb_dir, "sting.md", "Stings are barbed. Queens can sting many times.\n");
    memset(&st, 0, sizeof st);
    assert_int_equal(mote_rag_index_path(r, kb_dir, NULL, NULL, &st), MOTE_OK);
    assert_int_equal(st.files_indexed, 1);
    assert_int_equal(mote_rag_get_stats(r, &after), MOTE_OK);
    assert_int_equal(after.n_docs, N_BEES);
    assert_int_equal(after.n_chunks, before.n_chunks);
    assert_int_equal(after.n_vectors, after.n_chunks);
    /* removal takes the chunks, vectors and keyword rows with it */
    char p[512];
    snprintf(p, sizeof p, "%s/propolis.txt", kb_dir);
    int64_t n;
    assert_int_equal(mote_rag_remove(r, p, &n), MOTE_OK);
    assert_int_equal(n, 1);
    mote_rag_results res;
    assert_int_equal(mote_rag_search(r, "propolis resin", 5, MOTE_RAG_KEYWORD, &res), MOTE_OK);
    assert_int_equal(res.n, 0);
    mote_rag_results_free(&res);
    assert_int_equal(mote_rag_get_stats(r, &after), MOTE_OK);
    assert_int_equal(after.n_docs, N_BEES - 1);
    assert_int_equal(after.n_vectors, after.n_chunks);
    mote_rag_close(r);
}

/* Every row matching fts_query: mote_bm25 equals FTS5's bm25(); returns the row count. */
static int compare_bm25(mote_rag *r, const char *fts_query) {
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(r->db,
                                        "SELECT rowid, bm25(chunks_fts), mote_bm25(chunks_fts) FROM chunks_fts "
                                        "WHERE chunks_fts MATCH ?",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, fts_query, -1, SQLITE_STATIC);
    int n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        double want = sqlite3_column_double(st, 1), got = sqlite3_column_double(st, 2);
        if (fabs(want - got) > 1e-12 * (1 + fabs(want)))
            fail_msg("%s: row %lld: bm25 %.17g, mote_bm25 %.17g", fts_query, (long long)sqlite3_column_int64(st, 0),
                     want, got);
        n++;
    }
    sqlite3_finalize(st);
    return n;
}

static void test_bm25_matches_fts5(void **state) {
    (void)state;
    mote_rag *r = open_kb(NULL);
    assert_int_equal(rag_doc_lens_load(r, NULL), MOTE_OK);
    assert_non_null(r->doc_lens);
    int rows = 0;
    for (size_t i = 0; i < N_BEES; i++) {
        char *q = rag_fts_query(BEES[i].question);
        rows += compare_bm25(r, q);
        free(q);
    }
    assert_true(rows >= (int)N_BEES);
    assert_true(compare_bm25(r, "\"the\" OR \"worker\" OR \"hive\" OR \"waggle dance\"") >= 4);
    /* another connection adds a chunk that matches: the stale lengths are
     * not used for it, and the next search reads them again */
    mote_rag *w = open_kb(NULL);
    write_file(kb_dir, "hive.md", "The hive hums; a worker fans the hive entrance with her wings, the hive cools.\n");
    char p[512];
    snprintf(p, sizeof p, "%s/hive.md", kb_dir);
    assert_int_equal(mote_rag_index_path(w, p, NULL, NULL, NULL), MOTE_OK);
    mote_rag_close(w);
    assert_true(compare_bm25(r, "\"hive\" OR \"worker\"") >= 3);
    mote_rag_results res;
    assert_int_equal(mote_rag_search(r, "hive entrance", 3, MOTE_RAG_KEYWORD, &res), MOTE_OK);
    assert_true(res.n >= 1);
    assert_string_equal(base(&res.hits[0]), "hive.md");
    mote_rag_results_free(&res);
    assert_true(r->n_doc_lens > 0 && r->doc_lens[r->n_doc_lens - 1] > 0); /* read again, the new chunk known */
    assert_true(compare_bm25(r, "\"hive\" OR \"worker\"") >= 3);
    assert_int_equal(mote_rag_remove(r, p, NULL), MOTE_OK);
    mote_rag_close(r);
}

static void test_other_model_refused(void **state) {
    (void)state;
    mote_rag_params p = mote_rag_default_params();
    p.embed_model = fixture_path("models/bert-tiny-q8_0.gguf");
    mote_rag *r = NULL;
    assert_int_not_equal(mote_rag_open(db_path, &p, &r), MOTE_OK);
    assert_null(r);
    assert_non_null(strstr(mote_last_error(), "another embedding model"));
    /* not a knowledge base at all */
    char other[512];
    snprintf(other, sizeof other, "%s/queen.md", kb_dir);
    assert_int_not_equal(mote_rag_open(other, NULL, &r), MOTE_OK);
    assert_non_null(strstr(mote_last_error(), "not a mote knowledge base"));
    /* a missing one, when it must exist */
    p = mote_rag_default_params();
    p.must_exist = true;
    snprintf(other, sizeof other, "%s/none.sqlite", kb_dir);
    assert_int_not_equal(mote_rag_open(other, &p, &r), MOTE_OK);
    assert_non_null(strstr(mote_last_error(), "no knowledge base"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_topk_f32),
        cmocka_unit_test(test_topk_f16),
        cmocka_unit_test(test_fts_query),
        cmocka_unit_test_setup(test_bees_rank_first, setup_kb),
        cmocka_unit_test(test_reindex_and_remove),
        cmocka_unit_test(test_bm25_matches_fts5),
        cmocka_unit_test(test_other_model_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
