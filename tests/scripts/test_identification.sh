#!/usr/bin/env bash
# tests/scripts/test_identification.sh - real servers and clients on usual and unusual ports, captured in network namespaces; conn.log's service must name each flow by its bytes.
#
# Every protocol gets its own server address in 10.97.0.0/24, so one capture holds every
# scenario and a scenario's flows are found by (server address, port, transport). Clients run
# one after another; each is bounded by a timeout. Before judging what protowall said, the
# capture itself is checked: a scenario whose client failed or whose packets carry no payload
# in both directions fails loudly as a harness fault, not as a wrong name.
#
# usage: test_identification.sh [--write-doc]   (or PW_WRITE_DOC=1): also writes
#        docs/identification.md. PW_IDENT_KEEP=1 keeps the work directory (capture, logs).
# Exit: 0 all rows right, 1 any row wrong, 77 skipped (not root, no network namespaces,
# missing tools: run scripts/bootstrap). The run is cut at PW_IDENT_LIMIT seconds (170).
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=${PW_ROOT:-$(cd "$HERE/../.." && pwd)}
BIN=${PW_BIN:-$ROOT/build/protowall}
PY=${PYTHON:-/usr/bin/python3}
PEERS=$ROOT/tests/identification/peers.py
DOC=$ROOT/docs/identification.md
WRITE_DOC=${PW_WRITE_DOC:-0}
export PATH=$PATH:/usr/sbin:/sbin

for arg in "$@"; do
    case $arg in
    --write-doc) WRITE_DOC=1 ;;
    *) echo "usage: $0 [--write-doc]" >&2; exit 2 ;;
    esac
done

