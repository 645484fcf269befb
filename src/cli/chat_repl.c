/*
 * chat_repl.c — the two faces of `mote chat`: the interactive session on a
 * terminal (libedit line editing and history, multi-line input, slash
 * commands, Ctrl-C stops an answer, Ctrl-D leaves) and the batch mode for
 * scripts (stdin not a terminal: every line is a question in a fresh
 * conversation, every answer one line with newlines escaped).
 */
#include <errno.h>
#include <histedit.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/chat_repl.h"
#include "cli/cli_util.h"
#include "cli/grammar_options.h"

#define ANSWER_COLOR "\033[33m"
#define RESET_COLOR "\033[0m"

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig) {
    (void)sig;
    interrupted = 1;
}

/* --- streaming the answer ------------------------------------------------------ */

typedef struct {
    const chat_reply_info *info;
    bool started, color;
} stream_state;

static void print_dropped(const chat_reply_info *info) {
    if (info->dropped_turns > 0)
        fprintf(stderr, "(the context is full: dropped the %d oldest turn%s)\n", info->dropped_turns,
                info->dropped_turns == 1 ? "" : "s");
}

static void stream_text(const char *text, size_t len, void *user) {
    stream_state *st = user;
    if (!st->started) {
        st->started = true;
        fflush(stdout);
        print_dropped(st->info);
        if (st->color) fputs(ANSWER_COLOR, stdout);
    }
    fwrite(text, 1, len, stdout);
    fflush(stdout);
}

/* The caller's text callback, behind the first-token mark of the cost. */
typedef struct {
    chat_text_fn on_text;
    void *user;
    cli_answer_cost *cost;
} metered_text;

static void metered(const char *text, size_t len, void *user) {
    metered_text *m = user;
    cli_answer_cost_first_token(m->cost);
    m->on_text(text, len, m->user);
}

int chat_answer(chat_session *s, const gen_options *opt, const char *text, chat_text_fn on_text, void *user,
                chat_reply_info *info, cli_answer_cost *cost) {
    metered_text m = {on_text, user, cost};
    cli_answer_cost_start(cost, opt->meter);
    return chat_session_reply(s, text, metered, &m, info);
}

void chat_answer_report(const chat_session *s, const gen_options *opt, const chat_reply_info *info,
                        cli_answer_cost *cost) {
    if (!opt->verbose) {
        if (cost->meter) mote_meter_stop(cost->meter, &cost->prompt); /* ends the interval */
        return;
    }
    chat_print_timings(s, info, stderr);
    cli_print_stop_reason(stderr, info->stop);
    cli_answer_cost_print(cost, info->n_prompt, info->n_eval, stderr);
}

/* Ask one question interactively and stream the answer. */
static void answer(chat_session *s, const gen_options *opt, const char *question) {
    chat_reply_info info;
    stream_state st = {&info, false, opt->color};
    interrupted = 0;
    cli_answer_cost cost;
    int rc = chat_answer(s, opt, question, stream_text, &st, &info, &cost);
    if (!st.started) print_dropped(&info);
    if (st.color && st.started) fputs(RESET_COLOR, stdout);
    fputs("\n", stdout);
    if (rc != MOTE_OK) {
        fprintf(stderr, "mote %s: %s\n", opt->cmd, mote_last_error());
        return;
    }
    if (info.interrupted) fprintf(stderr, "(stopped)\n");
    if (info.context_full) fprintf(stderr, "(the context is full: the answer was cut; older turns will be dropped)\n");
    if (info.grammar_incomplete) grammar_options_report_cut("chat", opt->gen.n_predict);
    chat_answer_report(s, opt, &info, &cost);
    fputs("\n", stdout);
    fflush(stdout);
}

/* --- slash commands -------------------------------------------------------------- */

