#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for a bounded time.
# Usage: fuzz/run.sh [SECONDS] [TARGET...]   (default 30 s each; targets: ses iscsi_pdu ctl_conf)
# Seeds: fuzz/seeds/TARGET (inputs that once failed), the SES captures for ses; PDUs are found
# by the fuzzer itself; ctl.conf(5)'s example for ctl_conf.
# Exit non-zero on the first crash, leak or sanitizer report.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(ses iscsi_pdu ctl_conf)

out=${FUZZ_OUT:-build-fuzz}
mkdir -p "$out"
common=(libcamx/camx/bytes/*.cpp libcamx/camx/error/*.cpp libcamx/camx/text/*.cpp)
flags=(-std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
       -Ilibcamx)

sources_of() {
    case $1 in
        ses) echo libcamx/camx/ses/*.cpp ;;
        iscsi_pdu) echo libcamx/camx/iscsi/*.cpp ;;
        ctl_conf) echo libcamx/camx/target_config/ucl.cpp libcamx/camx/target_config/config.cpp \
                      libcamx/camx/ctl/lun_check.cpp ;;
        *) echo "fuzz: unknown target $1" >&2; exit 1 ;;
    esac
}

seed() {
    local dir=$out/$1-seed
    rm -rf "$dir"; mkdir -p "$dir"
    case $1 in
        ses)
            data=${CAMX_SCSI_DATA:-tests/data/scsi}/ses
            if [ -d "$data" ]; then
                for f in "$data"/*.hex; do
                    grep -v '^#' "$f" | xxd -r -p > "$dir/$(basename "$f" .hex).bin" || true
                done
            fi ;;
        ctl_conf)
            sed -n '/^\.Bd -literal/,/^\.Ed/p' man/ctl.conf.5 | grep -v '^\.' > "$dir/example.conf" || true ;;
    esac
    # Inputs that once failed stay as seeds so that every run checks them again.
    [ -d "fuzz/seeds/$1" ] && cp fuzz/seeds/"$1"/* "$dir"/
    echo "$dir"
}

failed=0
for t in "${targets[@]}"; do
    bin=$out/${t}_fuzz
    # shellcheck disable=SC2046
    clang++ "${flags[@]}" "fuzz/${t}_fuzz.cpp" $(sources_of "$t") "${common[@]}" \
        -lsgutils2 -lfmt -lisal -lcrypto -o "$bin"
    corpus=$out/$t-corpus
    mkdir -p "$corpus"
    echo "fuzz: $t for ${seconds}s"
    if "$bin" -max_total_time="$seconds" -max_len=4096 -rss_limit_mb=2048 -print_final_stats=1 \
        "$corpus" "$(seed "$t")" > "$out/$t.log" 2>&1; then
        echo "PASS fuzz $t: $(grep -E 'stat::number_of_executed_units' "$out/$t.log" | awk '{print $2}') inputs, no crash"
    else
        echo "FAIL fuzz $t (see $out/$t.log)"; tail -30 "$out/$t.log"
        failed=$((failed + 1))
    fi
done
passed=$(( ${#targets[@]} - failed ))
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
