/* policy/policy_cli.c - `protowall policy check FILE` and `policy explain FILE --flow "..."`. */
#include "policy/policy_cli.h"

#include <stdio.h>
#include <string.h>

#include "policy/policy.h"
#include "policy/policy_int.h"

enum { CLI_OK = 0, CLI_USAGE = 2 };

static const char usage_text[] =
    "usage: protowall policy check FILE\n"
    "       protowall policy explain FILE --flow \"FLOW\"\n"
    "\n"
    "FLOW: PROTO SRC:PORT -> DST:PORT [app=NAME] [domain=NAME] [process=PATH] [user=NAME|UID]\n"
    "      [dir=outbound|inbound]\n"
    "  PROTO is tcp, udp or icmp; write IPv6 endpoints as [ADDR]:PORT; dir defaults to outbound.\n"
    "  Without app=, the answer is the one given before identification.\n"
    "example: --flow \"tcp 10.0.0.5:43210 -> 203.0.113.9:443 app=ldap process=/usr/bin/java\"\n";

static void print_error(const struct policy_error *e)
{
    char msg[1024];

    policy_error_text(e, msg, sizeof(msg));
    fprintf(stderr, "%s\n", msg);
}

static int cmd_check(const char *path)
{
    struct policy_error err;
    struct policy *p = policy_load_file(path, &err);
    unsigned n;

    if (p == NULL) {
        print_error(&err);
        return CLI_USAGE;
    }
    n = policy_rule_count(p);
    printf("%s: ok, %u rule%s\n", path, n, n == 1 ? "" : "s");
    policy_free(p);
    return CLI_OK;
}

/* ---- the --flow text ---- */

struct cli_flow {
    struct policy_flow f;
    char               buf[1024]; /* the flow text, cut into NUL-terminated tokens */
};

/* "ADDR:PORT" or "[ADDR6]:PORT"; the port may be left out for icmp. */
static int parse_endpoint(char *s, bool ports, struct addr *a, uint16_t *port, char *why, size_t size)
{
    char *colon, *host = s;
    uint32_t v = 0;

    if (s[0] == '[') {
        char *close = strchr(s, ']');

        if (close == NULL) {
            snprintf(why, size, "'%s': missing ']'", s);
            return -1;
        }
        *close = '\0';
        host = s + 1;
        colon = close[1] == ':' ? close + 1 : NULL;
        if (colon == NULL && close[1] != '\0') {
            snprintf(why, size, "'%s]%s': expected ':PORT' after ']'", s, close + 1);
            return -1;
        }
    } else {
        colon = strchr(s, ':');
        if (colon != NULL && strchr(colon + 1, ':') != NULL) {
            if (ports) {
                snprintf(why, size, "'%s': write an IPv6 endpoint as [ADDR]:PORT", s);
                return -1;
            }
            colon = NULL; /* a bare IPv6 address */
        }
    }
    if (colon != NULL)
        *colon = '\0';
    if (addr_parse(a, host) != 0) {
        snprintf(why, size, "'%s' is not an IPv4 or IPv6 address", host);
        return -1;
    }
    if (colon == NULL) {
        if (ports) {
            snprintf(why, size, "'%s': missing ':PORT'", host);
            return -1;
        }
    } else if (policy_value_uint(colon + 1, strlen(colon + 1), 65535, &v) != 0) {
        snprintf(why, size, "'%s' is not a port", colon + 1);
        return -1;
    }
    *port = (uint16_t)v;
    return 0;
}

/* A flow names one service: the policy words that stand for several ("ldap") pick by transport. */
static uint8_t flow_app(const char *name, uint8_t ip_proto)
{
    uint8_t id = policy_app_lookup(name, strlen(name)), first = 0;
    uint64_t set;

    if (id != POLICY_APP_PENDING)
        return id;
    set = policy_app_set(name, strlen(name));
    for (uint8_t i = 1; i < POLICY_APP_MAX; i++) {
        if (!(set & (UINT64_C(1) << i)))
            continue;
        const char *n = policy_app_name(i);
        size_t len = strlen(n);

        if (first == 0)
            first = i;
        if (ip_proto == 17 && len > 4 && strcmp(n + len - 4, "_udp") == 0)
            return i;
    }
    return first;
}

