#!/usr/bin/env bash
# test_grammar.sh — grammar-constrained generation end to end: runs
# grammar_gen.py (30+ JSON Schemas and GBNF grammars on the random-weight
# fixture models, each output checked by python3-jsonschema or an
# independent regular expression; the token-limit report; bad grammars).
set -u
source "$(dirname "$0")/e2e_lib.sh"
need_mote; need_fixtures
need_python_module jsonschema python3-jsonschema
exec python3 "$(dirname "$0")/grammar_gen.py" "$MOTE" "$F"
