/*===- library.c - the model library's face to the runtime ----------------===*
 *
 * Only in model libraries: openopt_model_library_v1() hands whichever runtime
 * opens the model (this library's own, or another library's copy) the
 * metadata and entry point the compiler wrote, and the functions that run
 * the code with this library's allocator and failure hook.
 *===----------------------------------------------------------------------===*/
#include "code_support.h"

/* Defined by the compiler's objects (see openopt/model_format.h). */
OPENOPT_HIDDEN extern const unsigned char __openopt_model_metadata[];
OPENOPT_HIDDEN extern const uint64_t __openopt_model_metadata_size;
OPENOPT_HIDDEN extern void __openopt_model_entry(void **args);

/* The compiled code's parallel regions run at most this many threads. */
static __thread int32_t thread_budget = 0;

OPENOPT_HIDDEN int32_t openopt_thread_budget(void) { return thread_budget; }

static int call_model(const openopt_model_library *self, void (*entry)(void **), void **args,
                      openopt_arena *arena, int32_t threads, char *message, size_t message_size) {
  (void)self;
  openopt_arena *previous_arena = openopt_arena_use(arena);
  int32_t previous_budget = thread_budget;
  thread_budget = threads;
  int failed = openopt_checked_call(entry, args, message, message_size);
  thread_budget = previous_budget;
  openopt_arena_use(previous_arena);
  return failed;
}

static openopt_arena *arena_create(const openopt_model_library *self) {
  (void)self;
  return openopt_arena_create();
}

static void arena_destroy(const openopt_model_library *self, openopt_arena *arena) {
  (void)self;
  openopt_arena_destroy(arena);
}

static void release(const openopt_model_library *self, void *buffer) {
  (void)self;
  __wrap_free(buffer);
}

static openopt_model_library library;
static pthread_once_t library_once = PTHREAD_ONCE_INIT;

/* Filled at first use: a static initializer cannot read the metadata's
 * size, which another object defines. */
static void fill_library(void) {
  library.magic = OPENOPT_LIBRARY_MAGIC;
  library.abi_version = OPENOPT_RUNTIME_ABI_VERSION;
  library.metadata = __openopt_model_metadata;
  library.metadata_size = __openopt_model_metadata_size;
  library.entry = __openopt_model_entry;
  library.call = call_model;
  library.arena_create = arena_create;
  library.arena_destroy = arena_destroy;
  library.release = release;
}

OPENOPT_API const openopt_model_library *openopt_model_library_v1(void) {
  pthread_once(&library_once, fill_library);
  return &library;
}