static int parse_flow(const char *text, struct cli_flow *cf, char *why, size_t size)
{
    struct policy_flow *f = &cf->f;
    char *tok[16], *s = cf->buf;
    size_t n = 0;
    bool ports;

    memset(f, 0, sizeof(*f));
    if (strlen(text) >= sizeof(cf->buf)) {
        snprintf(why, size, "longer than %zu characters", sizeof(cf->buf) - 1);
        return -1;
    }
    memcpy(cf->buf, text, strlen(text) + 1);
    while (*s != '\0') {
        s += strspn(s, " \t");
        if (*s == '\0')
            break;
        if (n == sizeof(tok) / sizeof(tok[0])) {
            snprintf(why, size, "too many words");
            return -1;
        }
        tok[n++] = s;
        s += strcspn(s, " \t");
        if (*s != '\0')
            *s++ = '\0';
    }
    if (n < 4 || strcmp(tok[2], "->") != 0) {
        snprintf(why, size, "expected PROTO SRC:PORT -> DST:PORT [key=value...]");
        return -1;
    }
    if (strcmp(tok[0], "tcp") == 0)
        f->ip_proto = 6;
    else if (strcmp(tok[0], "udp") == 0)
        f->ip_proto = 17;
    else if (strcmp(tok[0], "icmp") == 0)
        f->ip_proto = 1;
    else {
        snprintf(why, size, "'%s': expected tcp, udp or icmp", tok[0]);
        return -1;
    }
    ports = f->ip_proto != 1;
    if (parse_endpoint(tok[1], ports, &f->src, &f->src_port, why, size) < 0 ||
        parse_endpoint(tok[3], ports, &f->dst, &f->dst_port, why, size) < 0)
        return -1;
    if (f->ip_proto == 1 && !addr_is_v4(&f->src))
        f->ip_proto = 58;
    f->dir = POLICY_DIR_OUTBOUND;
    for (size_t i = 4; i < n; i++) {
        char *eq = strchr(tok[i], '='), *v;

        if (eq == NULL || eq[1] == '\0') {
            snprintf(why, size, "'%s': expected key=value", tok[i]);
            return -1;
        }
        *eq = '\0';
        v = eq + 1;
        if (strcmp(tok[i], "app") == 0) {
            f->app = flow_app(v, f->ip_proto);
            if (f->app == POLICY_APP_PENDING) {
                snprintf(why, size, "app=%s: unknown application", v);
                return -1;
            }
        } else if (strcmp(tok[i], "domain") == 0) {
            f->domain = v;
            f->domain_len = strlen(v);
        } else if (strcmp(tok[i], "process") == 0) {
            f->process = v;
        } else if (strcmp(tok[i], "user") == 0) {
            char uwhy[160];

            if (policy_value_user(v, strlen(v), &f->uid, uwhy, sizeof(uwhy)) < 0) {
                snprintf(why, size, "user=%s: %s", v, uwhy);
                return -1;
            }
            f->has_uid = true;
        } else if (strcmp(tok[i], "dir") == 0) {
            if (strcmp(v, "outbound") == 0)
                f->dir = POLICY_DIR_OUTBOUND;
            else if (strcmp(v, "inbound") == 0)
                f->dir = POLICY_DIR_INBOUND;
            else {
                snprintf(why, size, "dir=%s: expected outbound or inbound", v);
                return -1;
            }
        } else {
            snprintf(why, size, "unknown key '%s'; expected app, domain, process, user or dir", tok[i]);
            return -1;
        }
    }
    return 0;
}

/* ---- explaining ---- */

static const char *transport_name(uint8_t ip_proto)
{
    return ip_proto == 6 ? "tcp" : ip_proto == 17 ? "udp" : "icmp";
}

static const char *dir_name(uint8_t dir)
{
    return dir == POLICY_DIR_INBOUND ? "inbound" : "outbound";
}

static void print_endpoint(const struct addr *a, uint16_t port, uint8_t ip_proto)
{
    char t[ADDR_STRLEN];

    addr_format(a, t, sizeof(t));
    if (ip_proto != 6 && ip_proto != 17)
        printf("%s", t);
    else
        printf(addr_is_v4(a) ? "%s:%u" : "[%s]:%u", t, (unsigned)port);
}