static void help(void) {
    printf("Commands:\n"
           "  /set parameter NAME VALUE  set a sampling parameter (also /set NAME VALUE):\n"
           "                             temperature, top_k, top_p, min_p, repeat_penalty,\n"
           "                             repeat_last_n, presence_penalty, frequency_penalty,\n"
           "                             seed, num_predict\n"
           "  /set system TEXT           set the system prompt (empty: none)\n"
           "  /set verbose | quiet       show timings after each answer, or not\n"
           "  /show [info|parameters|system|template|license]  describe the model and the session\n"
           "  /clear                     forget the conversation (the system prompt stays)\n"
           "  /save FILE                 save the conversation as JSON\n"
           "  /load FILE                 continue a conversation saved as JSON\n"
           "  /bye                       leave (so does Ctrl-D)\n"
           "  /? or /help                this help\n"
           "Ctrl-C stops an answer. Start a multi-line message with \"\"\" and end it with \"\"\",\n"
           "or end a line with \\ to continue it.\n");
}

static const char *system_prompt(const chat_session *s) {
    return s->conv.n > 0 && !strcmp(s->conv.msgs[0].role, "system") ? s->conv.msgs[0].content : NULL;
}

static void show(chat_session *s, const gen_options *opt, const char *what, const char *model_path) {
    if (!what[0] || !strcmp(what, "info")) {
        printf("  model         %s\n", model_path);
        printf("  architecture  %s\n", mote_model_arch(s->model));
        printf("  parameters    %.2fM\n", (double)mote_model_n_params(s->model) / 1e6);
        printf("  context       %d tokens (%d in use; trained for %d)\n", mote_context_n_ctx(s->ctx),
               mote_context_n_past(s->ctx), mote_model_n_ctx_train(s->model));
        printf("  vocabulary    %d tokens\n", mote_vocab_n_tokens(s->vocab));
        printf("  template      %s\n", s->template_name ? s->template_name : "jinja (the template itself, run)");
        printf("  messages      %zu\n", s->conv.n);
    } else if (!strcmp(what, "parameters")) {
        printf("  ");
        gen_options_print(opt, stdout);
    } else if (!strcmp(what, "system")) {
        const char *sys = system_prompt(s);
        printf("%s\n", sys ? sys : "(no system prompt)");
    } else if (!strcmp(what, "template")) {
        const char *jinja = mote_gguf_get_str(mote_model_gguf(s->model), "tokenizer.chat_template", NULL);
        printf("chat format: %s\n", s->template_name ? s->template_name : "jinja (the template itself, run)");
        if (jinja) printf("the model's template:\n%s\n", jinja);
    } else if (!strcmp(what, "license")) {
        const mote_gguf *g = mote_model_gguf(s->model);
        const char *license = mote_gguf_get_str(g, "general.license", NULL);
        const char *link = mote_gguf_get_str(g, "general.license.link", NULL);
        printf("%s\n", license ? license : "(the model file names no license)");
        if (link) printf("%s\n", link);
    } else {
        printf("Unknown /show topic '%s' (info, parameters, system, template, license)\n", what);
    }
}

/* The first word of *p (skipping spaces), NUL-terminated in place; *p moves past it. */
static char *next_word(char **p) {
    char *s = *p + strspn(*p, " \t");
    char *e = s + strcspn(s, " \t");
    if (*e) *e++ = '\0';
    *p = e + strspn(e, " \t");
    return s;
}

