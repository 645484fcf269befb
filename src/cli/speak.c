/*
 * speak.c — see speak.h. The generating thread only appends to a queue of
 * sentences (speaker_feed); the speaking thread takes them in order. A
 * sentence ends at '.', '!' or '?' (runs of them, and closing quotes or
 * brackets after them) followed by white space, or at a line break, so
 * "3.5" and "e.g.x" do not cut one.
 */
#include "cli/speak.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef MOTE_HAVE_ESPEAK
#include <espeak-ng/speak_lib.h>

#include "server/dynlib.h"
#endif

typedef struct sentence {
    struct sentence *next;
    char text[]; /* NUL-terminated */
} sentence;

struct speaker {
    const char *cmd;     /* for messages */
    FILE *pipe;          /* --speak-cmd */
    FILE *wav;           /* --speak-wav: samples written by the synthesis callback */
    uint32_t wav_samples, rate;
    bool espeak;         /* libespeak-ng (playback or into wav) */
    char *pending;       /* text since the last sentence end */
    size_t n_pending, cap_pending;
    sentence *head, *tail;
    bool closing;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t thread;
};

/* --- the voice ------------------------------------------------------------ */

#ifdef MOTE_HAVE_ESPEAK
/* libespeak-ng's functions, opened when --speak is asked for (server/dynlib.h:
 * not linked, so that other commands do not map it and its sound stack). */
static struct {
    __typeof__(espeak_Initialize) *Initialize;
    __typeof__(espeak_SetSynthCallback) *SetSynthCallback;
    __typeof__(espeak_Synth) *Synth;
    __typeof__(espeak_Synchronize) *Synchronize;
    __typeof__(espeak_Terminate) *Terminate;
} espeak_api;

/* Fill `espeak_api` once (the main thread parses the options); false with a
 * one-line message in err. */
static bool load_espeak(char *err, size_t err_size) {
    static bool loaded;
    if (loaded) return true;
#define ESPEAK_SYMBOL(n) {"espeak_" #n, (void (**)(void))&espeak_api.n}
    const dynlib_symbol symbols[] = {
        ESPEAK_SYMBOL(Initialize),
        ESPEAK_SYMBOL(SetSynthCallback),
        ESPEAK_SYMBOL(Synth),
        ESPEAK_SYMBOL(Synchronize),
        ESPEAK_SYMBOL(Terminate),
    };
#undef ESPEAK_SYMBOL
    /* Debian 12's libespeak-ng1 ABI, the one libespeak-ng-dev's header describes. */
    loaded = dynlib_load("libespeak-ng.so.1", "libespeak-ng1", symbols, sizeof symbols / sizeof symbols[0], err,
                         err_size);
    return loaded;
}

static speaker *wav_owner; /* espeak's callback has no user pointer of its own here */

static int on_samples(short *wav, int n, espeak_EVENT *events) {
    (void)events;
    if (wav && n > 0 && wav_owner && wav_owner->wav)
        wav_owner->wav_samples += (uint32_t)fwrite(wav, sizeof *wav, (size_t)n, wav_owner->wav);
    return 0;
}
#endif

/* A little-endian RIFF header for mono 16-bit samples. */
static void write_wav_header(FILE *f, uint32_t samples, uint32_t rate) {
    uint8_t h[44];
    const uint32_t data = samples * 2;
    const uint32_t v[] = {36 + data, 16, 1 | (1u << 16), rate, rate * 2, 2 | (16u << 16), data};
    memcpy(h, "RIFF", 4);
    memcpy(h + 8, "WAVEfmt ", 8);
    memcpy(h + 36, "data", 4);
    const int at[] = {4, 16, 20, 24, 28, 32, 40};
    for (int i = 0; i < 7; i++)
        for (int b = 0; b < 4; b++) h[at[i] + b] = (uint8_t)(v[i] >> (8 * b));
    fseek(f, 0, SEEK_SET);
    fwrite(h, 1, sizeof h, f);
}

static void say(speaker *s, const char *text) {
    if (s->pipe) {
        fprintf(s->pipe, "%s\n", text);
        fflush(s->pipe);
    }
#ifdef MOTE_HAVE_ESPEAK
    if (s->espeak) {
        espeak_api.Synth(text, strlen(text) + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8, NULL, NULL);
        espeak_api.Synchronize();
    }
#endif
}

