/* tests/unit/output/test_redis_live.c - the Redis output against a real redis-server stopped and restarted under a slow feeder. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include "output/redis_out.h"

/* Runs only when tests/scripts/test_redis.sh (or a person) names the server: the unit suite
 * starts no daemons of its own. */
static const char *server;
static char dir[] = "/tmp/pw_test_redis_live.XXXXXX";
static int port;
static pid_t pid = -1;

static void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

static int free_port(void)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t sl = sizeof(sa);
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
    close(fd);
    return ntohs(sa.sin_port);
}

static redisContext *client(void)
{
    struct timeval tv = {.tv_sec = 1};
    redisContext *c = redisConnectWithTimeout("127.0.0.1", port, tv);

    assert_non_null(c);
    if (c->err != 0) {
        redisFree(c);
        return NULL;
    }
    return c;
}

/* Starts redis-server with an append-only file synced on every write, so a restart keeps every
 * entry it acknowledged; returns once it answers PING. */
static void server_start(void)
{
    char portstr[16], log[300];

    snprintf(portstr, sizeof(portstr), "%d", port);
    snprintf(log, sizeof(log), "%s/redis.log", dir);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);

        dup2(fd, 1);
        dup2(fd, 2);
        execl(server, server, "--port", portstr, "--bind", "127.0.0.1", "--dir", dir, "--appendonly", "yes",
              "--appendfsync", "always", "--save", "", "--daemonize", "no", (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 100; i++) {
        redisContext *c = client();

        if (c != NULL) {
            redisReply *rep = redisCommand(c, "PING");
            bool up = rep != NULL && rep->type == REDIS_REPLY_STATUS;

            freeReplyObject(rep);
            redisFree(c);
            if (up)
                return;
        }
        sleep_ms(50);
    }
    fail_msg("redis-server did not come up; see %s", log);
}

static void server_stop(int sig)
{
    int st;

    if (pid <= 0)
        return;
    kill(pid, sig);
    waitpid(pid, &st, 0);
    pid = -1;
}

static int setup(void **state)
{
    server = getenv("PW_REDIS_SERVER");
    if (server == NULL || server[0] == '\0')
        return 0;
    if (mkdtemp(dir) == NULL)
        return -1;
    port = free_port();
    server_start();
    return 0;
}

static int teardown(void **state)
{
    char cmd[300];

    if (server == NULL || server[0] == '\0')
        return 0;
    server_stop(SIGTERM);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static struct redis_out *make(uint32_t rows)
{
    struct redis_out_config cfg;
    char err[256] = "";
    struct redis_out *r;

    redis_out_config_init(&cfg);
    cfg.port = port;
    cfg.key_prefix = "pwlive:";
    cfg.buffer_rows = rows;
    cfg.batch = 16;
    cfg.flush_ms = 20;
    r = redis_out_create(&cfg, err, sizeof(err));
    assert_non_null(r);
    return r;
}

static void row(struct redis_out *r, const char *path, unsigned seq)
{
    char j[256];
    int n = snprintf(j, sizeof(j),
                     "{\"seq\":%u,\"pad\":\"................................................................\"}\n",
                     seq);

    redis_out_row(r, path, j, (size_t)n);
}

/* The seq of every entry of stream key, in stream order; returns how many. */
static unsigned read_stream(const char *key, unsigned *seq, unsigned max)
{
    redisContext *c = client();
    redisReply *rep;
    unsigned n = 0;

    assert_non_null(c);
    rep = redisCommand(c, "XRANGE %s - +", key);
    assert_non_null(rep);
    assert_int_equal(rep->type, REDIS_REPLY_ARRAY);
    for (size_t i = 0; i < rep->elements && n < max; i++) {
        redisReply *fields = rep->element[i]->element[1];

        assert_int_equal(fields->elements, 2);
        assert_string_equal(fields->element[0]->str, "json");
        assert_true(strncmp(fields->element[1]->str, "{\"seq\":", 7) == 0);
        seq[n++] = (unsigned)strtoul(fields->element[1]->str + 7, NULL, 10);
    }
    freeReplyObject(rep);
    redisFree(c);
    return n;
}

/* Rows keep coming while the server stops (sig) and, later, starts again: every row reaches the
 * stream, in order. A row Redis added but could not acknowledge before it went down is sent again
 * (at-least-once), so a repeat may follow, never a gap. */
static void restart_under_load(int sig, const char *path)
{
    enum { N = 3000 };
    static unsigned seq[2 * N];
    struct redis_out_stats st;
    struct redis_out *r;
    unsigned n, next = 0, dups = 0;
    char key[64];

    if (server == NULL || server[0] == '\0')
        skip();
    r = make(100000);
    for (unsigned i = 0; i < N; i++) {
        if (i == 1000)
            server_stop(sig);
        if (i == 2000)
            server_start();
        row(r, path, i);
        redis_out_poll(r);
        sleep_ms(i % 2);
    }
    assert_int_equal(redis_out_drain(r, 10000), 0);
    redis_out_stats(r, &st);
    assert_int_equal(st.rows, N);
    assert_int_equal(st.sent, N);
    assert_int_equal(st.dropped, 0);
    assert_int_equal(st.rejected, 0);
    assert_int_equal(st.buffered, 0);
    assert_true(st.reconnects >= 1);
    redis_out_free(r);

    snprintf(key, sizeof(key), "pwlive:%s", path);
    n = read_stream(key, seq, 2 * N);
    for (unsigned i = 0; i < n; i++) {
        if (seq[i] < next) {
            dups++;        /* a replayed row Redis had already added */
            continue;
        }
        assert_int_equal(seq[i], next);    /* no gap, no reordering */
        next++;
    }
    assert_int_equal(next, N);
    assert_true(dups <= st.retried);
    print_message("%s under load: %u rows, %u in the stream, %llu resent, %u repeated, %llu reconnects\n",
                  sig == SIGKILL ? "crash" : "restart", N, n, (unsigned long long)st.retried, dups,
                  (unsigned long long)st.reconnects);
}

static void test_restart_under_load(void **state)
{
    restart_under_load(SIGTERM, "conn");
}

/* kill -9: with appendfsync always, what Redis acknowledged was on disk first. */
static void test_crash_under_load(void **state)
{
    restart_under_load(SIGKILL, "http");
}

/* The server is down for longer than the buffer lasts: the oldest rows go, counted, and the newest
 * arrive in order once it is back. */
static void test_outage_past_the_cap(void **state)
{
    static unsigned seq[1000];
    struct redis_out_stats st;
    struct redis_out *r;
    unsigned n;

    if (server == NULL || server[0] == '\0')
        skip();
    r = make(100);
    row(r, "dns", 0);
    assert_int_equal(redis_out_drain(r, 5000), 0);
    server_stop(SIGTERM);
    for (unsigned i = 1; i <= 500; i++)
        row(r, "dns", i);
    server_start();
    assert_int_equal(redis_out_drain(r, 10000), 0);
    redis_out_stats(r, &st);
    assert_int_equal(st.rows, 501);
    assert_int_equal(st.dropped, 400);
    assert_int_equal(st.sent, 101);
    assert_int_equal(st.buffered, 0);
    redis_out_free(r);

    n = read_stream("pwlive:dns", seq, 1000);
    assert_int_equal(n, 101);
    assert_int_equal(seq[0], 0);
    for (unsigned i = 1; i < n; i++)
        assert_int_equal(seq[i], 400 + i);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_restart_under_load),
        cmocka_unit_test(test_crash_under_load),
        cmocka_unit_test(test_outage_past_the_cap),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
