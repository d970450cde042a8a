#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Lints the manual pages: mandoc's warnings and errors (style notes such as long lines are
# left out), and the quoting mistakes mandoc accepts silently but renders wrong: a quote
# macro (Ql, Qq, Dq, Sq) runs to the end of its line, so a second quote macro or a No after
# it nests inside the first quote instead of closing it.
# Usage: scripts/lint-man.sh [PAGE...] (default: man/*.[1-9])
set -uo pipefail
cd "$(dirname "$0")/.."

pages=("$@")
[ ${#pages[@]} -eq 0 ] && pages=(man/*.[1-9])
if ! command -v mandoc >/dev/null; then
    echo "lint-man: mandoc is not installed" >&2
    exit 77
fi

fail=0
for page in "${pages[@]}"; do
    # -W warning: warnings and worse. The whatis database and cross references are the
    # installed system's business, not the page's.
    out=$(mandoc -Tlint -W warning "$page" 2>&1 | grep -v -e 'mandoc.db' -e 'referenced manual not found')
    if [ -n "$out" ]; then
        echo "$out"
        fail=1
    fi
    # One macro line's tokens: the first word is the macro, callable macros follow.
    if ! awk -v page="$page" '
        /^\.[A-Z][a-z]/ {
            quote = 0
            n = split($0, w, /[ \t]+/)
            for (i = 1; i <= n; i++) {
                t = w[i]; sub(/^\./, "", t)
                if (quote && (t == "Ql" || t == "Qq" || t == "Dq" || t == "Sq" || t == "No")) {
                    printf "%s:%d: %s inside an open quote (%s runs to the end of the line): %s\n",
                        page, NR, t, quote, $0
                    bad = 1
                    break
                }
                if (t == "Ql" || t == "Qq" || t == "Dq" || t == "Sq") quote = t
            }
        }
        END { exit bad }' "$page"; then
        fail=1
    fi
done
exit $fail
