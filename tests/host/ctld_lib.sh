# SPDX-License-Identifier: BSD-2-Clause
# Shared by the ctld host scripts: start ctld's demo on a free 127.0.0.1 port, stop it on exit.
# Sourced with $build set; sets $port, $iqn, $url and $ctld_pid.

iqn=iqn.2024-01.org.camx:demo
ctld_pid=

ctld_port_free() { [ -z "$(ss -Hltn "sport = :$1")" ]; }

# Sets $port to a free 127.0.0.1 port and $ctld_log to a new log file.
ctld_pick_port() {
    local p
    port=
    for p in $(seq 15260 15399); do
        if ctld_port_free "$p"; then port=$p; break; fi
    done
    [ -n "$port" ] || { echo "no free port for ctld"; exit 1; }
    ctld_log=$(mktemp /tmp/ctld-host.XXXXXX)
}

# ctld_run ARGS...: starts ctld in the background and waits until it listens.
ctld_run() {
    "$build/tools/ctld/ctld" "$@" >"$ctld_log" 2>&1 &
    ctld_pid=$!
    for _ in $(seq 50); do
        grep -q "listening on" "$ctld_log" && break
        kill -0 "$ctld_pid" 2>/dev/null || { cat "$ctld_log"; echo "ctld did not start"; exit 1; }
        sleep 0.1
    done
}

ctld_start() {
    ctld_pick_port
    ctld_run --demo --listen "127.0.0.1:$port" "$@"
    url=iscsi://127.0.0.1:$port/$iqn/0
}

# ctld_start_conf WRITER: like ctld_start, with the configuration WRITER PORT FILE writes
# (a ctl.conf listening on 127.0.0.1:PORT) instead of the demo.
ctld_start_conf() {
    ctld_pick_port
    ctld_conf=$(mktemp /tmp/ctld-host-conf.XXXXXX)
    "$1" "$port" "$ctld_conf"
    ctld_run -f "$ctld_conf"
}

ctld_stop() {
    if [ -n "$ctld_pid" ] && kill -0 "$ctld_pid" 2>/dev/null; then
        kill -TERM "$ctld_pid"
        wait "$ctld_pid" 2>/dev/null || true
    fi
    ctld_pid=
    rm -f "$ctld_log" "${ctld_conf:-}"
}
trap ctld_stop EXIT
