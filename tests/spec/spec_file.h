/*
 * spec_file.h — everything that happens to one .wast file: wast2json, counting its
 * commands, compiling its modules and running its commands. Runs in a child process of
 * the runner, writing into a spec_result the parent can read even after a crash.
 */
#ifndef SPEC_FILE_H
#define SPEC_FILE_H

#include <limits.h>

#include "spec_result.h"

typedef struct spec_options {
    const char *spec_dir;
    const char *hwasmc;
    char **hwasmc_flags;       /* extra arguments for every hwasmc run */
    int num_hwasmc_flags;
    const char *wast2json;
    char json_dir[PATH_MAX];   /* wast2json output, one folder per .wast */
    char cache_dir[PATH_MAX];  /* compiled modules */
    char hwasmc_identity[PATH_MAX + 64];
    int dry_run;               /* only run wast2json and count the commands */
    int parallel;              /* hwasmc processes at once */
    unsigned timeout;          /* seconds per command */
} spec_options;

/* Runs the file named wast_name (in o->spec_dir) and fills r (zeroed by the caller). */
void spec_file_run(const spec_options *o, const char *wast_name, spec_result *r);

#endif /* SPEC_FILE_H */
