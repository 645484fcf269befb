/*
 * default_model.h — the model a command uses when none is given: the bundled
 * stories260K, found relative to the mote executable so that an installed,
 * unpacked or moved tree works from any directory.
 */
#ifndef MOTE_CLI_DEFAULT_MODEL_H
#define MOTE_CLI_DEFAULT_MODEL_H

/* The file name of the bundled model. */
#define CLI_BUNDLED_MODEL "stories260K.gguf"

/* The running executable's own path (from /proc/self/exe), or NULL. */
const char *cli_exe_path(void);

/* The directory holding the running executable ("/usr/bin"), without the
 * trailing slash, or NULL if /proc/self/exe cannot be read. */
const char *cli_exe_dir(void);

/* The first of these that exists, where DIR is the executable's directory:
 *   DIR/../share/mote/models/stories260K.gguf   (installed, or a package unpacked anywhere)
 *   DIR/models/stories260K.gguf                 (the build tree: CMake copies it there)
 *   models/stories260K.gguf                     (the checkout root as the working directory)
 * and the last one when none does, so the error names a path. A static
 * string, valid for the life of the program. */
const char *cli_default_model(void);

#endif