static void set_command(chat_session *s, gen_options *opt, char *args) {
    char *name = next_word(&args);
    if (!strcmp(name, "system")) {
        if (chat_session_set_system(s, args) != MOTE_OK) fprintf(stderr, "mote %s: %s\n", opt->cmd, mote_last_error());
        else printf(args[0] ? "Set the system prompt.\n" : "Removed the system prompt.\n");
        return;
    }
    if (!strcmp(name, "verbose") || !strcmp(name, "quiet")) {
        opt->verbose = !strcmp(name, "verbose");
        printf("Set %s mode.\n", name);
        return;
    }
    if (!strcmp(name, "parameter")) name = next_word(&args);
    char *value = next_word(&args);
    if (!name[0] || !value[0]) {
        printf("Usage: /set parameter NAME VALUE (see /?)\n");
        return;
    }
    char err[256];
    gen_options before = *opt;
    if (!gen_options_set(opt, name, value, err, sizeof err)) {
        printf("%s\n", err);
        return;
    }
    if (chat_session_update_sampling(s) != MOTE_OK) {
        printf("%s\n", mote_last_error());
        *opt = before;
        chat_session_update_sampling(s);
        return;
    }
    printf("Set parameter '%s' to '%s'.\n", name, value);
}

static void load_command(chat_session *s, const gen_options *opt, const char *path) {
    mote_chat_conv loaded = {0};
    if (mote_chat_conv_load_json(&loaded, path) != MOTE_OK) {
        fprintf(stderr, "mote %s: %s\n", opt->cmd, mote_last_error());
        return;
    }
    mote_chat_conv_free(&s->conv);
    s->conv = loaded;
    printf("Loaded %zu message%s from %s.\n", loaded.n, loaded.n == 1 ? "" : "s", path);
}

/* Run a slash command; false when the session should end. */
static bool command(chat_session *s, gen_options *opt, char *line, const char *model_path) {
    char *args = line + 1;
    char *cmd = next_word(&args);
    if (!strcmp(cmd, "bye") || !strcmp(cmd, "exit") || !strcmp(cmd, "quit")) return false;
    if (!strcmp(cmd, "?") || !strcmp(cmd, "help")) help();
    else if (!strcmp(cmd, "clear")) {
        chat_session_clear(s);
        printf("Cleared the conversation.\n");
    } else if (!strcmp(cmd, "set")) set_command(s, opt, args);
    else if (!strcmp(cmd, "show")) show(s, opt, next_word(&args), model_path);
    else if (!strcmp(cmd, "save") || !strcmp(cmd, "load")) {
        char *path = next_word(&args);
        if (!path[0]) printf("Usage: /%s FILE\n", cmd);
        else if (!strcmp(cmd, "load")) load_command(s, opt, path);
        else if (mote_chat_conv_save_json(&s->conv, path) != MOTE_OK)
            fprintf(stderr, "mote %s: %s\n", opt->cmd, mote_last_error());
        else printf("Saved %zu message%s to %s.\n", s->conv.n, s->conv.n == 1 ? "" : "s", path);
    } else printf("Unknown command '/%s'. Type /? for help.\n", cmd);
    return true;
}

/* --- reading input with libedit ------------------------------------------------------ */

static bool continuation;

static char *prompt_fn(EditLine *el) {
    (void)el;
    return continuation ? "... " : ">>> ";
}

typedef enum { READ_LINE, READ_EOF, READ_INTERRUPT } read_result;

/* One line without its newline, into *line (malloc'd). */
static read_result read_line(EditLine *el, char **line) {
    int n = 0;
    errno = 0;
    const char *l = el_gets(el, &n);
    if (!l) return n < 0 && errno == EINTR ? READ_INTERRUPT : READ_EOF;
    size_t len = (size_t)n;
    while (len > 0 && (l[len - 1] == '\n' || l[len - 1] == '\r')) len--;
    *line = malloc(len + 1);
    if (!*line) return READ_EOF;
    memcpy(*line, l, len);
    (*line)[len] = '\0';
    return READ_LINE;
}

