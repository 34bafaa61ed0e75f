#!/usr/bin/env bash
# tests/scripts/test_policy_cli.sh - `protowall policy check|explain` on tests/policy/*.yaml: exact output, exit status.
set -u
root=${PW_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
dir=$root/tests/policy
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0 fail=0

# expect NAME STATUS STDOUT STDERR -- command...: both streams compared whole.
expect() {
    local name=$1 want=$2 out=$3 err=$4 st
    shift 5
    "$@" >"$work/out" 2>"$work/err"; st=$?
    if [ "$st" -eq "$want" ] && [ "$(cat "$work/out")" = "$out" ] && [ "$(cat "$work/err")" = "$err" ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL $name: status $st (want $want)"
        diff <(printf '%s\n' "$out") "$work/out" | sed 's/^/  stdout /'
        diff <(printf '%s\n' "$err") "$work/err" | sed 's/^/  stderr /'
    fi
}

cd "$dir" || exit 1
bin=${PW_BIN:?PW_BIN not set}
if "$bin" policy check issue.yaml 2>&1 | grep -qE 'unknown command|usage: protowall <command>'; then
    echo "skipped: policy command not wired"
    exit 77
fi

# The example in docs/policy.md is tests/policy/full.yaml, so it is checked here too.
awk '/^<!-- tests\/policy\/full.yaml -->/ {on = 1; next} on && /^```yaml/ {in_block = 1; next}
     in_block && /^```/ {exit} in_block' "$root/docs/policy.md" >"$work/doc.yaml"
if diff -q "$work/doc.yaml" full.yaml >/dev/null; then pass=$((pass + 1))
else fail=$((fail + 1)); echo "FAIL docs/policy.md's full example differs from tests/policy/full.yaml"; fi

usage='usage: protowall policy check FILE
       protowall policy explain FILE --flow "FLOW"

FLOW: PROTO SRC:PORT -> DST:PORT [app=NAME] [domain=NAME] [process=PATH] [user=NAME|UID]
      [dir=outbound|inbound]
  PROTO is tcp, udp or icmp; write IPv6 endpoints as [ADDR]:PORT; dir defaults to outbound.
  Without app=, the answer is the one given before identification.
example: --flow "tcp 10.0.0.5:43210 -> 203.0.113.9:443 app=ldap process=/usr/bin/java"'

for b in "$bin" ${PW_BIN_ASAN:+"$PW_BIN_ASAN"}; do
    [ -x "$b" ] || continue
    n=$(basename "$b")

    # ---- check ----
    expect "$n check issue" 0 'issue.yaml: ok, 4 rules' '' -- "$b" policy check issue.yaml
    expect "$n check full" 0 'full.yaml: ok, 7 rules' '' -- "$b" policy check full.yaml
    expect "$n check bad yaml" 2 '' \
        "bad-yaml.yaml:5:4: YAML: did not find expected '-' indicator (while parsing a block collection at line 3)" \
        -- "$b" policy check bad-yaml.yaml
    expect "$n check unknown key" 2 '' \
        "bad-unknown-key.yaml:5:5: field 'rules[0].application': unknown key; expected one of: name, action, direction, transport, app, domain, dst, src, dst_port, src_port, process, user" \
        -- "$b" policy check bad-unknown-key.yaml
    expect "$n check bad cidr" 2 '' \
        "bad-cidr.yaml:5:38: field 'rules[0].dst[2]': '192.168.0.0/33': the prefix length must be a number from 0 to 32" \
        -- "$b" policy check bad-cidr.yaml
    expect "$n check unknown app" 2 '' \
        "bad-app.yaml:3:63: field 'rules[0].app[2]': unknown application 'corba' (see the list in docs/policy.md)" \
        -- "$b" policy check bad-app.yaml
    expect "$n check duplicate name" 2 '' \
        "bad-duplicate-name.yaml:4:13: field 'rules[1].name': duplicate rule name 'web' (first at line 3)" \
        -- "$b" policy check bad-duplicate-name.yaml
    expect "$n check no default" 2 '' "bad-no-default.yaml:1:1: field 'default': required key is missing" \
        -- "$b" policy check bad-no-default.yaml
    expect "$n check missing file" 2 '' 'no-such.yaml: cannot open: No such file or directory' \
        -- "$b" policy check no-such.yaml
    expect "$n check no file" 2 '' "protowall policy check: expected one policy file
$usage" -- "$b" policy check
    expect "$n no subcommand" 2 '' "protowall policy: expected check or explain
$usage" -- "$b" policy
    expect "$n bad subcommand" 2 '' "protowall policy: unknown subcommand \"frob\"
$usage" -- "$b" policy frob
    expect "$n help" 0 "$usage" '' -- "$b" policy help

    # ---- explain ----
    expect "$n explain ldap" 0 "flow: tcp 10.0.0.5:43210 -> 203.0.113.9:443 dir=outbound app=ldap_tcp domain=x.example process=/usr/bin/java user=0
rule 'no-jndi-callbacks' (line 6): yes: direction outbound; app ldap_tcp in [ldap, rmi, iiop]
verdict: deny by rule 'no-jndi-callbacks' (line 6)" '' -- "$b" policy explain full.yaml \
        --flow "tcp 10.0.0.5:43210 -> 203.0.113.9:443 app=ldap domain=x.example process=/usr/bin/java user=root dir=outbound"
    expect "$n explain tls by name" 0 "flow: tcp 10.0.0.5:43210 -> 52.1.2.3:443 dir=outbound app=ssl domain=S3.eu-west-1.amazonaws.com. process=/usr/bin/curl
rule 'no-jndi-callbacks' (line 6): no: app ssl is not in [ldap, rmi, iiop]
rule 'dns-to-vpc-resolver' (line 12): no: dst_port 443 is not in [53]
rule 'updates' (line 20): yes: direction outbound; app ssl in [tls, http]; domain S3.eu-west-1.amazonaws.com. in [deb.debian.org, security.debian.org, *.amazonaws.com]
verdict: allow by rule 'updates' (line 20)" '' -- "$b" policy explain full.yaml \
        --flow "tcp 10.0.0.5:43210 -> 52.1.2.3:443 app=tls domain=S3.eu-west-1.amazonaws.com. process=/usr/bin/curl"
    expect "$n explain tls other name" 0 "flow: tcp 10.0.0.5:43210 -> 52.1.2.3:443 dir=outbound app=ssl domain=amazonaws.com
rule 'no-jndi-callbacks' (line 6): no: app ssl is not in [ldap, rmi, iiop]
rule 'dns-to-vpc-resolver' (line 12): no: dst_port 443 is not in [53]
rule 'updates' (line 20): no: domain amazonaws.com is not in [deb.debian.org, security.debian.org, *.amazonaws.com]
rule 'java-no-raw-tcp' (line 27): no: process (not known) is not in [/usr/lib/jvm/*/bin/java]
rule 'metrics' (line 33): no: dst_port 443 is not in [9090, 9100-9199]
rule 'ssh-from-bastion' (line 43): no: direction outbound is not inbound
rule 'ssh-other' (line 49): no: direction outbound is not inbound
verdict: deny by default (outbound): no rule matched" '' -- "$b" policy explain --flow \
        "tcp 10.0.0.5:43210 -> 52.1.2.3:443 app=ssl domain=amazonaws.com" full.yaml
    expect "$n explain java unknown" 0 "flow: tcp 10.0.0.5:43210 -> 203.0.113.9:443 dir=outbound app=unknown process=/usr/lib/jvm/java-17-openjdk-amd64/bin/java
rule 'no-jndi-callbacks' (line 6): no: app unknown is not in [ldap, rmi, iiop]
rule 'dns-to-vpc-resolver' (line 12): no: dst_port 443 is not in [53]
rule 'updates' (line 20): no: app unknown is not in [tls, http]
rule 'java-no-raw-tcp' (line 27): yes: process /usr/lib/jvm/java-17-openjdk-amd64/bin/java in [/usr/lib/jvm/*/bin/java]; app unknown in [unknown]
verdict: deny by rule 'java-no-raw-tcp' (line 27)" '' -- "$b" policy explain full.yaml \
        --flow "tcp 10.0.0.5:43210 -> 203.0.113.9:443 app=unknown process=/usr/lib/jvm/java-17-openjdk-amd64/bin/java"
    expect "$n explain inbound ssh" 0 "flow: tcp 198.51.100.7:50000 -> 10.0.0.5:22 dir=inbound app=ssh
rule 'no-jndi-callbacks' (line 6): no: direction inbound is not outbound
rule 'dns-to-vpc-resolver' (line 12): no: direction inbound is not outbound
rule 'updates' (line 20): no: direction inbound is not outbound
rule 'java-no-raw-tcp' (line 27): no: process (not known) is not in [/usr/lib/jvm/*/bin/java]
rule 'metrics' (line 33): no: direction inbound is not outbound
rule 'ssh-from-bastion' (line 43): no: src 198.51.100.7 is not in [10.0.1.10]
rule 'ssh-other' (line 49): yes: direction inbound; dst_port 22 in [22]
verdict: alert by rule 'ssh-other' (line 49)" '' -- "$b" policy explain full.yaml \
        --flow "tcp 198.51.100.7:50000 -> 10.0.0.5:22 dir=inbound app=ssh"
    expect "$n explain dns v6" 0 "flow: udp [2001:db8::5]:5353 -> [fd00:ec2::253]:53 dir=outbound app=dns
rule 'no-jndi-callbacks' (line 6): no: app dns is not in [ldap, rmi, iiop]
rule 'dns-to-vpc-resolver' (line 12): yes: direction outbound; dst_port 53 in [53]; dst fd00:ec2::253 in [169.254.169.253, fd00:ec2::253]; app dns in [dns]
verdict: allow by rule 'dns-to-vpc-resolver' (line 12)" '' -- "$b" policy explain full.yaml \
        --flow "udp [2001:db8::5]:5353 -> [fd00:ec2::253]:53 app=dns"
    # before identification
    expect "$n explain early hold" 0 "flow: tcp 10.0.0.5:43210 -> 52.1.2.3:443 dir=outbound app=(not identified yet)
rule 'no-jndi-callbacks' (line 6): maybe: direction outbound
verdict: none yet: hold the flow until identification; rule 'no-jndi-callbacks' (line 6) depends on app [ldap, rmi, iiop]" \
        '' -- "$b" policy explain full.yaml --flow "tcp 10.0.0.5:43210 -> 52.1.2.3:443"
    expect "$n explain early inbound" 0 "flow: tcp 198.51.100.7:50000 -> 10.0.0.5:8080 dir=inbound app=(not identified yet)
rule 'no-jndi-callbacks' (line 6): no: direction inbound is not outbound
rule 'dns-to-vpc-resolver' (line 12): no: direction inbound is not outbound
rule 'updates' (line 20): no: direction inbound is not outbound
rule 'java-no-raw-tcp' (line 27): no: process (not known) is not in [/usr/lib/jvm/*/bin/java]
rule 'metrics' (line 33): no: direction inbound is not outbound
rule 'ssh-from-bastion' (line 43): no: dst_port 8080 is not in [22]
rule 'ssh-other' (line 49): no: dst_port 8080 is not in [22]
verdict: allow by default (inbound): no rule can match, before identification" '' -- "$b" policy explain full.yaml \
        --flow "tcp 198.51.100.7:50000 -> 10.0.0.5:8080 dir=inbound"
    expect "$n explain early decided" 0 "flow: tcp 198.51.100.7:50000 -> 10.0.0.5:22 dir=inbound app=(not identified yet)
rule 'no-jndi-callbacks' (line 6): no: direction inbound is not outbound
rule 'dns-to-vpc-resolver' (line 12): no: direction inbound is not outbound
rule 'updates' (line 20): no: direction inbound is not outbound
rule 'java-no-raw-tcp' (line 27): no: process (not known) is not in [/usr/lib/jvm/*/bin/java]
rule 'metrics' (line 33): no: direction inbound is not outbound
rule 'ssh-from-bastion' (line 43): no: src 198.51.100.7 is not in [10.0.1.10]
rule 'ssh-other' (line 49): yes: direction inbound; dst_port 22 in [22]
verdict: alert by rule 'ssh-other' (line 49), before identification" '' -- "$b" policy explain full.yaml \
        --flow "tcp 198.51.100.7:50000 -> 10.0.0.5:22 dir=inbound"
    expect "$n explain issue example" 0 "flow: tcp 10.0.0.5:43210 -> 203.0.113.9:443 dir=outbound app=(not identified yet) process=/usr/bin/java
rule 'no-jndi-callbacks' (line 3): maybe: direction outbound
verdict: none yet: hold the flow until identification; rule 'no-jndi-callbacks' (line 3) depends on app [ldap, rmi, iiop]" \
        '' -- "$b" policy explain issue.yaml --flow "tcp 10.0.0.5:43210 -> 203.0.113.9:443 process=/usr/bin/java"

    # ---- explain: bad input ----
    expect "$n explain bad policy" 2 '' \
        "bad-app.yaml:3:63: field 'rules[0].app[2]': unknown application 'corba' (see the list in docs/policy.md)" \
        -- "$b" policy explain bad-app.yaml --flow "tcp 10.0.0.5:1 -> 203.0.113.9:443"
    expect "$n explain no port" 2 '' "protowall policy explain: --flow: '10.0.0.5': missing ':PORT'" \
        -- "$b" policy explain full.yaml --flow "tcp 10.0.0.5 -> 203.0.113.9:443"
    expect "$n explain bare v6" 2 '' "protowall policy explain: --flow: '2001:db8::1:443': write an IPv6 endpoint as [ADDR]:PORT" \
        -- "$b" policy explain full.yaml --flow "tcp 10.0.0.5:1 -> 2001:db8::1:443"
    expect "$n explain bad app" 2 '' 'protowall policy explain: --flow: app=ldapp: unknown application' \
        -- "$b" policy explain full.yaml --flow "tcp 10.0.0.5:1 -> 203.0.113.9:443 app=ldapp"
    expect "$n explain bad key" 2 '' \
        "protowall policy explain: --flow: unknown key 'color'; expected app, domain, process, user or dir" \
        -- "$b" policy explain full.yaml --flow "tcp 10.0.0.5:1 -> 203.0.113.9:443 color=red"
    expect "$n explain bad proto" 2 '' "protowall policy explain: --flow: 'sctp': expected tcp, udp or icmp" \
        -- "$b" policy explain full.yaml --flow "sctp 10.0.0.5:1 -> 203.0.113.9:443"
    expect "$n explain no arrow" 2 '' \
        'protowall policy explain: --flow: expected PROTO SRC:PORT -> DST:PORT [key=value...]' \
        -- "$b" policy explain full.yaml --flow "tcp 10.0.0.5:1 203.0.113.9:443"
    expect "$n explain no flow" 2 '' "protowall policy explain: no --flow given
$usage" -- "$b" policy explain full.yaml
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
