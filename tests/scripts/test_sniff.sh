#!/usr/bin/env bash
# tests/scripts/test_sniff.sh - live capture (protowall sniff) in network namespaces, against tcpdump + protowall read of the same traffic.
#
# Real servers (python3 http.server, dnsmasq, sshd, nc) in one namespace, real clients (curl,
# dig, ssh, nc) in another, joined by a veth pair. While the clients run, tcpdump and several
# `protowall sniff` instances capture on the client's veth at once; the logs of every instance
# must equal those of `protowall read` on tcpdump's file (uids, times and durations masked):
#   1. one worker; two workers (flows split, union equal; stats.log and capture_loss.log rows
#      of both workers); offloads on (checksums the NIC was to fill: sniff vs read -C);
#   2. mirror: the client's veth is mirrored (tc mirred) into two kernel vxlan devices (VNIs 42
#      and 43) toward a sensor namespace: inner addresses, every inner flow twice (one per VNI),
#      tunnel_parents set; GENEVE: tcpreplay of tcpdump's file wrapped in GENEVE onto a veth;
#   3. SIGTERM logs the open flows: a long-lived nc connection is in conn.log;
#   4. SIGHUP after the files were moved away reopens them (the moved ones end with #close);
#      --rotate-interval and --rotate-size give Zeek-named files, each with #close;
#   5. --stdout: JSON lines with _path; --format json files.
# Exit: 0 all passed, 1 any failed, 77 skipped (not root, no namespaces, missing tools).
# PW_SNIFF_KEEP=1 keeps the work directory.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=${PW_ROOT:-$(cd "$HERE/../.." && pwd)}
BIN=${PW_BIN:-$ROOT/build/protowall}
PY=${PYTHON:-/usr/bin/python3}
CMP="$PY $ROOT/tests/lib/sniff_compare.py"
TOOLS="$PY $ROOT/tests/lib/sniff_tools.py"
export PATH=$PATH:/usr/sbin:/sbin

