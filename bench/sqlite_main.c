/*
 * sqlite_main.c — the large module for the compile-speed measurement: SQLite's
 * amalgamation (fetched by run-kernels, never kept in this repository) built for
 * wasm32-wasi with wasi-libc and its emulation libraries, plus this main, which runs a few
 * statements on an in-memory database so the module is a real, working program.
 */
#include <stdio.h>

#include "sqlite3.h"

static int print_row(void *unused, int ncol, char **values, char **names) {
    (void)unused;
    for (int i = 0; i < ncol; i++)
        printf("%s=%s%s", names[i], values[i] ? values[i] : "NULL", i + 1 < ncol ? " " : "\n");
    return 0;
}

int main(void) {
    sqlite3 *db;
    char *msg = NULL;
    if (sqlite3_open(":memory:", &db) != SQLITE_OK) return 1;
    int rc = sqlite3_exec(db,
                          "CREATE TABLE t(a INTEGER, b TEXT);"
                          "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000)"
                          " INSERT INTO t SELECT x, hex(x * x) FROM c;"
                          "SELECT count(*), sum(a), max(b) FROM t;",
                          print_row, NULL, &msg);
    if (rc != SQLITE_OK) fprintf(stderr, "sqlite: %s\n", msg);
    sqlite3_free(msg);
    sqlite3_close(db);
    return rc == SQLITE_OK ? 0 : 1;
}