/* The flow's value for one condition, or NULL when the flow does not have it. */
static const char *flow_value(const struct policy_flow *f, enum policy_cond c, char *buf, size_t size)
{
    switch (c) {
    case POLICY_COND_DIRECTION:
        return dir_name(f->dir);
    case POLICY_COND_TRANSPORT:
        return transport_name(f->ip_proto);
    case POLICY_COND_DST_PORT:
    case POLICY_COND_SRC_PORT:
        if (f->ip_proto != 6 && f->ip_proto != 17)
            return NULL;
        snprintf(buf, size, "%u", (unsigned)(c == POLICY_COND_DST_PORT ? f->dst_port : f->src_port));
        return buf;
    case POLICY_COND_DST:
    case POLICY_COND_SRC:
        addr_format(c == POLICY_COND_DST ? &f->dst : &f->src, buf, size);
        return buf;
    case POLICY_COND_USER:
        if (!f->has_uid)
            return NULL;
        snprintf(buf, size, "%u", (unsigned)f->uid);
        return buf;
    case POLICY_COND_PROCESS:
        return f->process;
    case POLICY_COND_APP:
        return f->app == POLICY_APP_PENDING ? NULL : policy_app_name(f->app);
    case POLICY_COND_DOMAIN:
        return f->domain != NULL && f->domain_len > 0 ? f->domain : NULL;
    default:
        return NULL;
    }
}

static void print_why_not(const struct policy *p, unsigned i, const struct policy_flow *f, enum policy_cond c)
{
    char buf[ADDR_STRLEN + 8];
    const char *have = flow_value(f, c, buf, sizeof(buf));

    printf("rule '%s' (line %u): no: %s ", policy_rule_name(p, i), policy_rule_line(p, i), policy_cond_name(c));
    if (c == POLICY_COND_DIRECTION) {
        printf("%s is not %s\n", have, policy_rule_cond_text(p, i, c));
        return;
    }
    if (have != NULL)
        printf("%s", have);
    else if (c == POLICY_COND_DST_PORT || c == POLICY_COND_SRC_PORT)
        printf("(none: %s has no ports)", transport_name(f->ip_proto));
    else
        printf("(not known)");
    printf(" is not in [%s]\n", policy_rule_cond_text(p, i, c));
}

/* Every condition the rule has, with the flow's value that satisfied it; app and domain only
 * when `all` (before identification they are what the rule still waits for). */
static void print_why(const struct policy *p, unsigned i, const struct policy_flow *f, bool all)
{
    const char *sep = "";

    for (enum policy_cond c = POLICY_COND_DIRECTION; c < POLICY_COND_COUNT; c++) {
        const char *text = policy_rule_cond_text(p, i, c);
        char buf[ADDR_STRLEN + 8];

        if (text == NULL || (!all && (c == POLICY_COND_APP || c == POLICY_COND_DOMAIN)))
            continue;
        const char *have = flow_value(f, c, buf, sizeof(buf));

        if (c == POLICY_COND_DIRECTION)
            printf("%sdirection %s", sep, text);
        else
            printf("%s%s %s in [%s]", sep, policy_cond_name(c), have != NULL ? have : "-", text);
        sep = "; ";
    }
    if (sep[0] == '\0')
        printf("no %sconditions", all ? "" : "direction, address, port, user or process ");
    printf("\n");
}

