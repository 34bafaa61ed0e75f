/* util/io.h - writing a whole buffer to a descriptor, across short writes and signals. */
#ifndef PW_UTIL_IO_H
#define PW_UTIL_IO_H

#include <stddef.h>

/* Writes all n bytes (retrying on EINTR and short writes); 0, or -1 with errno set. */
int io_write_all(int fd, const void *buf, size_t n);

#endif
