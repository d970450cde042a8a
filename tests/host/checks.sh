# SPDX-License-Identifier: BSD-2-Clause
# Shared by the host scripts: counted checks ("ok: ..." / "FAIL: ..."), a JSON probe and the
# closing summary. Sourced; the script ends with `checks_summary`.

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok: $1"; }
bad() { failed=$((failed + 1)); echo "FAIL: $1"; }
# check DESCRIPTION COMMAND...: passes when the command succeeds.
check() {
    local what=$1
    shift
    if "$@"; then ok "$what"; else bad "$what"; fi
}
# expect_eq DESCRIPTION WANT GOT
expect_eq() {
    if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: want '$2', got '$3'"; fi
}
# json EXPR < DOC: prints a Python expression over the document d.
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)" 2>/dev/null; }
# The counts, and the script's status: non-zero when a check failed.
checks_summary() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}