static bool ends_with(const char *s, const char *suffix) {
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

/* Append "\n" (unless first) and piece to the malloc'd *msg; false if memory runs out. */
static bool append_piece(char **msg, size_t *len, bool first, const char *piece) {
    size_t plen = strlen(piece);
    char *grown = realloc(*msg, *len + plen + 2);
    if (!grown) return false;
    *msg = grown;
    if (!first) grown[(*len)++] = '\n';
    memcpy(grown + *len, piece, plen);
    *len += plen;
    grown[*len] = '\0';
    return true;
}

/* A whole message: one line, lines joined by a trailing backslash, or a
 * block between """ markers (text on the marker lines included). */
static read_result read_message(EditLine *el, History *hist, char **out) {
    char *msg = NULL;
    size_t len = 0;
    bool block = false, any = false;
    continuation = false;
    for (int lineno = 0;; lineno++) {
        char *line = NULL;
        read_result r = read_line(el, &line);
        if (r != READ_LINE) {
            free(msg);
            continuation = false;
            return r;
        }
        HistEvent ev;
        if (line[0]) history(hist, &ev, H_ENTER, line);
        char *part = line;
        bool more = false, skip = false;
        if (lineno == 0 && !strncmp(line, "\"\"\"", 3)) {
            block = true;
            part += 3;
        }
        if (block) {
            size_t pl = strlen(part);
            bool closes = pl >= 3 && !strcmp(part + pl - 3, "\"\"\"");
            if (closes) part[pl - 3] = '\0';
            more = !closes;
            skip = !part[0] && (lineno == 0 || closes); /* the marker lines themselves */
        } else if (ends_with(part, "\\")) {
            part[strlen(part) - 1] = '\0';
            more = true;
        }
        bool ok = skip || append_piece(&msg, &len, !any, part);
        any = any || !skip;
        free(line);
        if (!ok) {
            free(msg);
            return READ_EOF;
        }
        if (!more) break;
        continuation = true;
    }
    continuation = false;
    *out = msg ? msg : strdup("");
    return *out ? READ_LINE : READ_EOF;
}

/* mkdir -p of the directory part of path; false if it cannot be made. */
static bool make_parent_dirs(const char *path) {
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(dir, 0700) != 0 && errno != EEXIST) return false;
        *p = '/';
    }
    return true;
}

/* The history file: the given one, or $XDG_DATA_HOME/mote/history, or
 * $HOME/.local/share/mote/history; NULL for none. */
static const char *history_file(const char *given, char *buf, size_t size) {
    if (given) return given[0] ? given : NULL;
    const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
    if (xdg && xdg[0] == '/') snprintf(buf, size, "%s/mote/history", xdg);
    else if (home && home[0]) snprintf(buf, size, "%s/.local/share/mote/history", home);
    else return NULL;
    return buf;
}

int chat_interactive(chat_session *s, gen_options *opt, const char *model_path, const char *history_path) {
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint; /* no SA_RESTART: a blocking read returns EINTR */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old);
    s->interrupt = &interrupted;

    EditLine *el = el_init("mote", stdin, stdout, stderr);
    History *hist = history_init();
    if (!el || !hist) {
        fprintf(stderr, "mote %s: cannot set up line editing\n", opt->cmd);
        return 1;
    }
    HistEvent ev;
    history(hist, &ev, H_SETSIZE, 1000);
    history(hist, &ev, H_SETUNIQUE, 1);
    el_set(el, EL_HIST, history, hist);
    el_set(el, EL_PROMPT, prompt_fn);
    el_set(el, EL_EDITOR, "emacs");
    el_source(el, NULL); /* the user's ~/.editrc, if any */
    char hbuf[4096];
    const char *hpath = history_file(history_path, hbuf, sizeof hbuf);
    if (hpath) history(hist, &ev, H_LOAD, hpath); /* none yet is fine */

    /* A conversation loaded with --messages that ends with a question gets its answer first. */
    if (s->conv.n > 0 && !strcmp(s->conv.msgs[s->conv.n - 1].role, "user")) {
        char *q = strdup(s->conv.msgs[s->conv.n - 1].content);
        mote_chat_conv_remove(&s->conv, s->conv.n - 1, 1);
        if (q) answer(s, opt, q);
        free(q);
    }
    printf("Type /? for help, /bye or Ctrl-D to leave.\n");
    fflush(stdout);
    for (;;) {
        char *msg = NULL;
        interrupted = 0;
        read_result r = read_message(el, hist, &msg);
        /* Saved after every message, so a killed session keeps its history. */
        if (hpath && r == READ_LINE && msg[0] && make_parent_dirs(hpath) && history(hist, &ev, H_SAVE, hpath) < 0)
            hpath = NULL;
        if (r == READ_EOF) {
            printf("\n");
            break;
        }
        if (r == READ_INTERRUPT) {
            printf("\nUse Ctrl-D or /bye to leave.\n");
            fflush(stdout);
            continue;
        }
        bool go_on = true;
        if (msg[0] == '/') go_on = command(s, opt, msg, model_path);
        else if (msg[strspn(msg, " \t\n")]) answer(s, opt, msg);
        free(msg);
        fflush(stdout);
        if (!go_on) break;
    }
    el_end(el);
    history_end(hist);
    sigaction(SIGINT, &old, NULL);
    s->interrupt = NULL;
    return 0;
}

