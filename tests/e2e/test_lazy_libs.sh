#!/usr/bin/env bash
# test_lazy_libs.sh — the front ends' heavy optional libraries are opened on
# first use (src/server/dynlib.h), not linked: the mote command must not
# list libmicrohttpd (+ GnuTLS) or libespeak-ng (+ its sound stack) among
# the libraries the loader maps into every process, since each `mote run` /
# `mote bench` would carry ~5 MiB of their resident pages (issue #11's
# memory target; bench/RESULTS.md, "memory: shared libraries").
set -u
: "${MOTE:?MOTE must point to the mote binary}"
if ! command -v readelf >/dev/null; then
    echo "SKIP: readelf (binutils) is needed to read the binary's dependencies"
    exit 77
fi
needed=$(readelf -d "$MOTE" | grep NEEDED) || { echo "FAIL: readelf found no NEEDED entries in $MOTE" >&2; exit 1; }
fail=0
for lib in libmicrohttpd libgnutls libespeak-ng libpulse libasound; do
    if grep -q "\[$lib" <<<"$needed"; then
        echo "FAIL: $MOTE links $lib (it must be opened on first use instead):" >&2
        echo "$needed" >&2
        fail=1
    fi
done
[ $fail = 0 ] && echo "ok: $(wc -l <<<"$needed") libraries linked, none of the optional front-end ones"
exit $fail
