#!/usr/bin/env bash
# tests/scripts/test_inline_queues.sh - `protowall inline --queues 0-1`: two workers, flow affinity, one set of logs, a killed worker restarted.
#
# Namespaces as in test_inline.sh: "inst" runs protowall (queues 0 and 1, fed by `protowall nft
# install --queues 0-1`) and the clients; "net" has 20 addresses: an HTTP server on all of them,
# TLS (openssl s_server) on four, slapd on 443 on four others. The kernel spreads flows over the
# queues by address pair, so many server addresses give both workers flows. Needs root; exits 77
# without it or without the programs.
set -u
ROOT=${PW_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${PW_BIN:-$ROOT/build/protowall}
PY=${PYTHON:-/usr/bin/python3}

skip() { echo "skipped: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces, NFQUEUE)"
for p in ip nft iptables slapd slapadd ldapsearch openssl curl; do
    command -v $p >/dev/null 2>&1 || skip "$p is not installed (scripts/bootstrap installs it)"
done
"$BIN" inline --help 2>/dev/null | grep -q -- --queues || skip "$BIN has no inline --queues"

NS_I=pwq-inst
NS_N=pwq-net
I_IP=10.78.0.2
WEB=() LDAP=() TLS=()
for i in $(seq 100 115); do WEB+=(198.51.100.$i); done
for i in 10 11 12 13; do LDAP+=(198.51.100.$i); done
TLS=("${WEB[@]:0:4}")
ALL=("${WEB[@]}" "${LDAP[@]}")
ix="ip netns exec $NS_I"
nx="ip netns exec $NS_N"
W=$(mktemp -d /tmp/pw-queues.XXXXXX)
LOGS=$W/logs
PL=$LOGS/policy.log
ERR=$W/inline.err
START=$SECONDS
. "$ROOT/tests/lib/netns.sh"
NETNS=($NS_I $NS_N)
netns_watchdog 115
netns_traps
mark() { if [ -f "$PL" ]; then wc -l <"$PL"; else echo 0; fi; }

# rows SKIP SPEC...: the policy.log rows after line SKIP are exactly SPEC, each "ADDR:PORT=N,action,rule,app"
# (app "-": a row without one, a flow decided before identification)
# (N rows to that server), no other row, and no two rows of one flow (same client port and server).
rows() {
    local skip=$1
    shift
    $PY - "$PL" "$skip" "$@" <<'EOF'
import collections, json, sys
path, skip, specs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
rows = [json.loads(l) for l in open(path, encoding="utf-8").read().splitlines()[skip:] if l.startswith("{")]
want, bad = {}, []
for s in specs:
    dst, _, rest = s.partition("=")
    n, action, rule, app = rest.split(",")
    want[dst] = (int(n), action, rule, app)
seen = collections.Counter()
flows = collections.Counter()
for r in rows:
    dst = "%s:%s" % (r["id.resp_h"], r["id.resp_p"])
    flows[(r["id.orig_h"], r["id.orig_p"], dst, r["proto"])] += 1
    w = want.get(dst)
    if w is None:
        bad.append("unexpected row: %s" % json.dumps(r))
        continue
    if (r["action"], r["rule"], r.get("app", "-")) != w[1:] or "mid-stream" in r.get("reason", "") or \
            (w[1] == "allow" and r.get("domain") != "allowed.test"):
        bad.append("wrong row: %s" % json.dumps(r))
        continue
    seen[dst] += 1
for dst, w in want.items():
    if seen[dst] != w[0]:
        bad.append("%s: want %d rows, found %d" % (dst, w[0], seen[dst]))
for f, n in flows.items():
    if n > 1:
        bad.append("flow %s has %d rows" % (f, n))
for b in bad[:12]:
    print("   ", b)
sys.exit(1 if bad else 0)
EOF
}

# Per queue, packets the kernel handed it so far (id_sequence of /proc/net/netfilter/nfnetlink_queue).
queued() { $ix awk -v q="$1" '$1 == q { print $8 }' /proc/net/netfilter/nfnetlink_queue; }

# ---- the network -----------------------------------------------------------------------------------
for ns in $NS_I $NS_N; do ip netns del $ns 2>/dev/null; done
ip netns add $NS_I
ip netns add $NS_N
ip link add pwq-i0 netns $NS_I type veth peer name pwq-n0 netns $NS_N
for ns in $NS_I $NS_N; do ip netns exec $ns ip link set lo up; done
$ix ip link set pwq-i0 up
$ix ip addr add $I_IP/24 dev pwq-i0
$ix ip route add default via 10.78.0.1
$nx ip link set pwq-n0 up
$nx ip addr add 10.78.0.1/24 dev pwq-n0
for a in "${ALL[@]}"; do $nx ip addr add $a/32 dev pwq-n0; done

# ---- the servers --------------------------------------------------------------------------------------
mkdir -p "$W/ldap/db" "$W/www" "$LOGS"
echo hello >"$W/www/index.html"
cat >"$W/ldap/slapd.conf" <<EOF
include   /etc/ldap/schema/core.schema
pidfile   $W/ldap/slapd.pid
argsfile  $W/ldap/slapd.args
modulepath /usr/lib/ldap
moduleload back_mdb
database  mdb
maxsize   1048576
suffix    "dc=test"
rootdn    "cn=admin,dc=test"
directory $W/ldap/db
access to * by * read
EOF
printf 'dn: dc=test\nobjectClass: dcObject\nobjectClass: organization\ndc: test\no: test\n' >"$W/ldap/base.ldif"
slapadd -q -f "$W/ldap/slapd.conf" -l "$W/ldap/base.ldif" 2>"$W/slapadd.err" || { cat "$W/slapadd.err"; exit 1; }
urls=
for a in "${LDAP[@]}"; do urls+="ldap://$a:443/ "; done
$nx slapd -d 0 -f "$W/ldap/slapd.conf" -h "$urls" >"$W/slapd.log" 2>&1 &
PIDS+=($!)
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "/CN=allowed.test" \
    -keyout "$W/web.key" -out "$W/web.crt" 2>/dev/null || exit 1
for a in "${TLS[@]}"; do
    $nx openssl s_server -quiet -www -accept $a:443 -cert "$W/web.crt" -key "$W/web.key" >"$W/tls-$a.log" 2>&1 &
    PIDS+=($!)
done
# One HTTP server on every address (ThreadingHTTPServer: the concurrent clients below).
$nx $PY -m http.server 80 --bind 0.0.0.0 --directory "$W/www" >"$W/http.log" 2>&1 &
PIDS+=($!)
for a in "${LDAP[@]}"; do
    wait_until 100 listening $NS_N $a 443 || { echo "slapd did not start: $(cat "$W/slapd.log")"; exit 1; }
done
for a in "${TLS[@]}"; do wait_until 50 listening $NS_N $a 443 || { echo "s_server did not start on $a"; exit 1; }; done
wait_until 50 listening $NS_N 0.0.0.0 80 || { echo "http.server did not start"; exit 1; }

http() { $ix curl -s --max-time 5 --resolve allowed.test:80:$1 -o /dev/null http://allowed.test/; }
https() { $ix curl -sk --max-time 5 --resolve allowed.test:443:$1 -o /dev/null https://allowed.test/; }
ldap() { $ix ldapsearch -x -LLL -o nettimeout=3 -H ldap://$1:443/ -b dc=test -s base dn; }

check "control: HTTP, TLS and LDAP answer before any rule" \
    bash -c "$(declare -f http https ldap); ix='$ix'; http ${WEB[0]} && https ${TLS[0]} && ldap ${LDAP[0]} >/dev/null"

# ---- protowall with two queues ----------------------------------------------------------------------------
cat >"$W/policy.yaml" <<'EOF'
default: { outbound: deny, inbound: allow }
rules:
  - { name: no-jndi-callbacks, action: deny, direction: outbound, app: [ldap, rmi, iiop] }
  - { name: web, action: allow, direction: outbound, app: [tls, http], domain: [allowed.test] }
identification: { hold_bytes: 8192, hold_packets: 8, hold_ms: 250 }
EOF
check "nft install --queues 0-1 (fail-open)" quiet $ix "$BIN" nft install --queues 0-1
check "  the rules balance over queues 0-1, never by CPU" \
    bash -c "$ix iptables -S PROTOWALL 2>/dev/null | grep -q -- '--queue-balance 0:1' || $ix nft list ruleset | grep -q 'queue.* 0-1'; \
             ! { $ix iptables -S PROTOWALL; $ix nft list ruleset; } 2>/dev/null | grep -q fanout"
notify_listen "$W/notify.sock" "$W/notify.log" || bad "the sd_notify listener starts"
start_pw() {
    : >"$ERR"
    $ix env NOTIFY_SOCKET="$W/notify.sock" "$BIN" inline --queues 0-1 --policy "$W/policy.yaml" -o "$LOGS" \
        --format json >>"$ERR" 2>&1 &
    PW_PID=$!
    wait_until 50 grep -q "protowall inline: worker pids" "$ERR"
}
start_pw || { cat "$ERR"; exit 1; }
check "two workers start and say so" grep -q "queues 0-1, 2 workers" "$ERR"
R="RELOADING=1;MONOTONIC_USEC=N"
check "systemd is told READY=1 once both queues are bound" wait_until 30 notified "$W/notify.log" READY=1

# ---- affinity: each flow alone, one queue moves ------------------------------------------------------------
# The kernel hashes the address pair in sorted order (nfqueue_hash), so the SYN-ACK and the rest of
# the replies must land where the SYN did. With one flow at a time the queues' packet counters show it.
m=$(mark)
Q0=() Q1=() split=
for a in "${ALL[@]}"; do
    b0=$(queued 0) b1=$(queued 1)
    http $a || bad "HTTP to $a"
    d0=$(($(queued 0) - b0)) d1=$(($(queued 1) - b1))
    if [ $d0 -ge 4 ] && [ $d1 -eq 0 ]; then Q0+=($a)
    elif [ $d1 -ge 4 ] && [ $d0 -eq 0 ]; then Q1+=($a)
    else split+=" $a($d0/$d1)"; fi
done
check "affinity: every flow's packets, both directions, went to one queue${split:+ (split:$split)}" test -z "$split"
check "both queues have flows (queue 0: ${#Q0[@]} servers, queue 1: ${#Q1[@]})" test ${#Q0[@]} -gt 0 -a ${#Q1[@]} -gt 0
spec=()
for a in "${ALL[@]}"; do spec+=("$a:80=1,allow,web,http"); done
check "one allow row per sequential flow" wait_until 30 rows "$m" "${spec[@]}"

# ---- 40 concurrent connections ------------------------------------------------------------------------------
m=$(mark)
kids=()
for a in "${WEB[@]}"; do http $a >"$W/c-http-$a" 2>&1 & kids+=("$!:http $a"); done
for a in "${TLS[@]}"; do for k in 1 2 3 4; do https $a >"$W/c-tls-$a-$k" 2>&1 & kids+=("$!:https $a"); done; done
for a in "${LDAP[@]}"; do for k in 1 2; do ldap $a >"$W/c-ldap-$a-$k" 2>&1 & kids+=("$!:ldap $a"); done; done
okc=0 wrong=
for k in "${kids[@]}"; do
    pid=${k%%:*} what=${k#*:}
    wait $pid; rc=$?
    case $what in
    ldap*) [ $rc -ne 0 ] && okc=$((okc + 1)) || wrong+=" [$what rc=$rc]" ;;
    *) [ $rc -eq 0 ] && okc=$((okc + 1)) || wrong+=" [$what rc=$rc]" ;;
    esac
done
check "40 concurrent clients: 32 web clients get their page, 8 ldapsearch are refused${wrong:+ (wrong:$wrong)}" test $okc -eq 40
spec=()
for a in "${WEB[@]}"; do spec+=("$a:80=1,allow,web,http"); done
for a in "${TLS[@]}"; do spec+=("$a:443=4,allow,web,ssl"); done
for a in "${LDAP[@]}"; do spec+=("$a:443=2,deny,no-jndi-callbacks,ldap_tcp"); done
if wait_until 30 rows "$m" "${spec[@]}"; then ok "exactly one right policy.log row per concurrent flow (40)"; else
    bad "exactly one right policy.log row per concurrent flow (40)"
    rows "$m" "${spec[@]}"
fi

# ---- SIGHUP goes to every worker ------------------------------------------------------------------------------
kill -HUP $PW_PID
check "SIGHUP: worker 1 reloads" wait_until 30 grep -q "worker 1 (queue 0): SIGHUP: .*reloaded, 2 rules" "$ERR"
check "SIGHUP: worker 2 reloads" wait_until 30 grep -q "worker 2 (queue 1): SIGHUP: .*reloaded, 2 rules" "$ERR"
check "  systemd is told RELOADING=1, then READY=1" wait_until 30 notified "$W/notify.log" READY=1 "$R" READY=1

# ---- SIGTERM: both workers stop, their counts show both decided flows --------------------------------------------
kill -TERM $PW_PID
wait $PW_PID; rc=$?
PW_PID=
check "SIGTERM stops every worker and the parent cleanly (exit $rc)" test $rc -eq 0
check "  systemd is told STOPPING=1" notified "$W/notify.log" READY=1 "$R" READY=1 STOPPING=1
for w in "1 (queue 0)" "2 (queue 1)"; do
    n=$(sed -n "s/.*worker $w: .*), \([0-9]*\) flows decided.*/\1/p" "$ERR")
    check "worker $w decided flows (${n:-none})" test "${n:-0}" -gt 0
done
check "one set of logs: policy.log, conn.log, http.log, ssl.log and no per-worker files" \
    bash -c "cd '$LOGS' && test -s policy.log -a -s conn.log -a -s http.log -a -s ssl.log && [ \$(ls | wc -l) -le 8 ] && ! ls | grep -q worker"
n=$($PY -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
web = [r for r in rows if r["id.resp_p"] == 80]
print(len(web), len({r["uid"] for r in web}), len({(r["id.orig_p"], r["id.resp_h"]) for r in web}))' "$LOGS/conn.log")
check "conn.log: one row per HTTP flow, none split between workers (36 rows, uids, flows: $n)" test "$n" = "36 36 36"

# ---- a worker killed: it is started again, with the policy the others reloaded -----------------------------------
# A new run starts its logs afresh: the first run's go aside.
mv "$LOGS" "$W/logs-1" && mkdir "$LOGS"
start_pw || bad "protowall restarts"
wpid=$(sed -n 's/.*worker pids .*, \([0-9]*\) (queue 1).*/\1/p' "$ERR")
# The policy changes while both run (one of queue 1's web servers refused from now on); the parent
# must hand the new one to the worker it restarts, not the one it read at its start.
BLOCKED=${Q1[0]}
for a in "${Q1[@]}"; do case " ${WEB[*]} " in *" $a "*) BLOCKED=$a; break ;; esac; done
sed -i "s|^rules:|rules:\n  - { name: block-one, action: deny, direction: outbound, dst: $BLOCKED }|" "$W/policy.yaml"
kill -HUP $PW_PID
check "SIGHUP before the kill: worker 2 reloads the 3-rule policy" \
    wait_until 30 grep -q "worker 2 (queue 1): SIGHUP: .*reloaded, 3 rules" "$ERR"
kill -9 "$wpid"
check "the parent reports worker 2's death, its queue's fail-open state and the restart" \
    wait_until 30 grep -q "worker 2 (queue 1, pid $wpid) killed by signal 9.*queue 1 is fail-open.*restarting it" "$ERR"
check "worker 2 is back with a new pid" wait_until 50 grep -q "worker 2 (queue 1) is back, pid [0-9]* (restart 1)" "$ERR"
npid=$(sed -n 's/.*worker 2 (queue 1) is back, pid \([0-9]*\) .*/\1/p' "$ERR" | tail -1)
check "  a new process ($wpid -> ${npid:-none}), bound to queue 1" \
    bash -c "[ -n '$npid' ] && [ '$npid' != '$wpid' ] && kill -0 '$npid' && \
             $ix awk '\$1 == 1 { print \$2 }' /proc/net/netfilter/nfnetlink_queue | grep -qx '$npid'"
m=$(mark)
okc=0
for a in "${WEB[@]}"; do [ "$a" = "$BLOCKED" ] && continue; http $a && okc=$((okc + 1)); done
check "the 15 other HTTP servers reachable after the restart ($okc)" test $okc -eq 15
check "the restarted worker runs the reloaded policy: HTTP to $BLOCKED refused" \
    bash -c "$(declare -f http); ix='$ix'; ! http $BLOCKED"
spec=("$BLOCKED:80=1,deny,block-one,-")
for a in "${WEB[@]}"; do [ "$a" = "$BLOCKED" ] || spec+=("$a:80=1,allow,web,http"); done
if wait_until 30 rows "$m" "${spec[@]}"; then ok "both queues decide again: one right row per flow, queue 1's too"; else
    bad "both queues decide again: one right row per flow, queue 1's too"
    rows "$m" "${spec[@]}"
fi
for a in "${LDAP[@]}"; do
    check "ldapsearch to $a (queue $([[ " ${Q1[*]} " == *" $a "* ]] && echo 1 || echo 0)) refused" \
        bash -c "$(declare -f ldap); ix='$ix'; ! ldap $a >/dev/null 2>&1"
done
# A worker that keeps dying soon after its start waits longer before each restart (a crash loop
# stays cheap): the pause doubles from 250 ms.
kill -9 "$npid"
check "  and it is back (restart 2)" wait_until 50 grep -q "worker 2 (queue 1) is back, pid [0-9]* (restart 2)" "$ERR"
p1=$(sed -n "s/.*pid $wpid) killed by signal 9.*restarting it in \([0-9]*\) ms/\1/p" "$ERR")
p2=$(sed -n "s/.*pid $npid) killed by signal 9.*it lived [0-9]* ms: restarting it in \([0-9]*\) ms/\1/p" "$ERR")
check "killed again within 10 s of its restart: the pause doubles (${p1:-none} ms, then ${p2:-none} ms)" \
    test "${p1:-0}" -ge 250 -a "${p2:-0}" -eq $((2 * ${p1:-0}))
kill -TERM $PW_PID
wait $PW_PID; rc=$?
PW_PID=
check "the stop after two restarts is clean (exit $rc)" test $rc -eq 0

check "nft remove" quiet $ix "$BIN" nft remove
check "no rules left after remove" bash -c "! { $ix nft list ruleset; $ix iptables -S; } 2>/dev/null | grep -qi -e protowall -e NFQUEUE"

echo "($((SECONDS - START)) s)"
netns_summary
