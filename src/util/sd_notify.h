/* util/sd_notify.h - tells systemd how a Type=notify service is doing (READY=1, RELOADING=1,
 * STOPPING=1) over $NOTIFY_SOCKET, without libsystemd. */
#ifndef PW_UTIL_SD_NOTIFY_H
#define PW_UTIL_SD_NOTIFY_H

/* Sends state (e.g. "READY=1") to $NOTIFY_SOCKET. Returns 1 sent, 0 not under systemd (no
 * socket named), -1 on an error (the service goes on: a status message is not worth failing for). */
int sd_notify_send(const char *state);

/* "RELOADING=1" with the MONOTONIC_USEC= systemd 253+ wants beside it (Type=notify-reload). */
int sd_notify_reloading(void);

#endif
