/*
 * dynlib.c — open an optional shared library on first use (see dynlib.h).
 */
#include "server/dynlib.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

bool dynlib_load(const char *soname, const char *package, const dynlib_symbol *symbols, size_t n_symbols,
                 char *err, size_t err_len) {
    void *lib = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        snprintf(err, err_len, "%s is not installed (apt-get install %s)", soname, package);
        return false;
    }
    for (size_t i = 0; i < n_symbols; i++) {
        void *address = dlsym(lib, symbols[i].name);
        if (!address) {
            snprintf(err, err_len, "%s has no %s (a different version than mote was built for?)", soname,
                     symbols[i].name);
            dlclose(lib);
            return false;
        }
        /* POSIX: a dlsym result may be used as a function pointer; memcpy says so without a cast warning. */
        memcpy(symbols[i].slot, &address, sizeof address);
    }
    return true;
}
