/*
 * test_pack.c — single-file executables (src/gguf/gguf_pack.c): a "program"
 * (any bytes) with the bundled model appended is written, its trailer read
 * back, and mote_gguf_open opens the file as the embedded model, mapped in
 * place (tensor bytes equal to the model file's). Also: the default
 * arguments round-trip, packing a packed file keeps only its program and
 * model, a damaged trailer and a bad range are refused with a message, and
 * a file that is neither GGUF nor packed keeps the old "not a GGUF file".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static char model_path[4096];

static const char *write_program(size_t n) {
    const char *p = temp_path(".exe");
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    for (size_t i = 0; i < n; i++) fputc((int)(i * 7 + 1) & 0xff, f);
    fclose(f);
    return p;
}

static void test_roundtrip(void **state) {
    (void)state;
    char prog[4096], out[4096];
    snprintf(prog, sizeof prog, "%s", write_program(100001));
    snprintf(out, sizeof out, "%s", temp_path(".packed"));
    const char *args[] = {"serve", "--port", "8080", ""};
    assert_int_equal(mote_pack_write(prog, model_path, args, 4, out), MOTE_OK);

    mote_pack_info info;
    assert_int_equal(mote_pack_read(out, &info), MOTE_OK);
    assert_int_equal(info.exe_size, 100001);
    assert_int_equal(info.model_offset % MOTE_PACK_ALIGN, 0);
    assert_true(info.model_offset >= info.exe_size);
    size_t model_size = 0, packed_size = 0;
    uint8_t *model = read_file(model_path, &model_size);
    uint8_t *packed = read_file(out, &packed_size);
    assert_non_null(model);
    assert_non_null(packed);
    assert_int_equal(info.model_size, model_size);
    assert_memory_equal(packed + info.model_offset, model, model_size);

    char **argv = NULL;
    int argc = 0;
    assert_int_equal(mote_pack_args(out, &info, &argv, &argc), MOTE_OK);
    assert_int_equal(argc, 4);
    assert_string_equal(argv[0], "serve");
    assert_string_equal(argv[2], "8080");
    assert_string_equal(argv[3], "");
    assert_null(argv[4]);
    free(argv);

    /* The packed file opens as its model; the tensors point into the mapping. */
    mote_gguf *a = NULL, *b = NULL;
    assert_int_equal(mote_gguf_open(model_path, &a), MOTE_OK);
    assert_int_equal(mote_gguf_open(out, &b), MOTE_OK);
    assert_int_equal(mote_gguf_n_tensors(a), mote_gguf_n_tensors(b));
    assert_int_equal(mote_gguf_file_size(b), model_size);
    for (int64_t i = 0; i < mote_gguf_n_tensors(a); i++) {
        const mote_tensor_info *ta = mote_gguf_tensor(a, i), *tb = mote_gguf_tensor(b, i);
        assert_string_equal(ta->name, tb->name);
        assert_int_equal(ta->size, tb->size);
        assert_memory_equal(ta->data, tb->data, ta->size);
    }
    mote_gguf_close(a);
    mote_gguf_close(b);
    mote_gguf *c = NULL;
    assert_int_equal(mote_gguf_open_range(out, info.model_offset, info.model_size, &c), MOTE_OK);
    assert_true(mote_gguf_n_tensors(c) > 0);
    mote_gguf_close(c);

    /* Packing a packed file: its program and its model, not the whole file. */
    char again[4096];
    snprintf(again, sizeof again, "%s", temp_path(".again"));
    assert_int_equal(mote_pack_write(out, out, NULL, 0, again), MOTE_OK);
    mote_pack_info info2;
    assert_int_equal(mote_pack_read(again, &info2), MOTE_OK);
    assert_int_equal(info2.exe_size, 100001);
    assert_int_equal(info2.model_offset, info.model_offset);
    assert_int_equal(info2.model_size, model_size);
    assert_int_equal(info2.args_size, 0);

    /* Damage the trailer's model size: refused, with a message. */
    packed[packed_size - 56 + 16 + 6] ^= 0x40; /* the model size, now far beyond the file */
    const char *bad = temp_path(".bad");
    FILE *f = fopen(bad, "wb");
    assert_non_null(f);
    fwrite(packed, 1, packed_size, f);
    fclose(f);
    mote_gguf *g = NULL;
    assert_int_equal(mote_gguf_open(bad, &g), MOTE_ERR_FORMAT);
    assert_null(g);
    assert_non_null(strstr(mote_last_error(), "damaged mote pack trailer"));

    /* Neither GGUF nor packed: the usual message. */
    assert_int_equal(mote_pack_read(prog, &info2), MOTE_ERR_NOT_FOUND);
    assert_int_equal(mote_gguf_open(prog, &g), MOTE_ERR_MAGIC);
    assert_non_null(strstr(mote_last_error(), "not a GGUF file"));

    /* A range off the page size, or beyond the end. */
    assert_int_equal(mote_gguf_open_range(out, 100, 10, &g), MOTE_ERR_ALIGN);
    assert_int_equal(mote_gguf_open_range(out, info.model_offset, packed_size, &g), MOTE_ERR_RANGE);

    /* Writing refuses a model that is not one, and leaves nothing behind. */
    char nothing[4096];
    snprintf(nothing, sizeof nothing, "%s", temp_path(".none"));
    assert_int_not_equal(mote_pack_write(prog, prog, NULL, 0, nothing), MOTE_OK);
    FILE *none = fopen(nothing, "rb");
    assert_null(none);

    remove(prog);
    remove(out);
    remove(again);
    remove(bad);
    free(model);
    free(packed);
}

int main(void) {
    const char *root = getenv("MOTE_ROOT");
    snprintf(model_path, sizeof model_path, "%s/models/stories260K.gguf", root ? root : ".");
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_roundtrip)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
