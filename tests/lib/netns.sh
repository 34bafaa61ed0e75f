# tests/lib/netns.sh - what the namespace tests share: verdict counting, polling, a watchdog, and tearing down their namespaces, processes and work directory. Sourced, not run.
#
# The test sets NETNS (its namespaces) and W (its work directory), and puts the pids of the
# processes it starts in PIDS, the protowall under test in PW_PID. netns_cleanup, installed on EXIT
# by netns_traps, kills them all, deletes the namespaces (and their /etc/netns directories) and
# removes W unless PW_KEEP=1.

NETNS=() PIDS=() PW_PID= WATCHDOG=
pass=0 fail=0

ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
check() {          # check NAME CMD...: ok when the command succeeds
    local name=$1
    shift
    if "$@"; then ok "$name"; else bad "$name"; fi
}
quiet() { "$@" >/dev/null 2>&1; }

wait_until() {     # wait_until TENTHS CMD...: poll every 0.1 s
    local n=$1 i=0
    shift
    while ! "$@" >/dev/null 2>&1; do
        i=$((i + 1))
        [ $i -le "$n" ] || return 1
        sleep 0.1
    done
}
listening() { ip netns exec "$1" ss -Hltn "src $2:$3" | grep -q .; }   # listening NS ADDR PORT

# notify_listen SOCKET OUT: systemd's side of sd_notify, for a test: each datagram sent to the
# AF_UNIX socket SOCKET becomes one line of OUT, its own lines joined by ";". The listener joins
# PIDS. Anyone may write to the socket, as to systemd's: a service that dropped privileges still
# reaches it.
notify_listen() {
    "${PY:-/usr/bin/python3}" -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a", buffering=1) as out:
    while True:
        out.write(s.recv(4096).decode(errors="replace").replace("\n", ";") + "\n")
' "$1" "$2" &
    PIDS+=($!)
    wait_until 30 test -S "$1" && chmod 0777 "$1"
}

# notified OUT MSG...: what notify_listen wrote to OUT so far is exactly MSG..., one message each,
# with the clock in MONOTONIC_USEC= read as N ("RELOADING=1;MONOTONIC_USEC=N").
notified() {
    local out=$1
    shift
    [ "$(sed 's/MONOTONIC_USEC=[0-9][0-9]*/MONOTONIC_USEC=N/' "$out" | paste -sd ' ')" = "$*" ]
}

# netns_watchdog SECONDS: a test that hangs is stopped (and cleaned up) rather than left to ctest.
netns_watchdog() {
    ( sleep "$1"; echo "watchdog: over time" >&2; kill -TERM $$ 2>/dev/null ) &
    WATCHDOG=$!
}

netns_cleanup() {
    local pid ns
    set +u
    trap - EXIT INT TERM
    {
        [ -n "$WATCHDOG" ] && kill $(ps -o pid= --ppid "$WATCHDOG") "$WATCHDOG"
        [ -n "$PW_PID" ] && kill -9 "$PW_PID"
        for pid in "${PIDS[@]}"; do kill "$pid"; done
        for ns in "${NETNS[@]}"; do
            for pid in $(ip netns pids "$ns"); do kill -9 "$pid"; done
        done
        wait
        for ns in "${NETNS[@]}"; do
            ip netns del "$ns"
            rm -rf "/etc/netns/$ns"
        done
    } 2>/dev/null
    if [ -n "${PW_KEEP:-}" ] && [ "${PW_KEEP}" != 0 ]; then echo "kept $W"; elif [ -n "${W:-}" ]; then rm -rf "$W"; fi
}

netns_traps() {
    trap netns_cleanup EXIT
    trap 'exit 1' INT TERM
}

# The last line ctest shows, and the status.
netns_summary() {
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ]
}
