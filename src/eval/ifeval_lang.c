/*
 * ifeval_lang.c — language identification for the IFEval checkers.
 *
 * The reference uses Python's langdetect; mote uses libexttextcat (Debian's
 * n-gram language guesser, as LibreOffice uses it), restricted to the
 * languages langdetect knows so that it cannot answer with a rare
 * neighbour (Scots for English). Scripts that only one of those languages
 * writes (Telugu, Thai, Hangul, ...) are decided by the script alone, which
 * also covers Telugu, for which libexttextcat has no model. The answer can
 * differ from langdetect's on short or mixed texts: the language checks are
 * approximate (docs/eval.md).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <textcat.h>
#include <unistd.h>

#include "eval/ifeval_internal.h"
#include "eval/text.h"

#ifndef MOTE_TEXTCAT_DIR
#define MOTE_TEXTCAT_DIR "/usr/share/libexttextcat"
#endif

/* langdetect's languages that libexttextcat has a model for: model file, answer. */
static const char *const textcat_models[][2] = {
    {"af", "af"}, {"ar", "ar"}, {"bg", "bg"}, {"ca", "ca"}, {"cs", "cs"}, {"cy", "cy"}, {"da", "da"},
    {"de", "de"}, {"en", "en"}, {"es", "es"}, {"et", "et"}, {"fa", "fa"}, {"fi", "fi"}, {"fr", "fr"},
    {"hi", "hi"}, {"hr", "hr"}, {"hu", "hu"}, {"id", "id"}, {"it", "it"}, {"lt", "lt"}, {"lv", "lv"},
    {"mk", "mk"}, {"mr", "mr"}, {"ne", "ne"}, {"nl", "nl"}, {"nb", "no"}, {"pl", "pl"}, {"pt", "pt"},
    {"ro", "ro"}, {"ru", "ru"}, {"sk", "sk"}, {"sl", "sl"}, {"so", "so"}, {"sq", "sq"}, {"sv", "sv"},
    {"sw", "sw"}, {"tl", "tl"}, {"tr", "tr"}, {"uk", "uk"}, {"ur", "ur"}, {"vi", "vi"},
};

static void *textcat;
static pthread_once_t textcat_once = PTHREAD_ONCE_INIT;

/* Write a configuration naming our models (libexttextcat reads one from a file) and load it. */
static void textcat_load(void) {
    char conf[] = "/tmp/mote-textcat-XXXXXX";
    int fd = mkstemp(conf);
    if (fd < 0) return;
    FILE *f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        unlink(conf);
        return;
    }
    for (size_t i = 0; i < sizeof textcat_models / sizeof textcat_models[0]; i++)
        fprintf(f, "%s.lm %s\n", textcat_models[i][0], textcat_models[i][1]);
    fclose(f);
    textcat = special_textcat_Init(conf, MOTE_TEXTCAT_DIR "/");
    unlink(conf);
}

/* Scripts written by a single langdetect language, by code point range. */
static const struct {
    int32_t lo, hi;
    const char *lang;
} single_scripts[] = {
    {0x0370, 0x03ff, "el"}, {0x0590, 0x05ff, "he"}, {0x0980, 0x09ff, "bn"}, {0x0a00, 0x0a7f, "pa"},
    {0x0a80, 0x0aff, "gu"}, {0x0b80, 0x0bff, "ta"}, {0x0c00, 0x0c7f, "te"}, {0x0c80, 0x0cff, "kn"},
    {0x0d00, 0x0d7f, "ml"}, {0x0e00, 0x0e7f, "th"}, {0xac00, 0xd7af, "ko"}, {0x1100, 0x11ff, "ko"},
    {0x3040, 0x30ff, "ja"}, {0x4e00, 0x9fff, "zh-cn"},
};
#define N_SCRIPTS (sizeof single_scripts / sizeof single_scripts[0])

const char *ifeval_detect_language(const char *s, size_t len) {
    /* count letters, and letters of each single-language script */
    size_t letters = 0, per_script[N_SCRIPTS] = {0}, i = 0;
    while (i < len) {
        int32_t cp = text_next_cp(s, len, &i);
        if (!text_is_word_cp(cp) || (cp >= '0' && cp <= '9') || cp == '_') continue;
        letters++;
        for (size_t k = 0; k < N_SCRIPTS; k++)
            if (cp >= single_scripts[k].lo && cp <= single_scripts[k].hi) per_script[k]++;
    }
    if (!letters) return NULL; /* langdetect: "no features in text" */
    /* kana anywhere makes Han text Japanese */
    size_t kana = 0, han = 0;
    for (size_t k = 0; k < N_SCRIPTS; k++) {
        if (!strcmp(single_scripts[k].lang, "ja")) kana = per_script[k];
        if (!strcmp(single_scripts[k].lang, "zh-cn")) han = per_script[k];
    }
    if (kana && kana + han > letters / 2) return "ja";
    for (size_t k = 0; k < N_SCRIPTS; k++)
        if (per_script[k] * 2 > letters) return single_scripts[k].lang;

    pthread_once(&textcat_once, textcat_load);
    if (!textcat) return NULL;
    size_t lower_len;
    char *lower = text_py_lower(s, len, &lower_len);
    if (!lower) return NULL;
    /* the best-scoring model, even when others score close to it (where
     * textcat_Classify would answer "UNKNOWN"): langdetect always names one */
    candidate_t *cand = textcat_GetClassifyFullOutput(textcat);
    const char *best = NULL;
    if (cand) {
        int n = textcat_ClassifyFull(textcat, lower, lower_len, cand);
        /* no model stands out (more than five score alike): no language we
         * could name, so any language instruction is not followed */
        if (n == TEXTCAT_RESULT_UNKNOWN) best = "und";
        for (size_t k = 0; n > 0 && k < sizeof textcat_models / sizeof textcat_models[0]; k++)
            if (!strcmp(cand[0].name, textcat_models[k][1])) {
                best = textcat_models[k][1]; /* a static string, unlike cand's */
                break;
            }
        textcat_ReleaseClassifyFullOutput(textcat, cand);
    }
    free(lower);
    if (getenv("MOTE_EVAL_LANG_DEBUG")) fprintf(stderr, "lang: %s\n", best ? best : "(none)");
    return best;
}