/* --- batch mode ---------------------------------------------------------------------- */

/* The answer on one line: backslash, newline and carriage return escaped. */
static void print_escaped(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\') fputs("\\\\", stdout);
        else if (s[i] == '\n') fputs("\\n", stdout);
        else if (s[i] == '\r') fputs("\\r", stdout);
        else putchar(s[i]);
    }
    putchar('\n');
}

int chat_batch(chat_session *s, const gen_options *opt, FILE *in) {
    /* Every question starts from the same conversation: the system prompt
     * and whatever --messages gave. */
    mote_chat_conv base = {0};
    for (size_t i = 0; i < s->conv.n; i++)
        if (mote_chat_conv_add(&base, s->conv.msgs[i].role, s->conv.msgs[i].content) != MOTE_OK) return 1;
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    int status = 0;
    while ((got = getline(&line, &cap, in)) >= 0) {
        while (got > 0 && (line[got - 1] == '\n' || line[got - 1] == '\r')) line[--got] = '\0';
        if (!line[strspn(line, " \t")]) {
            /* No question, no answer, but a line all the same: answer N stays on line N. */
            if (opt->json) {
                cli_answer empty = {"", 0, MOTE_STOP_NONE, 0, 0, s->load_ns, 0, 0, NULL};
                cli_print_answer_json(stdout, &empty);
            } else {
                putchar('\n');
            }
            fflush(stdout);
            continue;
        }
        mote_chat_conv_free(&s->conv);
        for (size_t i = 0; i < base.n; i++) mote_chat_conv_add(&s->conv, base.msgs[i].role, base.msgs[i].content);
        mote_sampler_reset(s->sampler);
        cli_text b = {0};
        chat_reply_info info;
        cli_answer_cost cost;
        int rc = chat_answer(s, opt, line, cli_text_collect, &b, &info, &cost);
        if (rc != MOTE_OK || b.failed) {
            fprintf(stderr, "mote %s: %s\n", opt->cmd, rc != MOTE_OK ? mote_last_error() : "out of memory");
            status = 1;
        }
        if (opt->json) {
            cli_answer a = {b.p, b.len, info.stop, info.n_prompt, info.n_eval, s->load_ns, info.prompt_ns, info.eval_ns, NULL};
            cli_print_answer_json(stdout, &a);
        } else {
            print_escaped(b.p ? b.p : "", b.len);
        }
        fflush(stdout);
        if (info.context_full)
            fprintf(stderr, "mote %s: the context of %d tokens is full: the answer was cut (use -c for a larger one)\n",
                    opt->cmd, mote_context_n_ctx(s->ctx));
        chat_answer_report(s, opt, &info, &cost);
        free(b.p);
    }
    free(line);
    mote_chat_conv_free(&base);
    return status;
}