skip() { echo "SKIP test_sniff: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, packet sockets)"
[ -x "$BIN" ] || { echo "FAIL: protowall binary not found: $BIN (set PW_BIN)" >&2; exit 1; }
"$BIN" sniff --help >/dev/null 2>&1 || { echo "FAIL: $BIN has no sniff command" >&2; exit 1; }
missing=""
for t in ip tc ethtool taskset tcpdump tcpreplay timeout curl dig sshd ssh ssh-keygen dnsmasq nc "$PY"; do
    command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
done
[ -z "$missing" ] || skip "missing tools:$missing (scripts/bootstrap installs them)"

NS_C=pws-c-$$ NS_S=pws-s-$$ NS_M=pws-m-$$
VC=pwsc$$ VS=pwss$$ MC=pwmc$$ MM=pwmm$$ G0=pwg0$$ G1=pwg1$$
CLI=10.94.0.1 SRV=10.94.0.2 UC=10.93.0.1 UM=10.93.0.2
W=$(mktemp -d /tmp/pw-sniff.XXXXXX)
chmod 755 "$W"   # --user nobody writes below it
PIDS=() SNIFFS=() PASS=0 FAIL=0

cleanup() {
    local pid ns
    set +e
    for pid in "${SNIFFS[@]}" "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
    for ns in "$NS_C" "$NS_S" "$NS_M"; do
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null; done
    done
    sleep 0.3
    for ns in "$NS_C" "$NS_S" "$NS_M"; do
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
        ip netns del "$ns" 2>/dev/null
    done
    if [ "${PW_SNIFF_KEEP:-0}" = 1 ]; then echo "work directory kept: $W"; else rm -rf "$W"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

pass() { PASS=$((PASS + 1)); echo "PASS $*"; }
fail() { FAIL=$((FAIL + 1)); echo "FAIL $*"; }
# check NAME CMD...: the command's output is shown under the verdict.
check() {
    local name=$1 out; shift
    if out=$("$@" 2>&1); then pass "$name"; else fail "$name"; fi
    [ -n "$out" ] && echo "$out" | sed 's/^/     /'
}

# Clients and servers share one CPU: a packet is then mirrored in the order it was sent, and
# the sensor's copies of the two directions cannot overtake each other on two CPUs' queues (a
# real mirror may reorder them; the comparison with tcpdump's file would then show gaps).
PIN=(taskset -c 0)
C() { ip netns exec "$NS_C" "${PIN[@]}" "$@"; }
S() { ip netns exec "$NS_S" "${PIN[@]}" "$@"; }
M() { ip netns exec "$NS_M" "$@"; }
S_bg() { local log=$1; shift; ip netns exec "$NS_S" "${PIN[@]}" "$@" >>"$W/$log" 2>&1 & PIDS+=($!); }

# sniff NS NAME ARGS...: starts an instance; its stderr is $W/NAME.err, its pid SNIFF_PID.
sniff() {
    local ns=$1 name=$2; shift 2
    ip netns exec "$ns" "$BIN" sniff "$@" >"$W/$name.out" 2>"$W/$name.err" &
    SNIFF_PID=$!
    SNIFFS+=($SNIFF_PID)
}
# wait_for FILE TEXT: up to 10 s.
wait_for() {
    local i
    for i in $(seq 100); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
    echo "timed out waiting for \"$2\" in $1:" >&2; cat "$1" >&2; return 1
}
# stop PID NAME: SIGTERM, then its exit status must be 0.
stop() {
    local rc
    kill -TERM "$1"; wait "$1"; rc=$?
    [ $rc = 0 ] || { fail "$2 exit status $rc"; cat "$W/$2.err"; }
}

# ---------------------------------------------------------------- namespaces

ip netns add "$NS_C" 2>"$W/netns.err" || skip "cannot create network namespaces: $(cat "$W/netns.err")"
ip netns add "$NS_S" && ip netns add "$NS_M" || exit 1
ip link add "$VC" type veth peer name "$VS" || skip "cannot create a veth pair"
ip link set "$VC" netns "$NS_C"; ip link set "$VS" netns "$NS_S"
ip link add "$MC" type veth peer name "$MM"
ip link set "$MC" netns "$NS_C"; ip link set "$MM" netns "$NS_M"
ip link add "$G0" type veth peer name "$G1"
ip link set "$G0" netns "$NS_M"; ip link set "$G1" netns "$NS_M"
for ns in "$NS_C" "$NS_S" "$NS_M"; do
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    ip netns exec "$ns" ip link set lo up
done
C ip addr add $CLI/24 dev "$VC"; S ip addr add $SRV/24 dev "$VS"
C ip addr add $UC/24 dev "$MC"; M ip addr add $UM/24 dev "$MM"
# The underlay carries a whole frame plus VXLAN's 50 bytes; GENEVE frames are replayed whole.
for d in "C $MC" "M $MM" "M $G0" "M $G1"; do set -- $d; $1 ip link set "$2" mtu 1600; done
C ip link set "$VC" up; S ip link set "$VS" up; C ip link set "$MC" up; M ip link set "$MM" up
# tc mirrors a sent frame before its checksum is computed; the underlay computes it (as a wire
# would have it), so the sensor sees what AWS would send.
C ethtool -K "$MC" tx off sg off tso off gso off >/dev/null 2>&1
M ip link set "$G0" up; M ip link set "$G1" up

# Mirror sessions: every frame on the client's veth, both ways, into VNI 42 and VNI 43.
for vni in 42 43; do
    C ip link add vx$vni type vxlan id $vni local $UC remote $UM dstport 4789 dev "$MC" || skip "no vxlan device"
    C ip link set vx$vni up
done
C tc qdisc add dev "$VC" clsact || skip "no clsact qdisc"
for dir in ingress egress; do
    C tc filter add dev "$VC" $dir prio 1 protocol all u32 match u32 0 0 \
        action mirred egress mirror dev vx42 action mirred egress mirror dev vx43 || skip "no tc mirred"
done

# ---------------------------------------------------------------- servers

mkdir -p "$W/www" /run/sshd
head -c 200000 /dev/urandom >"$W/www/big.bin"
printf '<html><body>protowall sniff test</body></html>\n' >"$W/www/index.html"
ssh-keygen -q -t ed25519 -N '' -f "$W/host_key"; ssh-keygen -q -t ed25519 -N '' -f "$W/client_key"
cp "$W/client_key.pub" "$W/authorized_keys"
S_bg http.log "$PY" -m http.server --bind $SRV --directory "$W/www" 80
S_bg dnsmasq.log dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts --no-poll \
    --user=root --group=root --listen-address=$SRV --bind-interfaces --port=53 \
    --pid-file="$W/dnsmasq.pid" --local=/sniff.test/ --address=/www.sniff.test/$SRV \
    --txt-record=sniff.test,"v=spf1 -all"
S_bg sshd.log /usr/sbin/sshd -D -e -o ListenAddress=$SRV -h "$W/host_key" -o PidFile="$W/sshd.pid" \
    -o AuthorizedKeysFile="$W/authorized_keys" -o PermitRootLogin=prohibit-password \
    -o PasswordAuthentication=no -o KbdInteractiveAuthentication=no -o UsePAM=no -o StrictModes=no
S_bg nc.log nc -l -k $SRV 7000
SSH_OPTS=(-F /dev/null -i "$W/client_key" -o BatchMode=yes -o StrictHostKeyChecking=no
          -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o ConnectTimeout=5)
for i in $(seq 50); do S ss -ltn | grep -q ":22 " && S ss -ltn | grep -q ":80 " && break; sleep 0.1; done

offloads() { C ethtool -K "$VC" rx $1 tx $1 sg $1 tso $1 gso $1 gro $1 >/dev/null 2>&1
             S ethtool -K "$VS" rx $1 tx $1 sg $1 tso $1 gso $1 gro $1 >/dev/null 2>&1; }

# One round of client traffic. The second half is announced by calling $1 (between halves).
traffic() {
    local i
    for i in 1 2 3; do
        C timeout 10 curl -s -o /dev/null http://$SRV/index.html
        C timeout 10 curl -s -o /dev/null http://$SRV/big.bin
        C timeout 10 curl -s -o /dev/null http://$SRV/missing-$i
        C timeout 10 dig @$SRV +tries=1 +time=2 www.sniff.test A >/dev/null
        C timeout 10 dig @$SRV +tries=1 +time=2 nothing-$i.sniff.test A >/dev/null
    done
    C timeout 10 ssh "${SSH_OPTS[@]}" root@$SRV true </dev/null
    "$1"
    for i in 4 5 6; do
        C timeout 10 curl -s -o /dev/null -H "X-Round: $i" http://$SRV/index.html
        C timeout 10 dig @$SRV +tries=1 +time=2 +tcp sniff.test TXT >/dev/null
    done
    C timeout 10 ssh "${SSH_OPTS[@]}" root@$SRV true </dev/null
    C timeout 10 curl -s -o /dev/null http://$SRV/big.bin
}

# ---------------------------------------------------------------- round A: offloads off, every instance

offloads off
# Not through C(): $! must be tcpdump itself, for the SIGINT that ends it.
ip netns exec "$NS_C" tcpdump -i "$VC" -s 0 -B 16384 -w "$W/a.pcap" -U >/dev/null 2>"$W/tcpdump-a.err" &
TD=$!; PIDS+=($TD)
wait_for "$W/tcpdump-a.err" "listening on" || exit 1
R=(--ring-mb 8 --no-promisc)
sniff "$NS_C" w1 -i "$VC" -w 1 -o "$W/w1" --user nobody "${R[@]}"; P_W1=$SNIFF_PID
sniff "$NS_C" w2 -i "$VC" -w 2 -o "$W/w2" --stats-interval 1 "${R[@]}"; P_W2=$SNIFF_PID
sniff "$NS_C" rot -i "$VC" -w 2 -o "$W/rot" --rotate-interval 2 --rotate-size 3K "${R[@]}"; P_ROT=$SNIFF_PID
sniff "$NS_C" json -i "$VC" -w 1 -o "$W/json" --format json --stdout "${R[@]}"; P_JSON=$SNIFF_PID
sniff "$NS_M" mir -i "$MM" -w 2 -o "$W/mir" -f "udp port 4789" --ring-mb 8; P_MIR=$SNIFF_PID
for n in w1 w2 rot json mir; do wait_for "$W/$n.err" "capturing on" || exit 1; done
# --user: the logger and its worker run as nobody, with no capabilities left.
privs() {
    local p bad=0
    for p in "$P_W1" $(pgrep -P "$P_W1"); do
        awk '/^(Uid|Gid):/ { if ($2 != 65534 || $3 != 65534 || $4 != 65534 || $5 != 65534) bad = 1 }
                       /^CapEff:/ { if ($2 != "0000000000000000") bad = 1 }
                       END { exit bad }' "/proc/$p/status" || { echo "process $p:"; grep -E "^(Uid|Gid|CapEff)" "/proc/$p/status"; bad=1; }
    done
    [ "$(pgrep -P "$P_W1" | wc -l)" = 1 ] || { echo "expected one worker process"; bad=1; }
    [ "$(stat -c %U "$W/w1")" = nobody ] || { echo "log directory not given to nobody"; bad=1; }
    return $bad
}
check "--user nobody: logger and worker run as nobody, no capabilities" privs

# SIGHUP the way logrotate does it: files moved away first.
hup_w2() {
    local f
    sleep 0.5
    for f in "$W"/w2/*.log; do mv "$f" "${f%.log}.moved.log"; done
    kill -HUP "$P_W2"
    sleep 0.5
}
traffic hup_w2
# A connection still open when the instances stop.
( printf 'hello from a long-lived connection\n'; sleep 30 ) | C nc $SRV 7000 >/dev/null & PIDS+=($!)
sleep 2.5
for p in "$P_W1:w1" "$P_W2:w2" "$P_ROT:rot" "$P_JSON:json" "$P_MIR:mir"; do stop "${p%%:*}" "${p#*:}"; done
kill -INT "$TD"; wait "$TD" 2>/dev/null
"$BIN" read -q -o "$W/a" "$W/a.pcap" || fail "protowall read a.pcap"

echo "--- 1. live capture equals read of tcpdump's file"
LOGS=(--logs conn,http,dns,ssh,files --min-rows conn=20,http=9,dns=9,ssh=2)
check "one worker: conn/http/dns/ssh/files equal" $CMP "$W/w1" "$W/a" "${LOGS[@]}"
check "two workers: union equal (moved files included)" $CMP "$W/w2" "$W/a" "${LOGS[@]}"
check "two workers: stats.log and capture_loss.log per worker" $TOOLS workers "$W/w2" 2

echo "--- 2. mirror: VXLAN"
check "VXLAN, two VNIs: each inner flow twice, inner addresses, tunnel_parents" \
    $CMP "$W/mir" "$W/a" --tunnelled --times-b 2 "${LOGS[@]}"

echo "--- 3. SIGTERM logs open flows"
check "long-lived nc connection in conn.log after SIGTERM" $TOOLS has-conn "$W/w1" 7000
check "... in the same state as read's end-of-input flush" $CMP "$W/w1" "$W/a" --logs conn

echo "--- 4. SIGHUP and rotation"
check "SIGHUP: the moved http.log ends with #close" $TOOLS closed "$W/w2/http.moved.log"
check "SIGHUP: a new http.log was opened and closed" $TOOLS closed "$W/w2/http.log"
check "rotation: Zeek-named http files with #open and #close" $TOOLS rotated "$W/rot" http 2
check "rotation: Zeek-named conn files" $TOOLS rotated "$W/rot" conn 1
check "rotation: nothing left unrotated at exit" test ! -e "$W/rot/conn.log"
check "rotation: no row lost across files" $CMP "$W/rot" "$W/a" "${LOGS[@]}"

echo "--- 5. JSON lines"
check "--stdout: JSON lines with _path" $TOOLS split-stdout "$W/json.out" "$W/stdout"
check "--stdout: rows equal" $CMP "$W/stdout" "$W/a" "${LOGS[@]}"
check "--format json files: rows equal" $CMP "$W/json" "$W/a" "${LOGS[@]}"

# ---------------------------------------------------------------- round B: offloads on

echo "--- 1b. offloads on (partial checksums filled in, GSO frames)"
offloads on
ip netns exec "$NS_C" tcpdump -i "$VC" -s 0 -B 16384 -w "$W/b.pcap" -U >/dev/null 2>"$W/tcpdump-b.err" &
TD=$!; PIDS+=($TD)
wait_for "$W/tcpdump-b.err" "listening on" || exit 1
sniff "$NS_C" wb -i "$VC" -w 2 -o "$W/wb" "${R[@]}"; P_WB=$SNIFF_PID
wait_for "$W/wb.err" "capturing on" || exit 1
traffic true
sleep 1.5
stop "$P_WB" wb
kill -INT "$TD"; wait "$TD" 2>/dev/null
"$BIN" read -q -C -o "$W/b" "$W/b.pcap" || fail "protowall read -C b.pcap"
check "offloads on: sniff (checksums verified) equals read -C" $CMP "$W/wb" "$W/b" "${LOGS[@]}"

# ---------------------------------------------------------------- GENEVE by tcpreplay

echo "--- 2b. mirror: GENEVE"
$TOOLS geneve "$W/a.pcap" "$W/geneve.pcap" 7 >"$W/geneve.err" 2>&1 || { fail "crafting geneve.pcap"; cat "$W/geneve.err"; }
sniff "$NS_M" gen -i "$G1" -w 2 -o "$W/gen" -f "udp port 6081" --ring-mb 8; P_GEN=$SNIFF_PID
wait_for "$W/gen.err" "capturing on" || exit 1
M tcpreplay -q -i "$G0" --mbps 200 "$W/geneve.pcap" >"$W/tcpreplay.log" 2>&1 || { fail "tcpreplay"; cat "$W/tcpreplay.log"; }
sleep 1.5
stop "$P_GEN" gen
check "GENEVE (tcpreplay): inner flows equal, tunnel_parents" $CMP "$W/gen" "$W/a" --tunnelled "${LOGS[@]}"

echo "$PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
