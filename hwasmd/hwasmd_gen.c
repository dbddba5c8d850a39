/*
 * hwasmd_gen.c — configuration generations, for reload without dropping a request: each
 * request pins the generation current when it starts, a reload loads the new one aside
 * (an error keeps the old one serving) and swaps it in; a replaced generation is freed
 * when its last request ends.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hwasmd.h"
#include "hwasmd_buf.h"
#include "hwasmd_metrics.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t reload_mu = PTHREAD_MUTEX_INITIALIZER; /* one reload at a time */
static struct hwd_config *current;
static hwd_loader loader;
static unsigned generation = 1;

void hwd_gen_init(struct hwd_config *first, hwd_loader load) {
    first->refs = 1; /* being current is a reference */
    current = first;
    hwd_access_log_use(first->access_log_path);
    loader = load;
}

struct hwd_config *hwd_gen_acquire(void) {
    pthread_mutex_lock(&mu);
    struct hwd_config *c = current;
    c->refs++;
    pthread_mutex_unlock(&mu);
    return c;
}

void hwd_gen_release(struct hwd_config *c) {
    pthread_mutex_lock(&mu);
    int last = --c->refs == 0;
    pthread_mutex_unlock(&mu);
    if (last) {
        hwd_config_free(c);
        free(c);
    }
}

static int same_str(const char *a, const char *b) {
    return a == b || (a && b && !strcmp(a, b));
}

int hwd_gen_reload(char *msg, size_t cap) {
    pthread_mutex_lock(&reload_mu);
    struct hwd_config *c = NULL;
    int rc = loader ? loader(&c, msg, cap) : -1;
    if (rc == 0) {
        c->refs = 1;
        hwd_access_log_reopen(); /* a reload after logrotate writes to the new file */
        hwd_access_log_use(c->access_log_path);
        pthread_mutex_lock(&mu);
        struct hwd_config *old = current;
        current = c;
        unsigned g = ++generation;
        pthread_mutex_unlock(&mu);
        /* sockets and threads stay as started: say so rather than pretend */
        int fixed = !same_str(old->listen, c->listen) || !same_str(old->admin, c->admin) || old->workers != c->workers;
        hwd_gen_release(old);
        snprintf(msg, cap, "hwasmd: reloaded %s (generation %u, %u middleware, %u routes)%s", c->path, g,
                 c->n_mws, c->n_routes, fixed ? "; listen, admin and workers keep their values until a restart" : "");
        hwd_msg_oneline(msg, cap); /* the path as given; a loader's own message is one line */
    }
    pthread_mutex_unlock(&reload_mu);
    return rc;
}
