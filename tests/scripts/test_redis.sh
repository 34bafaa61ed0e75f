#!/usr/bin/env bash
# tests/scripts/test_redis.sh - `read --redis` against a real redis-server: each stream holds its JSON log's rows, in order, across outages and restarts.
#
# A redis-server of our own on a free loopback port (append-only file, fsync always, so a restart
# keeps what it acknowledged):
#   1. read --format json --redis: every log's stream protowall:<log> holds exactly the lines of
#      <log>.log, in order (redis-cli XRANGE); no stream without a file;
#   2. read (TSV) --redis: TSV files byte-identical to a run without --redis; streams equal (1);
#   3. redis-server restarted: the streams of (1) are still there, unchanged;
#   4. redis-server down when read starts, up during its drain: nothing lost, in order;
#   5. down past the buffer (buffer_rows=5): 5 rows arrive, each stream a suffix of its log, the
#      rest counted lost on stderr; nothing listening at all: every row counted lost, exit 0;
#   6. a stream key of the wrong type: rows rejected and counted, with Redis's error;
#   7. a slow feeder through redis_out while redis-server is stopped (SIGTERM) and restarted,
#      and killed (-9) and restarted: no row lost, none out of order; an outage past the buffer
#      cap drops exactly the oldest rows (the C driver tests/unit/output/test_redis_live.c).
# Exit: 0 all passed, 1 any failed, 77 skipped (redis-server not installed).
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=${PW_ROOT:-$(cd "$HERE/../.." && pwd)}
BIN=${PW_BIN:-$ROOT/build/protowall}
SHARED=${PW_SHARED:-$ROOT/../shared}
PY=${PYTHON:-/usr/bin/python3}
export PATH=$PATH:/usr/sbin:/sbin

command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1 || {
    echo "skipped: redis-server not installed (scripts/bootstrap installs it)"
    exit 77
}
[ -x "$BIN" ] || { echo "FAIL: protowall binary not found: $BIN (set PW_BIN)" >&2; exit 1; }

W=$(mktemp -d /tmp/pw-redis.XXXXXX)
PASS=0 FAIL=0 RPID=
free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
R="redis-cli -p $PORT"

