/* fuzz/fuzz_capture.c - libFuzzer target: the capture file readers (mapped pcap, pcapng) on any bytes, every frame checked against the buffer it came from. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/capture_int.h"
#include "sniff/sniff_hash.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Each frame's bytes are read through (the sniff -r owner hash, as a worker would) so a frame
 * reaching past what the reader was given shows under ASan. */
static void consume(const struct capture_frame *f)
{
    static struct sniff_hash hash;
    static int hash_ready;
    uint8_t sum = 0;

    if (!hash_ready) {
        sniff_hash_init(&hash);
        hash_ready = 1;
    }
    for (uint32_t i = 0; i < f->caplen; i++)
        sum ^= f->data[i];
    __asm__ volatile("" : : "r"(sum));   /* the loop stays: every byte is read */
    (void)sniff_hash_frame(&hash, f->link_type, f->data, f->caplen);
}

static void read_pcap(const uint8_t *data, size_t size)
{
    struct capture_frame f;
    struct capture_pcap *p;
    uint8_t *copy;
    char err[256];

    if (!capture_pcap_native(data, size))
        return;
    /* An exact-size copy: a read one byte past the mapping's end is caught. */
    copy = malloc(size);
    if (copy == NULL)
        return;
    memcpy(copy, data, size);
    p = capture_pcap_open(copy, size, err, sizeof(err));
    if (p != NULL) {
        while (capture_pcap_next(p, &f) == CAPTURE_FRAME)
            consume(&f);
        capture_pcap_close(p);
    }
    free(copy);
}

static void drain_pcapng(struct capture_pcapng *ng)
{
    struct capture_frame f;

    while (capture_pcapng_next(ng, &f) == CAPTURE_FRAME)
        consume(&f);
    capture_pcapng_close(ng);
}

/* In place, as a mapped file is read: an exact-size copy, so a read past its end is caught. */
static void read_pcapng_mem(const uint8_t *data, size_t size)
{
    struct capture_pcapng *ng;
    uint8_t *copy;
    char err[256];

    copy = malloc(size);
    if (copy == NULL)
        return;
    memcpy(copy, data, size);
    ng = capture_pcapng_open_mem(copy, size, err, sizeof(err));
    if (ng != NULL)
        drain_pcapng(ng);
    free(copy);
}

static void read_pcapng(const uint8_t *data, size_t size)
{
    struct capture_pcapng *ng;
    char err[256];
    FILE *fp;

    if (size == 0)
        return;
    read_pcapng_mem(data, size);
    fp = fmemopen((void *)(uintptr_t)data, size, "rb");
    if (fp == NULL)
        return;
    ng = capture_pcapng_open(fp, err, sizeof(err));
    if (ng != NULL)
        drain_pcapng(ng);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    read_pcap(data, size);
    read_pcapng(data, size);
    return 0;
}
