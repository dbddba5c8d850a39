/* scribble_big.c — scribble.c with a linear memory of over 256 KiB (a 320 KiB array): its
 * reset snapshot is a copy-on-write view of a file (runtime/http/http_snapshot.c), not a
 * copy, and a freed one is rewound, never wiped in place (runtime/core/rt_spare.c). */
#define SCRIBBLE_BALLAST (320u << 10)
#include "scribble.c"
