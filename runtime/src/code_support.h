/*===- code_support.h - a model library's allocator ---------------===*/
#ifndef OPENOPT_RUNTIME_CODE_SUPPORT_H
#define OPENOPT_RUNTIME_CODE_SUPPORT_H

#include "internal.h"
#include "openopt/code_support.h"

OPENOPT_HIDDEN openopt_arena *openopt_arena_create(void);
OPENOPT_HIDDEN void openopt_arena_destroy(openopt_arena *arena);
/* Frees every block the arena handed out that is not freed yet (what a run
 * that failed a run-time check had allocated). */
OPENOPT_HIDDEN void openopt_arena_reclaim(openopt_arena *arena);
/* Makes `arena` the one this thread's allocations draw on; returns the last. */
OPENOPT_HIDDEN openopt_arena *openopt_arena_use(openopt_arena *arena);
OPENOPT_HIDDEN void __wrap_free(void *pointer);


#endif