static void explain(const struct policy *p, const struct policy_flow *f)
{
    bool early = f->app == POLICY_APP_PENDING;
    struct policy_verdict v;
    enum policy_decision d = POLICY_DECIDED;

    printf("flow: %s ", transport_name(f->ip_proto));
    print_endpoint(&f->src, f->src_port, f->ip_proto);
    printf(" -> ");
    print_endpoint(&f->dst, f->dst_port, f->ip_proto);
    printf(" dir=%s app=%s", dir_name(f->dir), early ? "(not identified yet)" : policy_app_name(f->app));
    if (f->domain != NULL)
        printf(" domain=%s", f->domain);
    if (f->process != NULL)
        printf(" process=%s", f->process);
    if (f->has_uid)
        printf(" user=%u", (unsigned)f->uid);
    printf("\n");

    if (early)
        d = policy_match_early(p, f, &v);
    else
        v = policy_match(p, f);
    for (unsigned i = 0; v.rule < 0 ? i < policy_rule_count(p) : i < (unsigned)v.rule; i++)
        print_why_not(p, i, f, policy_match_rule(p, i, f));
    if (v.rule < 0) {
        printf("verdict: %s by default (%s): no rule %s%s\n", policy_action_name(v.action), dir_name(f->dir),
               early ? "can match" : "matched", early ? ", before identification" : "");
        return;
    }
    if (d == POLICY_NEED_APP) {
        const char *app = policy_rule_cond_text(p, (unsigned)v.rule, POLICY_COND_APP);
        const char *dom = policy_rule_cond_text(p, (unsigned)v.rule, POLICY_COND_DOMAIN);

        printf("rule '%s' (line %u): maybe: ", policy_rule_name(p, (unsigned)v.rule),
               policy_rule_line(p, (unsigned)v.rule));
        print_why(p, (unsigned)v.rule, f, false);
        printf("verdict: none yet: hold the flow until identification; rule '%s' (line %u) depends on", 
               policy_rule_name(p, (unsigned)v.rule), policy_rule_line(p, (unsigned)v.rule));
        if (app != NULL)
            printf(" app [%s]", app);
        if (dom != NULL)
            printf("%s domain [%s]", app != NULL ? " and" : "", dom);
        printf("\n");
        return;
    }
    printf("rule '%s' (line %u): yes: ", policy_rule_name(p, (unsigned)v.rule), policy_rule_line(p, (unsigned)v.rule));
    print_why(p, (unsigned)v.rule, f, true);
    printf("verdict: %s by rule '%s' (line %u)%s\n", policy_action_name(v.action),
           policy_rule_name(p, (unsigned)v.rule), policy_rule_line(p, (unsigned)v.rule),
           early ? ", before identification" : "");
}

static int cmd_explain(int argc, char **argv)
{
    const char *file = NULL, *flow = NULL;
    struct policy_error err;
    struct cli_flow cf;
    struct policy *p;
    char why[256];

    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--flow") == 0 && i + 1 < argc && flow == NULL)
            flow = argv[++i];
        else if (strncmp(argv[i], "--flow=", 7) == 0 && flow == NULL)
            flow = argv[i] + 7;
        else if (argv[i][0] != '-' && file == NULL)
            file = argv[i];
        else {
            fprintf(stderr, "protowall policy explain: unexpected argument \"%s\"\n", argv[i]);
            fputs(usage_text, stderr);
            return CLI_USAGE;
        }
    }
    if (file == NULL || flow == NULL) {
        fprintf(stderr, "protowall policy explain: %s\n", file == NULL ? "no policy file given" : "no --flow given");
        fputs(usage_text, stderr);
        return CLI_USAGE;
    }
    if (parse_flow(flow, &cf, why, sizeof(why)) < 0) {
        fprintf(stderr, "protowall policy explain: --flow: %s\n", why);
        return CLI_USAGE;
    }
    p = policy_load_file(file, &err);
    if (p == NULL) {
        print_error(&err);
        return CLI_USAGE;
    }
    explain(p, &cf.f);
    policy_free(p);
    return CLI_OK;
}

int policy_cli_main(int argc, char **argv)
{
    const char *sub = argc > 1 ? argv[1] : NULL;

    if (sub != NULL && (strcmp(sub, "help") == 0 || strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0)) {
        fputs(usage_text, stdout);
        return CLI_OK;
    }
    if (sub != NULL && strcmp(sub, "check") == 0) {
        if (argc != 3 || argv[2][0] == '-') {
            fprintf(stderr, "protowall policy check: expected one policy file\n");
            fputs(usage_text, stderr);
            return CLI_USAGE;
        }
        return cmd_check(argv[2]);
    }
    if (sub != NULL && strcmp(sub, "explain") == 0)
        return cmd_explain(argc - 2, argv + 2);
    if (sub == NULL)
        fprintf(stderr, "protowall policy: expected check or explain\n");
    else
        fprintf(stderr, "protowall policy: unknown subcommand \"%s\"\n", sub);
    fputs(usage_text, stderr);
    return CLI_USAGE;
}
