/*
 * test_rag_chunk.c — cutting documents into chunks (src/rag/chunk.c):
 * sentence and paragraph boundaries, the overlap, long sentences, UTF-8.
 * The token counter here is simple and exact: one token per ASCII word and
 * one per non-ASCII character, so the expected cuts can be worked out by hand.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rag/chunk.h"
#include "testutil.h"

static int32_t count_words(const char *s, size_t n, void *user) {
    (void)user;
    int32_t t = 0;
    bool in_word = false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80) {
            if ((c & 0xC0) != 0x80) t++; /* a lead byte: one character, one token */
            in_word = false;
        } else if (c == ' ' || c == '\n' || c == '\t' || c == '\r') in_word = false;
        else if (!in_word) {
            t++;
            in_word = true;
        }
    }
    return t;
}

static size_t chunk(const char *text, int32_t max, int32_t overlap, rag_chunk **out) {
    size_t n;
    assert_int_equal(rag_chunk_text(text, strlen(text), max, overlap, count_words, NULL, out, &n), 0);
    for (size_t i = 0; i < n; i++) {
        assert_true((*out)[i].start < (*out)[i].end);
        assert_true((*out)[i].n_tokens <= max);
        assert_int_equal((*out)[i].n_tokens,
                         count_words(text + (*out)[i].start, (*out)[i].end - (*out)[i].start, NULL));
    }
    return n;
}

/* The chunk's text, in a static buffer. */
static const char *piece(const char *text, const rag_chunk *c) {
    static char buf[4096];
    snprintf(buf, sizeof buf, "%.*s", (int)(c->end - c->start), text + c->start);
    return buf;
}

static void test_sentences_stay_whole(void **state) {
    (void)state;
    const char *text = "One two three four five. Six seven eight nine ten! Eleven twelve thirteen fourteen "
                       "fifteen? Sixteen seventeen eighteen nineteen twenty.";
    rag_chunk *c;
    size_t n = chunk(text, 12, 0, &c);
    assert_int_equal(n, 2);
    assert_string_equal(piece(text, &c[0]), "One two three four five. Six seven eight nine ten!");
    assert_string_equal(piece(text, &c[1]), "Eleven twelve thirteen fourteen fifteen? Sixteen seventeen eighteen "
                                            "nineteen twenty.");
    free(c);
}

static void test_paragraph_boundary(void **state) {
    (void)state;
    /* two paragraphs of 12 words: with room for 20 the first chunk ends at the blank line */
    const char *text = "A b c d. E f g h. I j k l.\n\n  \nM n o p. Q r s t. U v w x.\n";
    rag_chunk *c;
    size_t n = chunk(text, 20, 0, &c);
    assert_int_equal(n, 2);
    assert_string_equal(piece(text, &c[0]), "A b c d. E f g h. I j k l.");
    assert_string_equal(piece(text, &c[1]), "M n o p. Q r s t. U v w x.");
    free(c);
    /* a short first paragraph (less than half the room) is packed with what follows */
    const char *short_text = "Title words.\n\nA b c d. E f g h.";
    n = chunk(short_text, 20, 0, &c);
    assert_int_equal(n, 1);
    free(c);
    /* a Markdown heading starts a paragraph */
    const char *md = "A b c d e f g h i j k.\n# Heading here\nM n o p.";
    n = chunk(md, 20, 0, &c);
    assert_int_equal(n, 2);
    assert_string_equal(piece(md, &c[1]), "# Heading here\nM n o p.");
    free(c);
}

