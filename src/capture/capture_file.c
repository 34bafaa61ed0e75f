/* capture/capture_file.c - opening capture files: pcap through libpcap, pcapng through capture_pcapng.c. */
#include "capture/capture.h"
#include "capture/capture_int.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct capture {
    pcap_t *pcap;
    struct capture_pcapng *ng;   /* set instead of pcap for pcapng files */
    int     link_type;
    char    err[PCAP_ERRBUF_SIZE];
};

/* Hands fp to the pcapng reader; fp is consumed either way. */
static struct capture *open_pcapng(FILE *fp, char *err, size_t errlen)
{
    struct capture *c = calloc(1, sizeof(*c));

    if (c == NULL) {
        fclose(fp);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    c->ng = capture_pcapng_open(fp, err, errlen);
    if (c->ng == NULL) {
        free(c);
        return NULL;
    }
    return c;
}

struct capture *capture_file_open(const char *path, char *err, size_t errlen)
{
    char pcap_err[PCAP_ERRBUF_SIZE] = "";
    struct capture *c;
    uint8_t magic[4];
    struct stat st;
    pcap_t *p;
    FILE *fp;

    /* libpcap's message for a directory or a missing file is obscure; say it plainly. */
    if (stat(path, &st) != 0) {
        snprintf(err, errlen, "%s", strerror(errno));
        return NULL;
    }
    if (S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "is a directory");
        return NULL;
    }
    /* libpcap 1.10.3 refuses pcapng files whose interfaces differ in snaplen or link type;
     * Zeek's captures have those, so pcapng is read natively. */
    fp = fopen(path, "rb");
    if (fp == NULL) {
        snprintf(err, errlen, "%s", strerror(errno));
        return NULL;
    }
    if (fread(magic, 1, sizeof(magic), fp) == sizeof(magic) && memcmp(magic, "\x0a\x0d\x0d\x0a", 4) == 0) {
        rewind(fp);
        return open_pcapng(fp, err, errlen);
    }
    fclose(fp);
    p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, pcap_err);
    if (p == NULL) {
        if (strstr(pcap_err, "unknown file format") != NULL || strstr(pcap_err, "truncated") != NULL)
            snprintf(err, errlen, "not a pcap or pcapng capture (%s)", pcap_err);
        else
            snprintf(err, errlen, "%s", pcap_err);
        return NULL;
    }
    c = calloc(1, sizeof(*c));
    if (c == NULL) {
        pcap_close(p);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    c->pcap = p;
    c->link_type = pcap_datalink(p);
    return c;
}

enum capture_status capture_next(struct capture *c, struct capture_frame *frame)
{
    struct pcap_pkthdr *hdr;
    const u_char *data;
    int r;

    if (c->ng != NULL)
        return capture_pcapng_next(c->ng, frame);
    r = pcap_next_ex(c->pcap, &hdr, &data);
    if (r == 1) {
        /* Read at ns precision but kept to the µs, as Zeek (plain pcap_open_offline) sees it:
         * libpcap truncates, so a ns capture gives the same ts in both. */
        frame->ts = (pw_time)hdr->ts.tv_sec * PW_SEC + ((pw_time)hdr->ts.tv_usec / 1000) * 1000;
        frame->data = data;
        frame->caplen = hdr->caplen;
        frame->wirelen = hdr->len;
        frame->link_type = c->link_type;
        return CAPTURE_FRAME;
    }
    if (r == PCAP_ERROR_BREAK)
        return CAPTURE_END;
    snprintf(c->err, sizeof(c->err), "%s", pcap_geterr(c->pcap));
    if (strstr(c->err, "truncated") != NULL)
        return CAPTURE_TRUNCATED;
    return CAPTURE_ERROR;
}

const char *capture_error(const struct capture *c)
{
    if (c->ng != NULL)
        return capture_pcapng_error(c->ng);
    return c->err;
}

void capture_close(struct capture *c)
{
    if (c == NULL)
        return;
    if (c->ng != NULL)
        capture_pcapng_close(c->ng);
    else
        pcap_close(c->pcap);
    free(c);
}
