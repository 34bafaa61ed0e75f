#!/usr/bin/env bash
# tests/scripts/test_sniff_baseline.sh - learn -> policy -> sniff --baseline, live, with two workers, and SIGHUP reloading the baseline.
#
# Real traffic in network namespaces (curl to python http.server on public-looking addresses):
#   1. `learn -i` watches the instance's normal egress (a.example.test, b.example.test) until
#      SIGINT and writes a policy that `policy check` accepts, keeping its logs (--logs); again
#      with --duration and a temporary log directory, which it removes;
#   2. sniff -w 2 --baseline learned.yaml: the learned egress raises nothing; twelve connections to
#      a new destination (c.example.test), from twelve source ports that the fanout hashes to
#      either worker (all on one: a 1-in-2048 chance), raise exactly one Baseline::New_Egress
#      (the workers share the notice suppression);
#   3. the baseline file is replaced by one that allows only a.example.test, then SIGHUP: the
#      logger says it reloaded, and b.example.test, allowed until then, now raises one notice;
#   4. a broken baseline file, then SIGHUP: refused with FILE:LINE, the old baseline stays (a new
#      destination d.example.test still raises its notice), sniff keeps running and exits 0;
#   5. a broken --baseline at start: exit 2, the message names the file and line; a good one
#      that --user cannot read: exit 2 at the start, said once, not by every worker.
# Exit: 0 all passed, 1 any failed, 77 skipped (not root, no namespaces, missing tools).
set -u
ROOT=${PW_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${PW_BIN:-$ROOT/build/protowall}
PY=${PYTHON:-/usr/bin/python3}
export PATH=$PATH:/usr/sbin:/sbin

skip() { echo "SKIP test_sniff_baseline: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces, packet sockets)"
for p in ip curl ss "$PY"; do command -v "$p" >/dev/null 2>&1 || skip "$p is not installed"; done
"$BIN" sniff --help 2>/dev/null | grep -q -- "--baseline" || { echo "FAIL: $BIN sniff has no --baseline"; exit 1; }

NS_I=pwsb-i-$$ NS_N=pwsb-n-$$ VI=pwsbi$$ VN=pwsbn$$
# Public-looking addresses: Zeek counts private and documentation space as local, and a baseline
# judges only egress to non-local hosts.
I_IP=10.77.0.2 A_IP=93.184.216.81 B_IP=93.184.216.82 C_IP=93.184.216.83 D_IP=93.184.216.84
W=$(mktemp -d /tmp/pw-sniff-baseline.XXXXXX)
. "$ROOT/tests/lib/netns.sh"
NETNS=($NS_I $NS_N)
netns_traps
netns_watchdog 150
ix() { ip netns exec "$NS_I" "$@"; }
nx() { ip netns exec "$NS_N" "$@"; }

ip netns add $NS_I 2>/dev/null || { NETNS=(); skip "cannot create network namespaces"; }
ip netns add $NS_N
ip link add $VI netns $NS_I type veth peer name $VN netns $NS_N || skip "cannot create a veth pair"
for ns in $NS_I $NS_N; do
    ip netns exec $ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    ip netns exec $ns ip link set lo up
done
ix ip link set $VI up
ix ip addr add $I_IP/24 dev $VI
ix ip route add default via 10.77.0.1
nx ip link set $VN up
nx ip addr add 10.77.0.1/24 dev $VN
mkdir -p "$W/www"
echo hello >"$W/www/index.html"
for a in $A_IP $B_IP $C_IP $D_IP; do
    nx ip addr add $a/32 dev $VN
    nx "$PY" -m http.server 80 --bind $a --directory "$W/www" >/dev/null 2>&1 &
done
for a in $A_IP $B_IP $C_IP $D_IP; do wait_until 50 sh -c "ip netns exec $NS_N ss -Hltn src $a:80 | grep -q ."; done

get() { ix curl -s -m 4 -o /dev/null -w '%{http_code}' -H "Host: $1" "http://$2/"; }
start_sniff() {   # start_sniff LOGDIR [args]
    local dir=$1
    shift
    # Not through ix(): $! must be protowall itself, for the signals.
    ip netns exec "$NS_I" "$BIN" sniff -i $VI -o "$dir" --stats-interval 0 --ring-mb 8 "$@" \
        >"$W/sniff.out" 2>"$W/sniff.err" &
    PW_PID=$!
    wait_until 100 grep -q "capturing on" "$W/sniff.err" || { cat "$W/sniff.err"; return 1; }
}
stop_sniff() {
    local rc
    sleep 1
    kill -TERM "$PW_PID"
    wait "$PW_PID"
    rc=$?
    PW_PID=
    return $rc
}
# notices DIR PATTERN: Baseline::New_Egress rows whose text matches.
notices() { grep -v '^#' "$1/notice.log" 2>/dev/null | grep "Baseline::New_Egress" | grep -c -- "$2"; }

# ---------------------------------------------------------------- 1. learn from live traffic

# Not through ix(): $! must be protowall itself, for the signal.
ip netns exec "$NS_I" "$BIN" learn -i $VI -w 2 --logs "$W/l1" -o "$W/learned.yaml" >"$W/learn.out" 2>"$W/learn.err" &
PW_PID=$!
wait_until 100 grep -q "capturing on $VI with 2 workers" "$W/learn.err" || { cat "$W/learn.err"; exit 1; }
for i in 1 2 3; do get a.example.test $A_IP >/dev/null; get b.example.test $B_IP >/dev/null; done
sleep 1
kill -INT $PW_PID
wait $PW_PID
rc=$?
PW_PID=
[ $rc = 0 ] && ok "learn -i, stopped by SIGINT, exits 0" || bad "learn -i exit status $rc: $(cat "$W/learn.err")"
grep -q "rules\? written to $W/learned.yaml" "$W/learn.err" && ok "learn -i says it wrote the policy" \
    || bad "learn -i summary: $(cat "$W/learn.err")"
"$BIN" policy check "$W/learned.yaml" >"$W/check.out" 2>&1 && ok "policy check accepts it" \
    || bad "policy check: $(cat "$W/check.out")"
grep -q "a.example.test" "$W/learned.yaml" && grep -q "b.example.test" "$W/learned.yaml" \
    && ok "both names are in the learned rules" || bad "names missing from the learned policy"
[ -s "$W/l1/conn.log" ] && ok "--logs kept the capture's logs" || bad "no conn.log in --logs"

tmps=$(ls -d /tmp/protowall-learn.* 2>/dev/null | wc -l)
ip netns exec "$NS_I" "$BIN" learn -i $VI --duration 3 -o "$W/learned-a.yaml" >"$W/learn2.out" 2>"$W/learn2.err" &
PW_PID=$!
wait_until 100 grep -q "capturing on" "$W/learn2.err" || { cat "$W/learn2.err"; exit 1; }
for i in 1 2; do get a.example.test $A_IP >/dev/null; done
wait $PW_PID
rc=$?
PW_PID=
[ $rc = 0 ] && ok "learn -i --duration 3 ends by itself, exit 0" || bad "learn --duration exit $rc: $(cat "$W/learn2.err")"
grep -q "a.example.test" "$W/learned-a.yaml" && ! grep -q "b.example.test" "$W/learned-a.yaml" \
    && ok "the second policy has what that capture saw, a.example.test only" || bad "learned-a.yaml: $(cat "$W/learned-a.yaml")"
[ "$(ls -d /tmp/protowall-learn.* 2>/dev/null | wc -l)" = "$tmps" ] && ok "the temporary logs are removed" \
    || bad "a /tmp/protowall-learn.* directory was left"

# ---------------------------------------------------------------- 2. the baseline, two workers

cp "$W/learned.yaml" "$W/baseline.yaml"
start_sniff "$W/l2" -w 2 --baseline "$W/baseline.yaml" || exit 1
for i in 1 2 3; do get a.example.test $A_IP >/dev/null; get b.example.test $B_IP >/dev/null; done
for i in $(seq 12); do get c.example.test $C_IP >/dev/null; done
sleep 1.5   # the flows end (FIN) and are judged

# ---------------------------------------------------------------- 3. SIGHUP: a new baseline

cat >"$W/only-a.yaml" <<EOF
default: { outbound: deny, inbound: allow }
rules:
  - { name: web-a, action: allow, direction: outbound, app: http, domain: a.example.test }
EOF
cp "$W/only-a.yaml" "$W/baseline.yaml"
kill -HUP "$PW_PID"
wait_until 50 grep -q "baseline $W/baseline.yaml reloaded, 1 rules" "$W/sniff.err" \
    && ok "SIGHUP: the logger says the baseline was reloaded" || bad "no reload message: $(cat "$W/sniff.err")"
sleep 0.5   # the workers take it between batches
for i in 1 2 3; do get a.example.test $A_IP >/dev/null; get b.example.test $B_IP >/dev/null; done
sleep 1.5

# ---------------------------------------------------------------- 4. SIGHUP: a broken file

printf 'default: { outbound: deny, inbound: allow }\nrules:\n  - { name: x, action: allow, colour: blue }\n' >"$W/baseline.yaml"
kill -HUP "$PW_PID"
wait_until 50 grep -q "SIGHUP: the new baseline is refused, the old one stays: $W/baseline.yaml:3" "$W/sniff.err" \
    && ok "SIGHUP with a broken file: refused, naming file and line" || bad "no refusal: $(cat "$W/sniff.err")"
for i in 1 2 3; do get d.example.test $D_IP >/dev/null; done
sleep 1.5
kill -0 "$PW_PID" 2>/dev/null && ok "sniff still runs after the refused reload" || bad "sniff died"
stop_sniff && ok "sniff --baseline exits 0" || bad "sniff --baseline exit status"

n=$(notices "$W/l2" "a.example.test")
[ "$n" = 0 ] && ok "learned egress to a.example.test: no notice" || bad "a.example.test notices: $n"
n=$(notices "$W/l2" "c.example.test")
[ "$n" = 1 ] && ok "twelve connections to a new destination: exactly one Baseline::New_Egress" \
    || bad "c.example.test notices: $n (want 1)"
grep -v '^#' "$W/l2/notice.log" | grep "Baseline::New_Egress" | grep "c.example.test" | grep -q "$I_IP -> c.example.test tcp/80 http" \
    && ok "the notice names the tuple: $I_IP -> c.example.test tcp/80 http" || bad "notice text: $(grep c.example "$W/l2/notice.log")"
c_uids=$(grep -v '^#' "$W/l2/conn.log" | awk -F'\t' -v ip=$C_IP '$5 == ip' | wc -l)
[ "$c_uids" -ge 12 ] && ok "all twelve connections to c are in conn.log ($c_uids)" || bad "c connections logged: $c_uids"
n=$(notices "$W/l2" "b.example.test")
[ "$n" = 1 ] && ok "after the reload, b.example.test (no longer allowed) raises one notice" \
    || bad "b.example.test notices: $n (want 1: none before the reload, one after)"
n=$(notices "$W/l2" "d.example.test")
[ "$n" = 1 ] && ok "after the refused reload, the baseline in force still notices d.example.test" \
    || bad "d.example.test notices: $n (want 1)"

# ---------------------------------------------------------------- 5. a broken baseline at start

ix "$BIN" sniff -i $VI -o "$W/l3" --baseline "$W/baseline.yaml" >"$W/bad.out" 2>&1
rc=$?
[ $rc = 2 ] && ok "a broken --baseline at start: exit 2" || bad "broken --baseline: exit $rc"
grep -q "$W/baseline.yaml:3:.*colour" "$W/bad.out" && ok "the message names file, line and field" \
    || bad "message: $(cat "$W/bad.out")"
# $W is mode 0700: nobody cannot reach the file root can.
mkdir -p "$W/l4" && chmod 0777 "$W/l4"
ix "$BIN" sniff -i $VI -w 2 -o "$W/l4" --user nobody --baseline "$W/learned.yaml" >"$W/user.out" 2>&1
rc=$?
[ $rc = 2 ] && grep -q "$W/learned.yaml.*Permission denied" "$W/user.out" && ! grep -q "worker" "$W/user.out" \
    && ok "a baseline --user cannot read: exit 2 at the start, once" || bad "unreadable baseline: exit $rc, $(cat "$W/user.out")"

netns_summary
