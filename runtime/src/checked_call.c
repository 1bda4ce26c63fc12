/*===- checked_call.c - failed run-time checks of compiled code -----------===*
 *
 * Compiled models check at run time what compile time could not (sizes that
 * depend on the inputs). A failed check calls openopt_runtime_fail with a
 * message naming the node; it unwinds to the run that called the model, so
 * the caller gets an error instead of a dead process. Checks run on the
 * thread that called the model (the entry function's top level; only loops
 * inside one op run on OpenMP workers), so a thread-local target suffices.
 * Memory the run had allocated before the failure is the caller's to reclaim
 * (a model library's arena does; in the JIT it leaks).
 *===----------------------------------------------------------------------===*/
#include "code_support.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct active_run {
  jmp_buf target;
  char message[1024];
} active_run;

static __thread active_run *current_run;

void openopt_runtime_fail(const char *message) {
  active_run *run = current_run;
  if (!run) {
    /* A check outside a run (on a worker thread): no caller to tell. */
    fprintf(stderr, "openopt: run-time check failed: %s\n", message ? message : "");
    abort();
  }
  snprintf(run->message, sizeof(run->message), "%s", message ? message : "");
  longjmp(run->target, 1);
}

/* Apart from openopt_checked_call, so that nothing lives in the frame that
 * setjmp returns to twice. */
static __attribute__((noinline)) int guarded_call(void (*entry)(void **), void **args,
                                                   active_run *run) {
  if (setjmp(run->target) != 0)
    return 1;
  entry(args);
  return 0;
}

int openopt_checked_call(void (*entry)(void **), void **args, char *message,
                         size_t message_size) {
  active_run run;
  run.message[0] = '\0';
  active_run *previous = current_run;
  current_run = &run;
  int failed = guarded_call(entry, args, &run);
  current_run = previous;
  if (failed && message && message_size)
    snprintf(message, message_size, "%s", run.message);
  return failed;
}
