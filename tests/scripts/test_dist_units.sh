#!/usr/bin/env bash
# tests/scripts/test_dist_units.sh - the systemd units in dist/ verify, and the commands they run work as the units run them.
#
# systemd is not PID 1 here, so the units cannot be started as services; what can be proven is:
#   1. `systemd-analyze verify` takes each unit without a word (unknown keys, bad values and
#      missing programs are all reported there);
#   2. the unit's own ExecStartPre= and ExecStart= lines, with its Environment= defaults expanded
#      as systemd expands them, run in a network namespace and do what the unit's comments say:
#      protowall-inline.service checks the policy, installs the rules, binds both queues and tells
#      systemd READY=1, RELOADING=1/READY=1 on SIGHUP, STOPPING=1 on SIGTERM, exit 0;
#      protowall.service makes the log directory for its account, captures as that account, logs
#      a ping, and speaks the same sd_notify protocol.
# The account protowall becomes nobody/nogroup and /var/log/protowall a directory of the test;
# ExecStart= runs with the unit's CapabilityBoundingSet= and NoNewPrivileges= (setpriv), the rest
# of the sandbox being systemd's alone.
# Exit: 0 all passed, 1 any failed, 77 skipped (not root, or a tool missing).
set -u
ROOT=${PW_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${PW_BIN:-$ROOT/build/protowall}
PY=${PYTHON:-/usr/bin/python3}
export PATH=$PATH:/usr/sbin:/sbin

skip() { echo "skipped: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces, NFQUEUE, packet sockets)"
for p in ip nft ping systemd-analyze setpriv; do
    command -v $p >/dev/null 2>&1 || skip "$p is not installed (scripts/bootstrap installs it)"
done

NS=pwd-units PEER=pwd-peer
W=$(mktemp -d /tmp/pw-units.XXXXXX)
chmod 0755 "$W"          # nobody reaches the log directory inside
. "$ROOT/tests/lib/netns.sh"
NETNS=($NS $PEER)
netns_traps
netns_watchdog 90
ix() { ip netns exec "$NS" "$@"; }

# unit_lines UNIT KEY [VAR=VALUE...]: the unit's KEY= command lines, one per line as shell words,
# with the Environment= defaults (overridden by VAR=VALUE) expanded, the +/-/@ prefixes dropped,
# and the installed paths and account replaced by the test's.
unit_lines() {
    "$PY" - "$@" "BIN=$BIN" "LOGDIR=$W/logs" <<'EOF'
import re, shlex, sys
unit, key, rest = sys.argv[1], sys.argv[2], sys.argv[3:]
over = dict(a.split("=", 1) for a in rest)
env, cmds = {}, []
for line in open(unit, encoding="utf-8"):
    line = line.strip()
    if line.startswith("Environment="):
        for word in shlex.split(line[len("Environment="):]):
            k, _, v = word.partition("=")
            env[k] = v
    elif line.startswith(key + "="):
        cmds.append(line[len(key) + 1:].lstrip("+-@!"))
env.update({k: v for k, v in over.items() if k not in ("BIN", "LOGDIR")})
for c in cmds:
    words = []
    # systemd: ${VAR} is one word, $VAR splits on whitespace (an empty one vanishes).
    for w in shlex.split(c):
        m = re.fullmatch(r"\$([A-Za-z_][A-Za-z0-9_]*)", w)
        if m:
            words += env.get(m.group(1), "").split()
            continue
        w = re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", lambda m: env.get(m.group(1), ""), w)
        w = w.replace("/usr/local/bin/protowall", over["BIN"]).replace("/var/log/protowall", over["LOGDIR"])
        words.append(w)
    if words[:1] == ["/usr/bin/install"]:
        words = ["nogroup" if x == "protowall" and words[i - 1] == "-g" else
                 "nobody" if x == "protowall" else x for i, x in enumerate(words)]
    words = ["nobody" if x == "protowall" and i > 0 and words[i - 1] == "--user" else x
             for i, x in enumerate(words)]
    print(shlex.join(words))
EOF
}

# sandboxed UNIT: setpriv's arguments for what the unit's sandbox takes away that a command can
# notice: the capabilities outside CapabilityBoundingSet=, and new privileges (NoNewPrivileges=).
sandboxed() {
    local caps
    caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$1" | tr 'A-Z' 'a-z' | sed 's/cap_/+/g; s/ /,/g')
    echo "setpriv --bounding-set=-all,$caps --inh-caps=-all --no-new-privs"
}

# ---- 1. systemd-analyze verify -------------------------------------------------------------------
for u in "$ROOT"/dist/*.service; do
    name=$(basename "$u")
    sed "s|/usr/local/bin/protowall|$BIN|g" "$u" >"$W/$name"
    out=$(systemd-analyze verify "$W/$name" 2>&1)
    rc=$?
    check "$name: systemd-analyze verify, no complaint${out:+ ($out)}" test $rc -eq 0 -a -z "$out"
done

# protowall's host (10.79.0.2 on pwd-b) and a peer (10.79.0.1 on pwd-a).
# A run killed before its cleanup leaves them behind: start afresh rather than skip.
for ns in $NS $PEER; do ip netns del $ns 2>/dev/null; done
ip netns add $NS || skip "cannot create network namespaces"
ip netns add $PEER
ix ip link set lo up
ip link add pwd-a netns $PEER type veth peer name pwd-b netns $NS
ip netns exec $PEER ip link set pwd-a up
ip netns exec $PEER ip addr add 10.79.0.1/24 dev pwd-a
ix ip link set pwd-b up
ix ip addr add 10.79.0.2/24 dev pwd-b
notify_listen "$W/notify.sock" "$W/notify.log" || bad "the sd_notify listener starts"
R="RELOADING=1;MONOTONIC_USEC=N"

# run_pre UNIT NAME [VAR=VALUE...]: each ExecStartPre= line in the host's namespace, one check
# each; PRE is how many ran.
run_pre() {
    local u=$1 name=$2 line
    shift 2
    PRE=0
    while read -r line; do
        PRE=$((PRE + 1))
        eval "set -- $line"
        check "$name ExecStartPre $PRE: $*" quiet ix "$@"
    done < <(unit_lines "$u" ExecStartPre "$@")
}

# start_unit UNIT NAME ERR [VAR=VALUE...]: ExecStart= in the namespace, sandboxed as the unit
# says, told where systemd listens; checks that READY=1 comes. PW_PID is the service.
start_unit() {
    local u=$1 name=$2 errf=$3 line
    shift 3
    line=$(unit_lines "$u" ExecStart "$@")
    eval "set -- $line"
    : >"$W/notify.log"
    ip netns exec "$NS" env NOTIFY_SOCKET="$W/notify.sock" $(sandboxed "$u") "$@" >"$errf" 2>&1 &
    PW_PID=$!
    check "$name ExecStart ($*): READY=1 once it runs" wait_until 100 notified "$W/notify.log" READY=1
}

# stop_unit: KillSignal=SIGTERM, then exit 0 and STOPPING=1 after the reload's messages.
stop_unit() {
    local rc
    kill -TERM $PW_PID
    wait $PW_PID
    rc=$?
    PW_PID=
    check "  SIGTERM: exit 0 ($rc)" test $rc -eq 0
    check "  SIGTERM: STOPPING=1" notified "$W/notify.log" READY=1 "$R" READY=1 STOPPING=1
}

# ---- 2. protowall-inline.service ---------------------------------------------------------------------
U=$ROOT/dist/protowall-inline.service
cp "$ROOT/tests/policy/issue.yaml" "$W/policy.yaml"
mkdir -p "$W/logs"
run_pre "$U" protowall-inline PROTOWALL_POLICY="$W/policy.yaml"
check "  two ExecStartPre lines ran (policy check, nft install)" test $PRE -eq 2
check "  the rules send to queues 0-1" bash -c \
    "{ ip netns exec $NS nft list ruleset; ip netns exec $NS iptables -S; } 2>/dev/null | grep -q -e 'queue.* 0-1' -e 'queue-balance 0:1'"
start_unit "$U" protowall-inline "$W/inline.err" PROTOWALL_POLICY="$W/policy.yaml"
check "  both workers bound" grep -q "worker pids .* (queue 0), .* (queue 1)" "$W/inline.err"
# DAC_READ_SEARCH 2, NET_ADMIN 12, NET_RAW 13, SYS_PTRACE 19: nothing else, even as root.
check "  it runs with the unit's capabilities only (CapBnd 0x83004)" \
    grep -q "^CapBnd:[[:space:]]*0*83004$" /proc/$PW_PID/status
check "  the policy's default denies the host's ping to its peer" bash -c "! ip netns exec $NS ping -c 1 -W 2 10.79.0.1 >/dev/null 2>&1"
kill -HUP $PW_PID
reloaded() { notified "$W/notify.log" READY=1 "$R" READY=1 && [ "$(grep -c 'SIGHUP: .*reloaded, 4 rules' "$W/inline.err")" -eq 2 ]; }
check "  ExecReload's SIGHUP: RELOADING=1 (with MONOTONIC_USEC), READY=1, and both workers reload" wait_until 50 reloaded
stop_unit
check "  policy.log, where the unit says, has the ping denied by the default" \
    bash -c "grep -v '^#' '$W/logs/policy.log' | grep 10.79.0.1 | grep -q deny"
check "protowall nft remove (the uninstall the unit's comment gives)" quiet ix "$BIN" nft remove
check "  no rule left" bash -c "! { ip netns exec $NS nft list ruleset; ip netns exec $NS iptables -S; } 2>/dev/null | grep -qi -e protowall -e NFQUEUE"
rm -rf "$W/logs"

# ---- 3. protowall.service ----------------------------------------------------------------------------
U=$ROOT/dist/protowall.service
run_pre "$U" protowall
check "  the log directory belongs to the service account" \
    bash -c "[ \"\$(stat -c '%U:%G %a' '$W/logs')\" = 'nobody:nogroup 750' ]"
start_unit "$U" protowall "$W/sniff.err" PROTOWALL_IFACE=pwd-b PROTOWALL_OPTS="--workers 2 --format json"
# SETGID 6, SETUID 7, NET_RAW 13.
check "  it runs with the unit's capabilities only (CapBnd 0x20c0)" grep -q "^CapBnd:[[:space:]]*0*20c0$" /proc/$PW_PID/status
check "  the workers run as the service account" bash -c \
    "ps -o user= --ppid $PW_PID | grep -q . && ! ps -o user= --ppid $PW_PID | grep -qv nobody"
check "  the peer pings the host" quiet ip netns exec $PEER ping -c 3 -i 0.2 10.79.0.2
kill -HUP $PW_PID
check "  ExecReload's SIGHUP: RELOADING=1 (with MONOTONIC_USEC), READY=1" wait_until 50 notified "$W/notify.log" READY=1 "$R" READY=1
stop_unit
check "  the ping is in conn.log, written by the service account" bash -c \
    "grep -h '\"proto\":\"icmp\"' '$W'/logs/conn*.log | grep -q '10.79.0.2' && [ \"\$(stat -c %U '$W/logs/conn.log')\" = nobody ]"

netns_summary
