/*
 * speak.h — spoken answers (--speak, --speak-cmd, --speak-wav): generated
 * text is cut into sentences as it streams, and each complete sentence is
 * handed to a thread of its own that speaks it, so generation never waits
 * for the voice. Speaking is libespeak-ng's (Debian's libespeak-ng-dev;
 * optional at build time: without it --speak says so), or any program that
 * reads sentences, one a line, on its standard input (--speak-cmd: piper,
 * pico2wave wrappers, espeak-ng itself).
 */
#ifndef MOTE_CLI_SPEAK_H
#define MOTE_CLI_SPEAK_H

#include <stdbool.h>
#include <stddef.h>

#include "cli/options.h"

typedef struct speaker speaker;

/* The speaker the command line asks for (--speak, --speak-wav FILE: speak
 * into a WAV file instead of the sound card, --speak-cmd CMD), or NULL when
 * it asks for none. *failed is set (after a one-line message "mote CMD:
 * ...") when one was asked for and cannot be had. */
speaker *speaker_from_args(const cli_args *a, bool *failed);

/* More generated text (any pieces: sentences are found across calls). */
void speaker_feed(speaker *s, const char *text, size_t len);

/* Speak what is left, wait until everything is spoken, free. NULL is fine. */
void speaker_close(speaker *s);

#endif
