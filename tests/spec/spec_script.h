/*
 * spec_script.h — runs the commands of one wast2json script against libhwasm, in order,
 * counting each one passed, failed or skipped in a spec_result.
 */
#ifndef SPEC_SCRIPT_H
#define SPEC_SCRIPT_H

#include "spec_compile.h"
#include "spec_json.h"
#include "spec_result.h"

/* The kind of one command object, or -1 for a type this runner does not know. */
int spec_command_kind(const json_value *cmd);

/* The file named by a command that carries a binary module (module, assert_invalid,
 * binary assert_malformed, assert_unlinkable, assert_uninstantiable), or NULL. */
const char *spec_command_binary(const json_value *cmd);

/* Runs commands (the JSON "commands" array) in order. jobs holds the compiled form of
 * every file spec_command_binary names. Each command runs under alarm(timeout_seconds):
 * a hung guest ends the process with SIGALRM, which the caller reports. */
void spec_script_run(const json_value *commands, const compile_job *jobs, size_t num_jobs,
                     unsigned timeout_seconds, spec_result *r);

#endif /* SPEC_SCRIPT_H */