static void *speaking(void *p) {
    speaker *s = p;
    pthread_mutex_lock(&s->mu);
    for (;;) {
        while (!s->head && !s->closing) pthread_cond_wait(&s->cv, &s->mu);
        sentence *x = s->head;
        if (!x) break; /* closing, and nothing left */
        s->head = x->next;
        if (!s->head) s->tail = NULL;
        pthread_mutex_unlock(&s->mu);
        say(s, x->text);
        free(x);
        pthread_mutex_lock(&s->mu);
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

/* --- sentences -------------------------------------------------------------- */

/* Queue text[0..n) (trimmed) as one sentence. */
static void queue(speaker *s, const char *text, size_t n) {
    while (n && (unsigned char)*text <= ' ') text++, n--;
    while (n && (unsigned char)text[n - 1] <= ' ') n--;
    if (!n) return;
    sentence *x = malloc(sizeof *x + n + 1);
    if (!x) return;
    memcpy(x->text, text, n);
    x->text[n] = '\0';
    x->next = NULL;
    pthread_mutex_lock(&s->mu);
    if (s->tail) s->tail->next = x;
    else s->head = x;
    s->tail = x;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

/* Where the first complete sentence of p[0..n) ends (its length), or 0. */
static size_t sentence_end(const char *p, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\n') return i + 1;
        if (p[i] != '.' && p[i] != '!' && p[i] != '?') continue;
        size_t j = i + 1;
        while (j < n && strchr(".!?\"')]", p[j])) j++;
        if (j < n && (p[j] == ' ' || p[j] == '\n' || p[j] == '\t')) return j;
    }
    return 0;
}

void speaker_feed(speaker *s, const char *text, size_t len) {
    if (!s || !len) return;
    if (s->n_pending + len + 1 > s->cap_pending) {
        size_t cap = (s->n_pending + len + 1) * 2;
        char *p = realloc(s->pending, cap);
        if (!p) return;
        s->pending = p;
        s->cap_pending = cap;
    }
    memcpy(s->pending + s->n_pending, text, len);
    s->n_pending += len;
    size_t end;
    while ((end = sentence_end(s->pending, s->n_pending)) > 0) {
        queue(s, s->pending, end);
        memmove(s->pending, s->pending + end, s->n_pending - end);
        s->n_pending -= end;
    }
}

void speaker_close(speaker *s) {
    if (!s) return;
    queue(s, s->pending, s->n_pending);
    pthread_mutex_lock(&s->mu);
    s->closing = true;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->thread, NULL);
#ifdef MOTE_HAVE_ESPEAK
    if (s->espeak) espeak_api.Terminate();
    if (s->wav) {
        write_wav_header(s->wav, s->wav_samples, s->rate);
        fclose(s->wav);
        wav_owner = NULL;
    }
#else
    (void)write_wav_header;
#endif
    if (s->pipe && pclose(s->pipe) != 0) fprintf(stderr, "mote %s: warning: the --speak-cmd program failed\n", s->cmd);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    free(s->pending);
    free(s);
}

speaker *speaker_from_args(const cli_args *a, bool *failed) {
    *failed = false;
    const char *cmd = cli_str(a, CLI_SPEAK_CMD, NULL), *wav = cli_str(a, CLI_SPEAK_WAV, NULL);
    const bool espeak = cli_flag(a, CLI_SPEAK) || wav;
    if (!espeak && !cmd) return NULL;
    const char *name = a->spec->name;
    if (espeak && cmd) {
        fprintf(stderr, "mote %s: --speak-cmd replaces --speak: give one of them\n", name);
        *failed = true;
        return NULL;
    }
    speaker *s = calloc(1, sizeof *s);
    if (!s) {
        *failed = true;
        return NULL;
    }
    s->cmd = name;
    if (cmd && !(s->pipe = popen(cmd, "w"))) {
        fprintf(stderr, "mote %s: --speak-cmd: cannot start '%s'\n", name, cmd);
        free(s);
        *failed = true;
        return NULL;
    }
    if (espeak) {
#ifdef MOTE_HAVE_ESPEAK
        char why[256];
        if (!load_espeak(why, sizeof why)) {
            fprintf(stderr, "mote %s: --speak: %s (--speak-cmd CMD works without it)\n", name, why);
            free(s);
            *failed = true;
            return NULL;
        }
        if (wav && !(s->wav = fopen(wav, "wb"))) {
            fprintf(stderr, "mote %s: --speak-wav: cannot write '%s'\n", name, wav);
            free(s);
            *failed = true;
            return NULL;
        }
        const int rate = espeak_api.Initialize(wav ? AUDIO_OUTPUT_SYNCHRONOUS : AUDIO_OUTPUT_SYNCH_PLAYBACK, 0, NULL, 0);
        if (rate <= 0) {
            fprintf(stderr, "mote %s: --speak: libespeak-ng cannot start%s\n", name,
                    wav ? "" : " (no sound output? --speak-wav FILE writes a file instead)");
            if (s->wav) fclose(s->wav);
            free(s);
            *failed = true;
            return NULL;
        }
        s->rate = (uint32_t)rate;
        if (s->wav) {
            write_wav_header(s->wav, 0, (uint32_t)rate);
            wav_owner = s;
            espeak_api.SetSynthCallback(on_samples);
        }
        s->espeak = true;
#else
        fprintf(stderr, "mote %s: --speak: this mote was built without libespeak-ng (--speak-cmd CMD works)\n", name);
        free(s);
        *failed = true;
        return NULL;
#endif
    }
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    if (pthread_create(&s->thread, NULL, speaking, s) != 0) {
        fprintf(stderr, "mote %s: cannot start the speaking thread\n", name);
        if (s->pipe) pclose(s->pipe);
        free(s);
        *failed = true;
        return NULL;
    }
    return s;
}