cleanup() {
    [ -n "$RPID" ] && kill "$RPID" 2>/dev/null && wait "$RPID" 2>/dev/null
    if [ "${PW_REDIS_KEEP:-0}" = 1 ]; then echo "work directory kept: $W"; else rm -rf "$W"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

pass() { PASS=$((PASS + 1)); echo "ok   - $1"; }
fail() { FAIL=$((FAIL + 1)); echo "FAIL - $1"; }
check() { local name=$1; shift; if "$@"; then pass "$name"; else fail "$name"; fi; }
# rc_and_grep RC FILE PATTERN: the command before exited 0 (RC) and FILE matches PATTERN.
rc_and_grep() { [ "$1" = 0 ] && grep -q "$3" "$2"; }

redis_start() {
    mkdir -p "$W/redis"
    redis-server --port "$PORT" --bind 127.0.0.1 --dir "$W/redis" --appendonly yes --appendfsync always \
        --save "" --daemonize no >>"$W/redis.log" 2>&1 &
    RPID=$!
    for _ in $(seq 100); do
        [ "$($R ping 2>/dev/null)" = PONG ] && return 0
        sleep 0.05
    done
    echo "redis-server did not start:"; cat "$W/redis.log"; exit 1
}
redis_stop() { kill "$RPID"; wait "$RPID" 2>/dev/null; RPID=; }

# The json values of a stream, one per line, in stream order.
stream() { $R --raw XRANGE "$1" - + | awk 'NR % 3 == 0'; }

# Every <log>.log in dir has a stream prefix<log> with exactly its lines; no other prefix* key.
streams_equal() {
    local dir=$1 prefix=$2 f log keys want
    for f in "$dir"/*.log; do
        log=$(basename "$f" .log)
        stream "$prefix$log" | cmp -s - "$f" || { echo "  $prefix$log differs from $f:"; diff <(stream "$prefix$log") "$f" | head -5; return 1; }
    done
    keys=$($R --raw KEYS "$prefix*" | sort | tr '\n' ' ')
    want=$(for f in "$dir"/*.log; do echo "$prefix$(basename "$f" .log)"; done | sort | tr '\n' ' ')
    [ "$keys" = "$want" ] || { echo "  keys: $keys; logs: $want"; return 1; }
}

# Each stream prefix<log> holds the last lines of <log>.log (none, or a suffix); prints their total.
streams_suffix() {
    local dir=$1 prefix=$2 f n total=0
    for f in "$dir"/*.log; do
        n=$($R XLEN "$prefix$(basename "$f" .log)")
        [ "$n" -eq 0 ] || stream "$prefix$(basename "$f" .log)" | cmp -s - <(tail -n "$n" "$f") || return 1
        total=$((total + n))
    done
    echo "$total"
}

# Rows across several logs: the bundled capture, plus two bigger ones from the shared corpus.
PCAPS=("$ROOT/examples/log4shell-demo.pcap")
for p in "$SHARED/testdata/zeek-parity/scripts.base.protocols.http.http-methods/methods.pcap" \
         "$SHARED/testdata/hostile/bad-dns-traffic.pcap"; do
    [ -f "$p" ] && PCAPS+=("$p")
done
ROWS_ALL() { cat "$1"/*.log | wc -l; }

redis_start

echo "--- 1. --format json --redis: streams equal the files"
"$BIN" read -q --seed 7 --format json -o "$W/json" --redis "127.0.0.1:$PORT" "${PCAPS[@]}" 2>"$W/1.err"
check "read --format json --redis exits 0, quiet" [ $? = 0 -a ! -s "$W/1.err" ]
check "each stream protowall:<log> holds its log's rows, in order ($(ROWS_ALL "$W/json") rows)" \
    streams_equal "$W/json" protowall:
check "XADD capped: MAXLEN ~ 100000 leaves every row (XLEN of conn = its lines)" \
    [ "$($R XLEN protowall:conn)" = "$(wc -l <"$W/json/conn.log")" ]
check "one field per entry, named json" [ "$($R --raw XRANGE protowall:conn - + COUNT 1 | sed -n 2p)" = json ]

echo "--- 2. TSV files with --redis: files unchanged, streams JSON"
"$BIN" read -q --seed 7 -o "$W/tsv0" "${PCAPS[@]}"
"$BIN" read --seed 7 -o "$W/tsv" --redis "127.0.0.1:$PORT,key_prefix=tsv:,maxlen=0" "${PCAPS[@]}" 2>"$W/2.err"
check "TSV files byte-identical to a run without --redis (#open/#close aside)" \
    diff -r -I '^#open' -I '^#close' "$W/tsv0" "$W/tsv"
check "TSV run: streams equal the JSON files" streams_equal "$W/json" tsv:
check "summary on stderr: all rows sent, 0 lost" \
    grep -q "redis 127.0.0.1: $(ROWS_ALL "$W/json") of $(ROWS_ALL "$W/json") rows sent, 0 lost, 0 rejected" "$W/2.err"

echo "--- 3. redis-server restarted: acknowledged rows kept"
redis_stop
redis_start
check "after a restart the streams of (1) are intact" streams_equal "$W/json" protowall:

echo "--- 4. redis-server down at the start, up during the drain"
redis_stop
"$BIN" read -q --seed 7 -o "$W/late" --redis "127.0.0.1:$PORT,key_prefix=late:,drain_ms=20000" "${PCAPS[@]}" \
    2>"$W/4.err" &
READ=$!
sleep 1
redis_start
wait $READ
check "read exits 0 once the rows are in" [ $? = 0 -a ! -s "$W/4.err" ]
check "buffered rows replayed: every stream equals its log, in order" streams_equal "$W/json" late:

echo "--- 5. outage past the buffer: the newest rows kept, the rest counted"
redis_stop
"$BIN" read -q --seed 7 -o "$W/cap" --redis "127.0.0.1:$PORT,key_prefix=cap:,buffer_rows=5,drain_ms=20000" \
    "${PCAPS[@]}" 2>"$W/5.err" &
READ=$!
sleep 1
redis_start
wait $READ
total=$(ROWS_ALL "$W/json")
check "5 rows arrive, each stream the newest rows of its log" [ "$(streams_suffix "$W/json" cap:)" = 5 ]
check "stderr counts the rest lost: 5 of $total sent, $((total - 5)) lost" \
    grep -q "redis 127.0.0.1: 5 of $total rows sent, $((total - 5)) lost" "$W/5.err"
"$BIN" read -q --seed 7 -o "$W/none" --redis "127.0.0.1:$(free_port),drain_ms=300" "${PCAPS[@]}" 2>"$W/5b.err"
check "nothing listening: exit 0, every row counted lost, the error named" rc_and_grep $? "$W/5b.err" \
    "0 of $total rows sent, $total lost, .*last error: connect: Connection refused"

echo "--- 6. rejected rows"
$R SET bad:conn not-a-stream >/dev/null
"$BIN" read -q --seed 7 -o "$W/bad" --redis "127.0.0.1:$PORT,key_prefix=bad:" "${PCAPS[@]}" 2>"$W/6.err"
nconn=$(wc -l <"$W/json/conn.log")
check "XADD to a string key: $nconn conn rows rejected, counted, with Redis's error" \
    grep -q "$((total - nconn)) of $total rows sent, 0 lost, $nconn rejected.*WRONGTYPE" "$W/6.err"

echo "--- 7. slow feeder across redis-server restarts (redis_out directly)"
redis_stop
LIVE=$(dirname "$BIN")/test_redis_live
if [ -x "$LIVE" ]; then
    PW_REDIS_SERVER=$(command -v redis-server) "$LIVE" >"$W/7.out" 2>&1
    rc=$?
    grep "under load" "$W/7.out"
    check "test_redis_live: restart and kill -9 under load lose nothing; cap drops exactly the oldest" \
        rc_and_grep $rc "$W/7.out" "PASSED  \] 3 test"
    [ $rc = 0 ] || cat "$W/7.out"
else
    fail "test_redis_live not built next to $BIN"
fi

echo "$PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
