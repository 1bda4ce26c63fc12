/*===- code_support.h - what a model library's code calls ---------------===*/
#ifndef OPENOPT_RUNTIME_CODE_SUPPORT_H
#define OPENOPT_RUNTIME_CODE_SUPPORT_H

#include "internal.h"

OPENOPT_HIDDEN openopt_arena *openopt_arena_create(void);
OPENOPT_HIDDEN void openopt_arena_destroy(openopt_arena *arena);
/* Makes `arena` the one this thread's allocations draw on; returns the last. */
OPENOPT_HIDDEN openopt_arena *openopt_arena_use(openopt_arena *arena);
OPENOPT_HIDDEN void __wrap_free(void *pointer);

/* The compiled code's failure hook: unwinds to openopt_checked_call. */
OPENOPT_HIDDEN __attribute__((noreturn)) void openopt_runtime_fail(const char *message);

/* Calls entry(args), catching the compiled code's failed run-time checks
 * (openopt_runtime_fail); 0, or 1 with the check's message. */
OPENOPT_HIDDEN int openopt_checked_call(void (*entry)(void **), void **args, char *message,
                                        size_t message_size);

#endif
