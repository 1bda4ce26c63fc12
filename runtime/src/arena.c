/*===- arena.c - the allocator of a model library's compiled code ---------===*
 *
 * Only in model libraries: they are linked with --wrap for malloc, calloc,
 * realloc and free, so that every allocation in the library (the compiled
 * code's buffers and the runtime's own) comes here. Blocks of 64 KiB and more
 * are kept for reuse by the arena that handed them out: the session's, on
 * the thread that runs it, or the library's shared one (OpenMP workers).
 *===----------------------------------------------------------------------===*/
#include "code_support.h"

#include <pthread.h>
#include <string.h>

void *__real_malloc(size_t bytes);
void __real_free(void *pointer);

/* Every block starts with this (32 bytes keep malloc's 16-byte alignment). */
typedef struct block {
  openopt_arena *owner; /* NULL: a small block, straight from malloc */
  size_t capacity;      /* usable bytes after the header */
  struct block *next;   /* while it waits in its arena's free list */
  size_t reserved;
} block;

struct openopt_arena {
  pthread_mutex_t lock;
  block *free_blocks;
  size_t cached;
};

enum {
  kPooledFrom = 64 << 10,
  kGranule = 64 << 10,
};
/* What one arena keeps at most in free blocks. */
static const size_t kArenaLimit = (size_t)1 << 30;

static openopt_arena shared_arena = {PTHREAD_MUTEX_INITIALIZER, NULL, 0};
static __thread openopt_arena *current_arena;

openopt_arena *openopt_arena_create(void) {
  block *b = __real_malloc(sizeof(block) + sizeof(openopt_arena));
  if (!b)
    return NULL;
  b->owner = NULL;
  b->capacity = sizeof(openopt_arena);
  openopt_arena *arena = (openopt_arena *)(b + 1);
  pthread_mutex_init(&arena->lock, NULL);
  arena->free_blocks = NULL;
  arena->cached = 0;
  return arena;
}

void openopt_arena_destroy(openopt_arena *arena) {
  if (!arena)
    return;
  for (block *b = arena->free_blocks; b;) {
    block *next = b->next;
    __real_free(b);
    b = next;
  }
  pthread_mutex_destroy(&arena->lock);
  __real_free((block *)arena - 1);
}

openopt_arena *openopt_arena_use(openopt_arena *arena) {
  openopt_arena *previous = current_arena;
  current_arena = arena;
  return previous;
}

void *__wrap_malloc(size_t bytes) {
  if (bytes > SIZE_MAX - sizeof(block) - kGranule)
    return NULL;
  if (bytes < kPooledFrom) {
    block *b = __real_malloc(sizeof(block) + bytes);
    if (!b)
      return NULL;
    b->owner = NULL;
    b->capacity = bytes;
    return b + 1;
  }
  size_t capacity = (bytes + kGranule - 1) / kGranule * kGranule;
  openopt_arena *arena = current_arena ? current_arena : &shared_arena;
  pthread_mutex_lock(&arena->lock);
  block **link = &arena->free_blocks;
  while (*link && (*link)->capacity != capacity)
    link = &(*link)->next;
  block *b = *link;
  if (b) {
    *link = b->next;
    arena->cached -= capacity;
  }
  pthread_mutex_unlock(&arena->lock);
  if (!b) {
    b = __real_malloc(sizeof(block) + capacity);
    if (!b)
      return NULL;
    b->capacity = capacity;
  }
  b->owner = arena;
  b->next = NULL;
  return b + 1;
}

void __wrap_free(void *pointer) {
  if (!pointer)
    return;
  block *b = (block *)pointer - 1;
  openopt_arena *arena = b->owner;
  if (arena) {
    pthread_mutex_lock(&arena->lock);
    if (arena->cached + b->capacity <= kArenaLimit) {
      b->next = arena->free_blocks;
      arena->free_blocks = b;
      arena->cached += b->capacity;
      b = NULL;
    }
    pthread_mutex_unlock(&arena->lock);
  }
  if (b)
    __real_free(b);
}

void *__wrap_calloc(size_t count, size_t size) {
  if (size && count > SIZE_MAX / size)
    return NULL;
  void *p = __wrap_malloc(count * size);
  if (p)
    memset(p, 0, count * size);
  return p;
}

void *__wrap_realloc(void *pointer, size_t bytes) {
  if (!pointer)
    return __wrap_malloc(bytes);
  if (bytes == 0) {
    __wrap_free(pointer);
    return NULL;
  }
  block *b = (block *)pointer - 1;
  if (b->capacity >= bytes)
    return pointer;
  void *grown = __wrap_malloc(bytes);
  if (!grown)
    return NULL;
  memcpy(grown, pointer, b->capacity);
  __wrap_free(pointer);
  return grown;
}
