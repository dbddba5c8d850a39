/*
 * rt_sig.c — canonical signature ids: one process-wide intern table, so equal function
 * types get equal ids in every module and call_indirect through shared tables checks types
 * with one integer compare. Ids start at 1 so a zeroed funcref never matches.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "rt_internal.h"

typedef struct sig {
    uint32_t num_params, num_results;
    uint8_t *types; /* params then results */
} sig;

static pthread_mutex_t sig_lock = PTHREAD_MUTEX_INITIALIZER;
static sig *sigs; /* sigs[id - 1] */
static uint32_t num_sigs, cap_sigs;

/* A linear scan: modules have few distinct types and interning happens at load time only. */
uint32_t hw_sig_intern(const uint8_t *params, uint32_t num_params, const uint8_t *results,
                       uint32_t num_results) {
    uint32_t id = 0;
    pthread_mutex_lock(&sig_lock);
    for (uint32_t i = 0; i < num_sigs && !id; i++) {
        const sig *s = &sigs[i];
        if (s->num_params == num_params && s->num_results == num_results &&
            (!num_params || !memcmp(s->types, params, num_params)) &&
            (!num_results || !memcmp(s->types + num_params, results, num_results)))
            id = i + 1;
    }
    if (!id) {
        uint8_t *types = malloc(num_params + num_results + 1u);
        if (num_sigs == cap_sigs) {
            uint32_t cap = cap_sigs ? cap_sigs * 2 : 64;
            sig *grown = realloc(sigs, cap * sizeof *grown);
            if (grown) sigs = grown, cap_sigs = cap;
        }
        /* Out of memory: 0 matches no interned id, so linking and call_indirect fail safely. */
        if (types && num_sigs < cap_sigs) {
            if (num_params) memcpy(types, params, num_params);
            if (num_results) memcpy(types + num_params, results, num_results);
            sigs[num_sigs++] = (sig){num_params, num_results, types};
            id = num_sigs;
        } else {
            free(types);
        }
    }
    pthread_mutex_unlock(&sig_lock);
    return id;
}
