/*===- library.c - the model library's face to the runtime ----------------===*
 *
 * Only in model libraries: openopt_model_library_v1() hands whichever runtime
 * opens the model (this library's own, or another library's copy) the
 * metadata and entry point the compiler wrote, and the functions that run
 * the code with this library's allocator and failure hook.
 *===----------------------------------------------------------------------===*/
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* dladdr */
#endif
#include "code_support.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Defined by the compiler's objects (see openopt/model_format.h). */
OPENOPT_HIDDEN extern const unsigned char __openopt_model_metadata[];
OPENOPT_HIDDEN extern const uint64_t __openopt_model_metadata_size;
OPENOPT_HIDDEN extern void __openopt_model_entry(void **args);
OPENOPT_HIDDEN extern const uint32_t __openopt_model_device;

/* cuda_model.c: the functions of a model compiled for the cuda target. */
OPENOPT_HIDDEN void openopt_cuda_fill_library(openopt_model_library *library);
OPENOPT_HIDDEN extern unsigned char __openopt_weights[];
OPENOPT_HIDDEN extern const uint64_t __openopt_weights_size;
OPENOPT_HIDDEN extern const uint64_t __openopt_weights_id;
OPENOPT_HIDDEN extern const char __openopt_weights_file[];

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
  /* The run unwound past the code's frees: what it had allocated goes back. */
  if (failed)
    openopt_arena_reclaim(arena);
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

/* The weights file (NAME.weights beside the library) mapped onto the
 * region the code reads them from: private, read-only, demand-paged and
 * shared with other processes through the page cache. */
static pthread_mutex_t weights_lock = PTHREAD_MUTEX_INITIALIZER;
static int weights_mapped;

static int map_weights(char *message, size_t size) {
  Dl_info self;
  if (!dladdr((const void *)&__openopt_weights_size, &self) || !self.dli_fname) {
    snprintf(message, size, "cannot tell where the library is, to find %s", __openopt_weights_file);
    return 1;
  }
  char path[4096];
  const char *slash = strrchr(self.dli_fname, '/');
  int dir = slash ? (int)(slash - self.dli_fname) : 1;
  snprintf(path, sizeof(path), "%.*s/%s", dir, slash ? self.dli_fname : ".", __openopt_weights_file);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    snprintf(message, size, "cannot open its weights file '%s': %s", path, strerror(errno));
    return 1;
  }
  unsigned char header[24];
  struct stat status;
  uint64_t id = 0, bytes = 0;
  int failed = 0;
  if (fstat(fd, &status) != 0 || pread(fd, header, sizeof(header), 0) != (ssize_t)sizeof(header) ||
      memcmp(header, OPENOPT_WEIGHTS_MAGIC, 8) != 0) {
    snprintf(message, size, "'%s' is not a weights file", path);
    failed = 1;
  }
  if (!failed) {
    memcpy(&id, header + 8, 8);
    memcpy(&bytes, header + 16, 8);
    if (id != __openopt_weights_id) {
      snprintf(message, size,
               "'%s' holds the weights of another compile (id %016llx, the library's is %016llx)",
               path, (unsigned long long)id, (unsigned long long)__openopt_weights_id);
      failed = 1;
    } else if (bytes != __openopt_weights_size ||
               (uint64_t)status.st_size < OPENOPT_WEIGHTS_HEADER_BYTES + bytes) {
      snprintf(message, size, "'%s' is cut short or damaged (%lld bytes; %llu expected)", path,
               (long long)status.st_size,
               (unsigned long long)(OPENOPT_WEIGHTS_HEADER_BYTES + __openopt_weights_size));
      failed = 1;
    }
  }
  if (!failed && mmap(__openopt_weights, bytes, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd,
                      OPENOPT_WEIGHTS_HEADER_BYTES) == MAP_FAILED) {
    snprintf(message, size, "cannot map '%s': %s", path, strerror(errno));
    failed = 1;
  }
  close(fd);
  return failed;
}

static int prepare(const openopt_model_library *self, char *message, size_t size) {
  (void)self;
  if (__openopt_weights_size == 0)
    return 0;
  pthread_mutex_lock(&weights_lock);
  int failed = weights_mapped ? 0 : map_weights(message, size);
  weights_mapped = !failed;
  pthread_mutex_unlock(&weights_lock);
  return failed;
}

static openopt_model_library library;
static pthread_once_t library_once = PTHREAD_ONCE_INIT;

/* Filled at first use: a static initializer cannot read the metadata's
 * size, which another object defines. */
static void fill_library(void) {
  library.magic = OPENOPT_LIBRARY_MAGIC;
  library.abi_version = OPENOPT_RUNTIME_ABI_VERSION;
  library.size = sizeof(library);
  library.metadata = __openopt_model_metadata;
  library.metadata_size = __openopt_model_metadata_size;
  library.entry = __openopt_model_entry;
  library.call = call_model;
  library.arena_create = arena_create;
  library.arena_destroy = arena_destroy;
  library.release = release;
  library.prepare = prepare;
  if (__openopt_model_device == OPENOPT_DEVICE_CUDA)
    openopt_cuda_fill_library(&library);
}

OPENOPT_API const openopt_model_library *openopt_model_library_v1(void) {
  pthread_once(&library_once, fill_library);
  return &library;
}