skip() { echo "SKIP test_identification: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, tcpdump)"
[ -x "$BIN" ] || { echo "FAIL: protowall binary not found: $BIN (set PW_BIN)" >&2; exit 1; }
missing=""
for t in ip ethtool tcpdump timeout ss curl openssl sshd ssh ssh-keygen dnsmasq dig "$PY"; do
    command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
done
[ -z "$missing" ] || skip "missing tools:$missing (scripts/bootstrap installs them)"

NS_C=pwi-c-$$
NS_S=pwi-s-$$
VC=pwic$$
VS=pwis$$
CLI=10.97.0.1
A_HTTP=10.97.0.10
A_TLS=10.97.0.11
A_SSH=10.97.0.12
A_DNS=10.97.0.13
A_RANDOM=10.97.0.14
A_SHELL=10.97.0.15
A_TLSISH=10.97.0.16
A_UDPRANDOM=10.97.0.17
W=$(mktemp -d /tmp/pw-ident.XXXXXX)
PIDS=()
TCPDUMP_PID=""
WATCHDOG=""

cleanup() {
    local pid ns
    set +e
    [ -n "$WATCHDOG" ] && kill "$WATCHDOG" 2>/dev/null
    [ -n "$TCPDUMP_PID" ] && kill -INT "$TCPDUMP_PID" 2>/dev/null
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
    # Whatever a daemon forked inside our own namespaces goes with them.
    for ns in "$NS_C" "$NS_S"; do
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null; done
    done
    sleep 0.3
    for ns in "$NS_C" "$NS_S"; do
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
        ip netns del "$ns" 2>/dev/null
    done
    if [ "${PW_IDENT_KEEP:-0}" = 1 ]; then echo "work directory kept: $W"; else rm -rf "$W"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The whole run is bounded: a wedged daemon or client cannot hold CI for long.
# It waits with read -t on a fifo nobody writes, so it is one process and killing it is enough.
mkfifo "$W/watchdog"
LIMIT=${PW_IDENT_LIMIT:-170}
{ read -r -t "$LIMIT" <>"$W/watchdog"; echo "FAIL: test_identification: overall time limit ($LIMIT s) reached" >&2
  kill -TERM $$; } &
WATCHDOG=$!
disown "$WATCHDOG"

C() { ip netns exec "$NS_C" "$@"; }
S() { ip netns exec "$NS_S" "$@"; }
# A daemon in the server namespace; ip netns exec execs, so $! is the daemon itself.
S_bg() { local log=$1; shift; ip netns exec "$NS_S" "$@" >>"$W/$log" 2>&1 & PIDS+=($!); }

# ---------------------------------------------------------------- namespaces

ip netns add "$NS_C" 2>"$W/netns.err" || skip "cannot create network namespaces: $(cat "$W/netns.err")"
ip netns add "$NS_S" 2>"$W/netns.err" || skip "cannot create network namespaces: $(cat "$W/netns.err")"
ip link add "$VC" type veth peer name "$VS" 2>"$W/netns.err" || skip "cannot create a veth pair: $(cat "$W/netns.err")"
ip link set "$VC" netns "$NS_C"
ip link set "$VS" netns "$NS_S"
for side in "C $VC $CLI" "S $VS $A_HTTP $A_TLS $A_SSH $A_DNS $A_RANDOM $A_SHELL $A_TLSISH $A_UDPRANDOM"; do
    set -- $side
    ns=$1 dev=$2; shift 2
    $ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    $ns ip link set lo up
    for a in "$@"; do $ns ip addr add "$a/24" dev "$dev"; done
    # Frames as a real NIC sends them: MTU-sized, checksums filled in (protowall also runs -C).
    $ns ethtool -K "$dev" rx off tx off sg off tso off gso off gro off >/dev/null 2>&1 || true
    $ns ip link set "$dev" up
done

# ---------------------------------------------------------------- keys, files, servers

mkdir -p "$W/www" /run/sshd
printf '<html><head><title>ident</title></head><body>protowall identification test</body></html>\n' \
    >"$W/www/index.html"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=www.ident.test \
    -addext subjectAltName=DNS:www.ident.test -keyout "$W/tls.key" -out "$W/tls.crt" 2>"$W/openssl-req.log" \
    || { echo "FAIL: openssl req: $(cat "$W/openssl-req.log")" >&2; exit 1; }
ssh-keygen -q -t ed25519 -N '' -f "$W/host_ed25519"
ssh-keygen -q -t ed25519 -N '' -f "$W/client_key"
cp "$W/client_key.pub" "$W/authorized_keys"

HTTP_PORTS="80 443 8443 5300 2222"
TLS_PORTS="443 8443 5300 2222 80"
SSH_PORTS="22 443 2222 8443 5300"
DNS_PORTS="53 5300 443 8443"

for p in $HTTP_PORTS; do
    S_bg http.log "$PY" -m http.server --bind "$A_HTTP" --directory "$W/www" "$p"
done
for p in $TLS_PORTS; do
    S_bg s_server.log openssl s_server -accept "$A_TLS:$p" -cert "$W/tls.crt" -key "$W/tls.key" -www
done
{
    for p in $SSH_PORTS; do echo "ListenAddress $A_SSH:$p"; done
} >"$W/sshd_config"
S_bg sshd.log /usr/sbin/sshd -D -e -f "$W/sshd_config" -h "$W/host_ed25519" \
    -o PidFile="$W/sshd.pid" -o AuthorizedKeysFile="$W/authorized_keys" \
    -o PermitRootLogin=prohibit-password -o PasswordAuthentication=no \
    -o KbdInteractiveAuthentication=no -o UsePAM=no -o StrictModes=no
for p in $DNS_PORTS; do
    S_bg dnsmasq.log dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts --no-poll \
        --user=root --group=root --listen-address="$A_DNS" --bind-interfaces --port="$p" \
        --pid-file="$W/dnsmasq-$p.pid" --local=/ident.test/ --address=/www.ident.test/"$A_HTTP" \
        --host-record=ssh.ident.test,"$A_SSH" --mx-host=ident.test,mail.ident.test,10 \
        --txt-record=ident.test,"v=spf1 -all"
done
S_bg peers.log "$PY" "$PEERS" serve random "$A_RANDOM" 443
S_bg peers.log "$PY" "$PEERS" serve shell "$A_SHELL" 443
S_bg peers.log "$PY" "$PEERS" serve tlsish "$A_TLSISH" 443
S_bg peers.log "$PY" "$PEERS" serve udprandom "$A_UDPRANDOM" 5300

# Wait for every listening socket by asking the kernel, not by connecting: a probe connection
# would be one more flow in the capture.
wait_listen() {   # wait_listen tcp|udp ADDR PORT
    local i flag=-Hlnt
    [ "$1" = udp ] && flag=-Hlnu
    for i in $(seq 1 100); do
        S ss $flag | awk '{print $4}' | grep -qxF "$2:$3" && return 0
        sleep 0.1
    done
    echo "FAIL: nothing listens on $1 $2:$3; server logs:" >&2
    for f in "$W"/*.log; do echo "== $f" >&2; tail -n 5 "$f" >&2; done
    exit 1
}
for p in $HTTP_PORTS; do wait_listen tcp "$A_HTTP" "$p"; done
for p in $TLS_PORTS; do wait_listen tcp "$A_TLS" "$p"; done
for p in $SSH_PORTS; do wait_listen tcp "$A_SSH" "$p"; done
for p in $DNS_PORTS; do wait_listen udp "$A_DNS" "$p"; wait_listen tcp "$A_DNS" "$p"; done
wait_listen tcp "$A_RANDOM" 443
wait_listen tcp "$A_SHELL" 443
wait_listen tcp "$A_TLSISH" 443
wait_listen udp "$A_UDPRANDOM" 5300

# ---------------------------------------------------------------- scenarios

# One per line: protocol label | transport | port | server address | expected service | client.
# The client is a word run_client understands.
SCENARIOS=()
for p in $HTTP_PORTS; do SCENARIOS+=("http|tcp|$p|$A_HTTP|http|curl-http"); done
i=0
for p in $TLS_PORTS; do
    # Alternate clients and versions, so both TLS 1.2 and 1.3 hellos are seen on odd ports.
    case $i in
    0) c=curl-tls13 ;; 1) c=s_client-tls12 ;; 2) c=s_client-tls13 ;; 3) c=curl-tls12 ;; *) c=s_client ;;
    esac
    SCENARIOS+=("tls|tcp|$p|$A_TLS|ssl|$c")
    i=$((i + 1))
done
for p in $SSH_PORTS; do SCENARIOS+=("ssh|tcp|$p|$A_SSH|ssh|ssh"); done
for p in $DNS_PORTS; do
    SCENARIOS+=("dns|udp|$p|$A_DNS|dns|dig-udp")
    SCENARIOS+=("dns|tcp|$p|$A_DNS|dns|dig-tcp")
done
SCENARIOS+=("unknown: random bytes both ways|tcp|443|$A_RANDOM|-|peer-random")
SCENARIOS+=("unknown: shell prompt, server first|tcp|443|$A_SHELL|-|peer-shell")
SCENARIOS+=("unknown: TLS-like bytes, server first|tcp|443|$A_TLSISH|-|peer-tlsish")
SCENARIOS+=("unknown: random datagrams|udp|5300|$A_UDPRANDOM|-|peer-udprandom")

SSH_OPTS=(-F /dev/null -i "$W/client_key" -o BatchMode=yes -o StrictHostKeyChecking=no
          -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o ConnectTimeout=5)
HTTP_GET=$'GET / HTTP/1.0\r\nHost: www.ident.test\r\n\r\n'

run_client() {   # run_client CLIENT ADDR PORT
    local c=$1 a=$2 p=$3
    case $c in
    curl-http)      C timeout 15 curl -sS -f -o /dev/null "http://$a:$p/" ;;
    curl-tls13)     C timeout 15 curl -sS -k --tlsv1.3 -o /dev/null "https://$a:$p/" ;;
    curl-tls12)     C timeout 15 curl -sS -k --tlsv1.2 --tls-max 1.2 -o /dev/null "https://$a:$p/" ;;
    s_client*)
        local v=""
        [ "$c" = s_client-tls12 ] && v=-tls1_2
        [ "$c" = s_client-tls13 ] && v=-tls1_3
        # s_server -www answers the request and closes; -quiet waits for that close.
        printf '%s' "$HTTP_GET" | C timeout 15 openssl s_client -connect "$a:$p" \
            -servername www.ident.test $v -quiet -verify_quiet >/dev/null ;;
    ssh)            C timeout 15 ssh "${SSH_OPTS[@]}" -p "$p" "root@$a" true </dev/null ;;
    dig-udp)        C timeout 15 dig @"$a" -p "$p" +tries=1 +time=3 +short www.ident.test A >"$W/dig.out" &&
                        grep -qxF "$A_HTTP" "$W/dig.out" ;;
    dig-tcp)        C timeout 15 dig @"$a" -p "$p" +tcp +tries=1 +time=3 +short www.ident.test A >"$W/dig.out" &&
                        grep -qxF "$A_HTTP" "$W/dig.out" ;;
    peer-*)         C timeout 15 "$PY" "$PEERS" client "${c#peer-}" "$a" "$p" ;;
    *)              echo "run_client: unknown client $c" >&2; return 2 ;;
    esac
}

# Not through C(): $! must be tcpdump itself, which ip netns exec becomes.
ip netns exec "$NS_C" tcpdump -i "$VC" -s 0 -B 8192 --immediate-mode -Z root -U -w "$W/capture.pcap" 2>"$W/tcpdump.err" &
TCPDUMP_PID=$!
for i in $(seq 1 50); do grep -q 'listening on' "$W/tcpdump.err" 2>/dev/null && break; sleep 0.1; done
grep -q 'listening on' "$W/tcpdump.err" || { echo "FAIL: tcpdump did not start: $(cat "$W/tcpdump.err")" >&2; exit 1; }

CLIENT_RC=()
for s in "${SCENARIOS[@]}"; do
    IFS='|' read -r label tr port addr want client <<<"$s"
    run_client "$client" "$addr" "$port" >>"$W/clients.log" 2>&1
    rc=$?
    CLIENT_RC+=("$rc")
    [ "$rc" = 0 ] || echo "client $client -> $addr:$port ($tr) exited $rc" >>"$W/clients.log"
done

# Let the last FINs reach tcpdump, then stop it so the file is complete.
sleep 0.5
kill -INT "$TCPDUMP_PID"
for i in $(seq 1 50); do kill -0 "$TCPDUMP_PID" 2>/dev/null || break; sleep 0.1; done
kill -TERM "$TCPDUMP_PID" 2>/dev/null
wait "$TCPDUMP_PID" 2>/dev/null
TCPDUMP_PID=""
echo "tcpdump: $(grep -E 'captured|received|dropped' "$W/tcpdump.err" | paste -sd, -)"

mkdir -p "$W/logs"
if ! timeout 60 "$BIN" read -C -q -o "$W/logs" "$W/capture.pcap" 2>"$W/protowall.err"; then
    echo "FAIL: protowall read failed: $(cat "$W/protowall.err")" >&2
    exit 1
fi
[ -s "$W/logs/conn.log" ] || { echo "FAIL: protowall wrote no conn.log" >&2; exit 1; }

# ---------------------------------------------------------------- judge

payload_pkts() {   # payload_pkts tcp|udp SRC SPORT-FILTER DST DPORT-FILTER -> packets carrying data
    local f
    if [ "$1" = tcp ]; then
        f="tcp and src host $2 and dst host $4 and $3 and $5"
        f="$f and (ip[2:2] - ((ip[0]&0xf)<<2) - ((tcp[12]&0xf0)>>2)) > 0"
    else
        f="udp and src host $2 and dst host $4 and $3 and $5"
    fi
    tcpdump -nn -r "$W/capture.pcap" "$f" 2>/dev/null | wc -l
}

# service values of the conn.log rows to ADDR:PORT over TRANSPORT, one per line
services_of() {   # services_of TRANSPORT ADDR PORT
    awk -F'\t' -v tr="$1" -v a="$2" -v p="$3" '
        /^#fields/ { for (i = 2; i <= NF; i++) col[$i] = i - 1; next }
        /^#/ { next }
        $col["proto"] == tr && $col["id.resp_h"] == a && $col["id.resp_p"] == p { print $col["service"] }
    ' "$W/logs/conn.log"
}

pass=0 fail=0 harness=0
ROWS=()
fmt='%-38s %5s %-4s %-15s %-8s %-8s %-4s %s\n'
printf "$fmt" protocol port tr client expected got ok note
n=0
for s in "${SCENARIOS[@]}"; do
    IFS='|' read -r label tr port addr want client <<<"$s"
    rc=${CLIENT_RC[$n]}
    n=$((n + 1))
    up=$(payload_pkts "$tr" "$CLI" "src portrange 1024-65535" "$addr" "dst port $port")
    down=$(payload_pkts "$tr" "$addr" "src port $port" "$CLI" "dst portrange 1024-65535")
    rows=$(services_of "$tr" "$addr" "$port")
    got=$(sort -u <<<"$rows" | paste -sd' ' -)
    nrows=$(grep -c . <<<"$rows")
    note="$nrows conn rows, data pkts $up/$down"
    ok=yes
    if [ "$rc" != 0 ]; then
        ok=no note="HARNESS: client exited $rc; $note" harness=$((harness + 1))
    elif [ "$up" -eq 0 ] || [ "$down" -eq 0 ]; then
        ok=no note="HARNESS: no payload in both directions; $note" harness=$((harness + 1))
    elif [ "$nrows" -eq 0 ]; then
        ok=no got="(no row)"
    elif [ "$got" != "$want" ]; then
        ok=no
    fi
    [ -n "$got" ] || got="(no row)"
    if [ $ok = yes ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
    printf "$fmt" "$label" "$port" "$tr" "$client" "$want" "$got" "$ok" "$note"
    ROWS+=("| $label | $port | $tr | $client | \`$want\` | \`$got\` | $ok |")
done

if [ "$harness" -gt 0 ]; then
    echo "--- client output (last lines):"
    grep -v -e '^depth=' -e '^verify ' "$W/clients.log" | tail -n 20
fi

if [ "$WRITE_DOC" = 1 ]; then
    {
        cat <<'EOF'
# Protocol identification on real traffic

Produced by `tests/scripts/test_identification.sh --write-doc` (run as root; see the script's
header). Real servers run in one network namespace and real clients in another, joined by a
veth pair; tcpdump captures the client side, and `protowall read -C` reads the capture. Each
row is one flow (or, for a scenario that makes several, all of them) to the server's address
and port; `got` is conn.log's `service` for it, `-` meaning no analyzer claimed the flow.

Servers and clients:

| protocol | server | clients |
|---|---|---|
| http | `python3 -m http.server` | `curl` |
| tls | `openssl s_server -www`, self-signed certificate | `curl -k` (TLS 1.3, 1.2), `openssl s_client` (1.3, 1.2, default) |
| ssh | OpenSSH `sshd`, temporary host key | `ssh` with a temporary key, running `true` |
| dns | `dnsmasq`, no system configuration, a few local records | `dig` over UDP and over TCP (`+tcp`) |
| unknown | `tests/identification/peers.py` | the same script: random bytes both ways (client first); a shell prompt, server first; bytes that begin like a TLS ServerHello record, server first; random UDP datagrams |

TLS is client-first: data on 443 where the server speaks first must never be named `ssl`.

| protocol | port | transport | client | expected | got | ok |
|---|---|---|---|---|---|---|
EOF
        printf '%s\n' "${ROWS[@]}"
        echo
        echo "$pass passed, $fail failed."
    } >"$DOC"
    echo "wrote $DOC"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
