#!/bin/bash
# libiscsi's compliance suite (iscsi-test-cu, families SCSI and iSCSI) against ctld's demo
# target on a free 127.0.0.1 port. Fails on any failed test; prints the pass/fail/skip counts.
# Usage: tests/host/ctld_compliance.sh BUILD_DIR [FAMILY...]   (exit 77: no iscsi-test-cu)
set -euo pipefail
build=$(cd "${1:?usage: $0 BUILD_DIR [FAMILY...]}" && pwd)
shift
families=("$@")
[ $# -gt 0 ] || families=(SCSI iSCSI)
command -v iscsi-test-cu >/dev/null || { echo "iscsi-test-cu not found"; exit 77; }
here=$(dirname "$0")
. "$here/ctld_lib.sh"
ctld_start
status=0
out=$(mktemp /tmp/ctld-compliance.XXXXXX)
for family in "${families[@]}"; do
    # The suite writes its XML report into the current directory; keep it out of the tree.
    # The URL twice: a second I_T nexus to the same LUN (initiator name 2) for the multipath
    # tests.
    (cd /tmp && iscsi-test-cu -d --test="$family" "$url" "$url") >"$out" 2>&1 || true
    summary=$(grep -E '^ +tests ' "$out" || true)
    read -r _ total ran passed failed inactive <<<"$summary" || true
    # A test that skips passes for CUnit; it says so with [SKIPPED] on its own line.
    skips=$(awk '/^Suite: /{s=$2} /^  Test: .*\[SKIPPED\]/{t=$2; sub(/^.*\[SKIPPED\] */, ""); print "  skipped: " s "." t ": " $0}' "$out")
    echo "$family: total=${total:-?} ran=${ran:-?} passed=${passed:-?} failed=${failed:-?} skipped=$(grep -c . <<<"$skips")"
    # CUnit ends a failed test with FAILED, on the test's line or a line of its own.
    awk '/^Suite: /{s=$2} /^  Test: /{t=$2} /^  Test: .*\.\.\.FAILED$/ || /^FAILED$/{print "  failed: " s "." t}' "$out"
    [ -z "$skips" ] || echo "$skips"
    if [ -z "${failed:-}" ] || [ "$failed" != 0 ]; then status=1; fi
done
rm -f "$out"
exit $status
