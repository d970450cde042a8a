#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# iscsi-perf (libiscsi) against ctld and against tgt on 127.0.0.1, same backing file, same
# run: 4K random read at queue depth 32 and 64K sequential read at queue depth 32. The two
# targets take turns, REPS runs each; the median of each is reported with the ratio
# ctld/tgt. Then the resident memory of ctld with 1 and with LUNS ramdisk LUNs (and of tgtd
# with as many null-backed LUNs, tgt having no ramdisk). Not a timed test.
# Usage: bench/iscsi/run.sh BUILD_DIR [SECONDS [REPS [LUNS]]]   (root, for tgtd)
#   CTLD=path: another ctld binary (to compare builds); SKIP_RSS=1 / SKIP_IOPS=1;
#   NICE=-10: run both targets and iscsi-perf at that nice level, to keep a shared
#   machine's other work from deciding the figures (it applies to both sides alike).
set -euo pipefail
build=$(cd "${1:?usage: $0 BUILD_DIR [SECONDS [REPS [LUNS]]]}" && pwd)
secs=${2:-10}
reps=${3:-3}
nluns=${4:-1000}
ctld=${CTLD:-$build/tools/ctld/ctld}
run=()
[ -z "${NICE:-}" ] || run=(nice -n "$NICE")
work=$(mktemp -d /tmp/camx-bench.XXXXXX)
free_port() {
    local p
    for p in $(seq "$1" "$2"); do
        [ -z "$(ss -Hltn "sport = :$p")" ] && { echo "$p"; return; }
    done
    return 1
}
ctld_port=$(free_port 16260 16399)
tgt_port=$(free_port 16400 16499)
tgt_ctl=$(free_port 26400 26499)
pids=()
tgt_stop() {
    tgtadm -C "$tgt_ctl" --lld iscsi --mode target --op delete --force --tid 1 >/dev/null 2>&1 || true
    tgtadm -C "$tgt_ctl" --mode sys --op delete >/dev/null 2>&1 || true  # tgtd -f ignores SIGTERM
}
cleanup() {
    tgt_stop
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

load() { cut -d' ' -f1-3 /proc/loadavg; }
rss_kib() { awk '/^VmRSS:/{print $2}' "/proc/$1/status"; }
threads() { awk '/^Threads:/{print $2}' "/proc/$1/status"; }
median() { sort -n | awk '{v[NR]=$1} END{if (NR==0) print 0; else if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{if (b>0) printf "%.2f", a/b; else print "n/a"}'; }
wait_listening() {  # log pid
    for _ in $(seq 100); do
        grep -qs "listening on" "$1" && return 0
        kill -0 "$2" 2>/dev/null || { cat "$1"; echo "ctld did not start"; exit 1; }
        sleep 0.1
    done
    cat "$1"
    echo "ctld did not start listening"
    exit 1
}

# iscsi-perf prints a line per second; the average of the last one is the run's result.
# Prints "IOPS MB/s".
perf_run() {
    local url=$1
    shift
    timeout -s INT "$secs" "${run[@]}" iscsi-perf "$@" "$url" 2>&1 | tr '\r' '\n' |
        sed -n 's/.*iops average \([0-9]*\) (\([0-9]*\) MB\/s).*/\1 \2/p' | tail -1 || true
}

echo "camx bench/iscsi: $(nproc) CPUs, load before: $(load)"
echo "ctld: $ctld${NICE:+ (targets and iscsi-perf at nice $NICE)}"

if [ -z "${SKIP_IOPS:-}" ]; then
    file=$work/lun.img
    truncate -s 1G "$file"
    dd if=/dev/urandom of="$file" bs=1M count=1024 conv=notrunc status=none
    "${run[@]}" "$ctld" --demo --listen "127.0.0.1:$ctld_port" --file "$file" >"$work/ctld.log" 2>&1 &
    ctld_pid=$!
    pids+=("$ctld_pid")
    "${run[@]}" tgtd -f -C "$tgt_ctl" --iscsi "portal=127.0.0.1:$tgt_port" >"$work/tgtd.log" 2>&1 &
    pids+=($!)
    wait_listening "$work/ctld.log" "$ctld_pid"
    sleep 0.5
    tgt_iqn=iqn.2024-01.org.camx:bench
    tgtadm -C "$tgt_ctl" --lld iscsi --mode target --op new --tid 1 -T "$tgt_iqn"
    tgtadm -C "$tgt_ctl" --lld iscsi --mode logicalunit --op new --tid 1 --lun 1 -b "$file"
    tgtadm -C "$tgt_ctl" --lld iscsi --mode target --op bind --tid 1 -I ALL
    ctld_url=iscsi://127.0.0.1:$ctld_port/iqn.2024-01.org.camx:demo/0
    tgt_url=iscsi://127.0.0.1:$tgt_port/$tgt_iqn/1

    workload() {  # title field(1 IOPS, 2 MB/s) unit iscsi-perf-args...
        local title=$1 field=$2 unit=$3
        shift 3
        local c=() t=() r
        echo "$title ($reps runs of ${secs}s each, alternating; load $(load))"
        for i in $(seq "$reps"); do
            r=$(perf_run "$ctld_url" "$@")
            c+=("$(cut -d' ' -f"$field" <<<"${r:-0 0}")")
            r=$(perf_run "$tgt_url" "$@")
            t+=("$(cut -d' ' -f"$field" <<<"${r:-0 0}")")
            echo "  run $i: ctld ${c[-1]} $unit, tgt ${t[-1]} $unit (load $(load))"
        done
        local cm tm
        cm=$(printf '%s\n' "${c[@]}" | median)
        tm=$(printf '%s\n' "${t[@]}" | median)
        echo "  median: ctld $cm $unit, tgt $tm $unit, ctld/tgt $(ratio "$cm" "$tm")"
    }
    workload "4K random read, QD32" 1 IOPS -r -m 32 -b 8
    workload "64K sequential read, QD32" 2 MB/s -m 32 -b 128
    echo "ctld threads during the runs: $(threads "$ctld_pid")"
    tgt_stop
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
    pids=()
    rm -f "$file"
fi

if [ -z "${SKIP_RSS:-}" ]; then
    # ctld from a generated ctl.conf: one target with n ramdisk LUNs of 1 GiB each.
    ctld_rss() {
        local n=$1 conf=$work/ctl-$1.conf port pid
        port=$(free_port 16260 16399)
        mkdir -p "$work/state-$n"
        {
            echo "state-dir $work/state-$n"
            echo "control-socket $work/ctld-$n.sock"
            echo "pidfile $work/ctld-$n.pid"
            echo "portal-group pg0 { discovery-auth-group no-authentication; listen 127.0.0.1:$port }"
            echo "target iqn.2024-01.org.camx:rss {"
            echo "    auth-group no-authentication"
            echo "    portal-group pg0"
            for i in $(seq 0 $((n - 1))); do echo "    lun $i { backend ramdisk; size 1g }"; done
            echo "}"
        } >"$conf"
        "$ctld" -f "$conf" >"$work/ctld-$n.log" 2>&1 &
        pid=$!
        pids+=("$pid")
        wait_listening "$work/ctld-$n.log" "$pid"
        sleep 0.5
        echo "$(rss_kib "$pid") $(threads "$pid")"
        kill "$pid"
        wait "$pid" 2>/dev/null || true
    }
    read -r one one_thr < <(ctld_rss 1)
    read -r many many_thr < <(ctld_rss "$nluns")
    echo "ctld resident memory: 1 LUN ${one} KiB ($one_thr threads), $nluns ramdisk LUNs of 1 GiB" \
        "${many} KiB ($many_thr threads), $(( (many - one) * 1024 / (nluns - 1) )) bytes per LUN"

    # tgtd: n LUNs of its null backing store (no data kept), the nearest to a ramdisk.
    tgtd -f -C "$tgt_ctl" --iscsi "portal=127.0.0.1:$tgt_port" >"$work/tgtd-rss.log" 2>&1 &
    tpid=$!
    pids+=("$tpid")
    sleep 0.5
    tgtadm -C "$tgt_ctl" --lld iscsi --mode target --op new --tid 1 -T iqn.2024-01.org.camx:rss
    tgtadm -C "$tgt_ctl" --lld iscsi --mode logicalunit --op new --tid 1 --lun 1 --bstype null -b null1
    tone=$(rss_kib "$tpid")
    for i in $(seq 2 "$nluns"); do
        tgtadm -C "$tgt_ctl" --lld iscsi --mode logicalunit --op new --tid 1 --lun "$i" \
            --bstype null -b "null$i"
    done
    tmany=$(rss_kib "$tpid")
    echo "tgtd resident memory: 1 LUN ${tone} KiB, $nluns null LUNs ${tmany} KiB" \
        "($(threads "$tpid") threads), $(( (tmany - tone) * 1024 / (nluns - 1) )) bytes per LUN"
fi
echo "load after: $(load)"