static void test_overlap(void **state) {
    (void)state;
    const char *text = "S1 a b. S2 c d. S3 e f. S4 g h. S5 i j. S6 k l. S7 m n.";
    rag_chunk *c;
    /* 3 sentences of 3 tokens per chunk, the last one repeated */
    size_t n = chunk(text, 9, 3, &c);
    assert_int_equal(n, 3);
    assert_string_equal(piece(text, &c[0]), "S1 a b. S2 c d. S3 e f.");
    assert_string_equal(piece(text, &c[1]), "S3 e f. S4 g h. S5 i j.");
    assert_string_equal(piece(text, &c[2]), "S5 i j. S6 k l. S7 m n.");
    free(c);
    /* without overlap no text is repeated */
    n = chunk(text, 9, 0, &c);
    assert_int_equal(n, 3);
    assert_string_equal(piece(text, &c[1]), "S4 g h. S5 i j. S6 k l.");
    free(c);
    /* an overlap larger than the sentences allow still moves on */
    n = chunk(text, 4, 3, &c);
    assert_int_equal(n, 7);
    free(c);
}

static void test_long_sentence_cut_at_words(void **state) {
    (void)state;
    char text[512] = "";
    for (int i = 0; i < 30; i++) snprintf(text + strlen(text), sizeof text - strlen(text), "w%02d ", i);
    rag_chunk *c;
    size_t n = chunk(text, 10, 0, &c);
    assert_int_equal(n, 3);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(c[i].n_tokens, 10);
        assert_true(text[c[i].start] == 'w'); /* starts at a word */
    }
    free(c);
}

/* True if p is at a character boundary of UTF-8 text. */
static bool at_boundary(const char *text, size_t p) { return ((unsigned char)text[p] & 0xC0) != 0x80; }

static void test_unicode(void **state) {
    (void)state;
    /* 40 CJK characters without spaces, then two CJK sentences: cuts fall between characters */
    char text[1024] = "";
    for (int i = 0; i < 40; i++) strcat(text, "蜜");
    strcat(text, "。蜂は花の蜜を集める。女王蜂は卵を産む！ Émilie's café — naïve «quote».");
    rag_chunk *c;
    size_t n = chunk(text, 8, 2, &c);
    assert_true(n > 5);
    for (size_t i = 0; i < n; i++) {
        assert_true(at_boundary(text, c[i].start));
        assert_true(c[i].end == strlen(text) || at_boundary(text, c[i].end));
    }
    /* every character is in some chunk */
    size_t covered = 0;
    for (size_t i = 0; i < n; i++) {
        assert_true(c[i].start <= covered || text[covered] == ' ');
        if (c[i].end > covered) covered = c[i].end;
    }
    assert_int_equal(covered, strlen(text));
    free(c);
    /* a CJK sentence mark ends a sentence without a space after it */
    const char *jp = "蜂は花の蜜を集める。女王蜂は卵を産む。";
    n = chunk(jp, 10, 0, &c);
    assert_int_equal(n, 2);
    assert_string_equal(piece(jp, &c[0]), "蜂は花の蜜を集める。");
    free(c);
    /* a no-break space separates words like a space */
    const char *nbsp = "alpha\xC2\xA0" "beta gamma delta.";
    n = chunk(nbsp, 3, 0, &c); /* the counter sees the no-break space as a token */
    assert_int_equal(n, 2);
    assert_string_equal(piece(nbsp, &c[0]), "alpha\xC2\xA0" "beta");
    free(c);
}

static void test_empty_and_space(void **state) {
    (void)state;
    rag_chunk *c;
    assert_int_equal(chunk("", 10, 2, &c), 0);
    free(c);
    assert_int_equal(chunk(" \n\n\t \n", 10, 2, &c), 0);
    free(c);
    /* invalid UTF-8 bytes are kept, never split past the end */
    const char *bad = "ab\xff\xfe cd \xe2\x82 ef.";
    size_t n = chunk(bad, 2, 0, &c);
    assert_true(n >= 2);
    assert_int_equal(c[n - 1].end, strlen(bad));
    free(c);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sentences_stay_whole),
        cmocka_unit_test(test_paragraph_boundary),
        cmocka_unit_test(test_overlap),
        cmocka_unit_test(test_long_sentence_cut_at_words),
        cmocka_unit_test(test_unicode),
        cmocka_unit_test(test_empty_and_space),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
