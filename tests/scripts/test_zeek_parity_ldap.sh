#!/usr/bin/env bash
# tests/scripts/test_zeek_parity_ldap.sh - ldap.log, ldap_search.log and ssl.log (StartTLS) against
# Zeek's LDAP sets.
# Left out, with the reason in docs/conformance.md: ldap.attributes (a Zeek option protowall has
# no switch for yet) and ldap.filter_escaping (two runs share one seeded uid, which the
# comparison's uid mapping cannot tell apart; every field but uid matches).
exec "${PYTHON:-/usr/bin/python3}" "$(dirname "$0")/test_zeek_parity.py" --logs ldap,ldap_search,ssl \
    --set protocols.ldap --exclude ldap.attributes --exclude ldap.filter_escaping
