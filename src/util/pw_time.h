/* util/pw_time.h - packet time: signed nanoseconds since the epoch. */
#ifndef PW_UTIL_TIME_H
#define PW_UTIL_TIME_H

#include <stdint.h>

typedef int64_t pw_time;   /* ns since 1970; also used for intervals */

#define PW_USEC  ((pw_time)1000)
#define PW_MSEC  ((pw_time)1000000)
#define PW_SEC   ((pw_time)1000000000)

#endif
