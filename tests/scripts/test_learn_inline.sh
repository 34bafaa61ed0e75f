#!/usr/bin/env bash
# tests/scripts/test_learn_inline.sh - learn -> policy -> check -> inline, on real traffic in network
# namespaces: protowall inline with an allow-all policy records the instance's normal egress (curl
# to two web servers, by name); `protowall learn` turns those logs into a policy that `policy check`
# accepts; inline with that policy (and --baseline) lets the same egress through, refuses a new
# destination, and raises exactly one Baseline::New_Egress for it however often it is tried.
set -u
ROOT=${PW_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${PW_BIN:-$ROOT/build/protowall}
PY=${PYTHON:-/usr/bin/python3}

skip() { echo "skipped: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces, NFQUEUE)"
for p in ip iptables curl; do command -v $p >/dev/null 2>&1 || skip "$p is not installed"; done
"$BIN" inline --help >/dev/null 2>&1 || skip "$BIN has no inline command"

NS_I=pwl-inst NS_N=pwl-net
# Public-looking addresses: Zeek counts the documentation networks as local, and learn keeps
# only egress to non-local hosts.
I_IP=10.78.0.2 A_IP=93.184.216.61 B_IP=93.184.216.62 C_IP=93.184.216.63
ix="ip netns exec $NS_I"
nx="ip netns exec $NS_N"
W=$(mktemp -d /tmp/pw-learn-inline.XXXXXX)
. "$ROOT/tests/lib/netns.sh"
NETNS=($NS_I $NS_N)
netns_traps

for ns in $NS_I $NS_N; do ip netns del $ns 2>/dev/null; done
ip netns add $NS_I
ip netns add $NS_N
ip link add pwl-i0 netns $NS_I type veth peer name pwl-n0 netns $NS_N
for ns in $NS_I $NS_N; do ip netns exec $ns ip link set lo up; done
$ix ip link set pwl-i0 up
$ix ip addr add $I_IP/24 dev pwl-i0
$ix ip route add default via 10.78.0.1
$nx ip link set pwl-n0 up
$nx ip addr add 10.78.0.1/24 dev pwl-n0
mkdir -p "$W/www"
echo hello >"$W/www/index.html"
for a in $A_IP $B_IP $C_IP; do
    $nx ip addr add $a/32 dev pwl-n0
    $nx $PY -m http.server 80 --bind $a --directory "$W/www" >/dev/null 2>&1 &
done
for a in $A_IP $B_IP $C_IP; do wait_until 50 sh -c "$nx ss -Hltn src\\ $a:80 | grep -q ."; done

run_inline() {   # run_inline POLICY LOGDIR [args]
    local pol=$1 dir=$2
    shift 2
    $ix "$BIN" inline --queue 0 --policy "$pol" -o "$dir" "$@" >"$W/inline.err" 2>&1 &
    PW_PID=$!
    wait_until 50 grep -q "protowall inline: queue 0" "$W/inline.err" || { cat "$W/inline.err"; return 1; }
}
stop_inline() { kill -TERM "$PW_PID"; wait "$PW_PID" 2>/dev/null; PW_PID=; }
get() { $ix curl -s -m 4 -o /dev/null -w '%{http_code}' -H "Host: $1" "http://$2/"; }

$ix "$BIN" nft install --queue 0 >/dev/null 2>&1 || { echo "nft install failed"; exit 1; }
cat >"$W/open.yaml" <<EOF
default: { outbound: allow, inbound: allow }
rules:
  - { name: everything, action: allow }
EOF
# Phase 1: normal egress, recorded (process owners looked up so the learned rules can name curl;
# every packet analysed so the logs name the application and the host).
run_inline "$W/open.yaml" "$W/l1" --owners all --full-visibility || exit 1
for i in 1 2 3; do get a.example.test $A_IP >/dev/null; get b.example.test $B_IP >/dev/null; done
stop_inline
"$BIN" learn -o "$W/learned.yaml" "$W/l1" >"$W/learn.out" 2>&1 && ok "learn wrote a policy" || bad "learn: $(cat "$W/learn.out")"
"$BIN" policy check "$W/learned.yaml" >"$W/check.out" 2>&1 && ok "policy check accepts it: $(cat "$W/check.out")" \
    || bad "policy check: $(cat "$W/check.out")"
grep -q "a.example.test" "$W/learned.yaml" && grep -q "b.example.test" "$W/learned.yaml" \
    && ok "both names are in the learned rules" || bad "names missing from the learned policy"

# Phase 2: the learned policy enforced; the same egress passes, a new destination does not.
run_inline "$W/learned.yaml" "$W/l2" --baseline "$W/learned.yaml" || exit 1
[ "$(get a.example.test $A_IP)" = 200 ] && ok "learned egress to a.example.test passes" || bad "a.example.test refused"
[ "$(get b.example.test $B_IP)" = 200 ] && ok "learned egress to b.example.test passes" || bad "b.example.test refused"
for i in 1 2 3; do c=$(get c.example.test $C_IP); done
[ "$c" != 200 ] && ok "a new destination (c.example.test) is refused" || bad "c.example.test got through"
sleep 1.5
stop_inline
$ix "$BIN" nft remove --queue 0 >/dev/null 2>&1
n=$(grep -v '^#' "$W/l2/notice.log" 2>/dev/null | grep -c "Baseline::New_Egress")
[ "$n" = 1 ] && ok "exactly one Baseline::New_Egress" || bad "Baseline::New_Egress notices: $n"
grep -v '^#' "$W/l2/notice.log" 2>/dev/null | grep "Baseline::New_Egress" | grep -q "$C_IP" \
    && ok "the notice names the new destination" || bad "notice does not name $C_IP"
d=$(grep -v '^#' "$W/l2/policy.log" | grep -c "deny")
[ "$d" -ge 1 ] && ok "policy.log has the refusals ($d)" || bad "no deny rows in policy.log"
netns_summary
