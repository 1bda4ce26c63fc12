/*===- arena.c - the allocator of a model library's compiled code ---------===*
 *
 * Only in model libraries: they are linked with --wrap for malloc, calloc,
 * realloc and free, so that every allocation in the library (the compiled
 * code's buffers and the runtime's own) comes here. Each comes from an
 * arena: the session's, on the thread that runs it, or the library's shared
 * one (OpenMP workers, and the runtime outside runs). Blocks of 64 KiB and
 * more are kept by their arena for reuse.
 *===----------------------------------------------------------------------===*/
#include "code_support.h"

#include <pthread.h>
#include <string.h>

void *__real_malloc(size_t bytes);
void __real_free(void *pointer);

/* Every block starts with this (32 bytes keep malloc's 16-byte alignment). */
typedef struct block {
  openopt_arena *owner; /* the arena that handed it out */
  size_t capacity;      /* usable bytes after the header */
  struct block *next;   /* in the owner's live list, or its free list */
  struct block *prev;   /* in the live list */
} block;

/* The blocks an arena handed out and not yet freed are on its live list: a
 * run that fails a run-time check unwinds without freeing what it had
 * allocated, and the arena then frees all of it (openopt_arena_reclaim). */
struct openopt_arena {
  pthread_mutex_t lock;
  block live; /* the live list's sentinel */
  block *free_blocks;
  size_t cached;
};

enum {
  kPooledFrom = 64 << 10,
  kGranule = 64 << 10,
};
/* What one arena keeps at most in free blocks. */
static const size_t kArenaLimit = (size_t)1 << 30;

static openopt_arena shared_arena = {PTHREAD_MUTEX_INITIALIZER,
                                     {NULL, 0, &shared_arena.live, &shared_arena.live}, NULL, 0};
static __thread openopt_arena *current_arena;

static void link_live(openopt_arena *arena, block *b) {
  b->owner = arena;
  b->next = arena->live.next;
  b->prev = &arena->live;
  arena->live.next->prev = b;
  arena->live.next = b;
}

static void unlink_live(block *b) {
  b->prev->next = b->next;
  b->next->prev = b->prev;
}

openopt_arena *openopt_arena_create(void) {
  /* The arena's own memory comes from the system, not from an arena. */
  openopt_arena *arena = __real_malloc(sizeof(openopt_arena));
  if (!arena)
    return NULL;
  pthread_mutex_init(&arena->lock, NULL);
  arena->live.next = arena->live.prev = &arena->live;
  arena->free_blocks = NULL;
  arena->cached = 0;
  return arena;
}

void openopt_arena_reclaim(openopt_arena *arena) {
  pthread_mutex_lock(&arena->lock);
  while (arena->live.next != &arena->live) {
    block *b = arena->live.next;
    unlink_live(b);
    __real_free(b);
  }
  pthread_mutex_unlock(&arena->lock);
}

void openopt_arena_destroy(openopt_arena *arena) {
  if (!arena)
    return;
  openopt_arena_reclaim(arena);
  for (block *b = arena->free_blocks; b;) {
    block *next = b->next;
    __real_free(b);
    b = next;
  }
  pthread_mutex_destroy(&arena->lock);
  __real_free(arena);
}

openopt_arena *openopt_arena_use(openopt_arena *arena) {
  openopt_arena *previous = current_arena;
  current_arena = arena;
  return previous;
}

void *__wrap_malloc(size_t bytes) {
  if (bytes > SIZE_MAX - sizeof(block) - kGranule)
    return NULL;
  openopt_arena *arena = current_arena ? current_arena : &shared_arena;
  /* Small blocks are malloc's business (it keeps them in its own arenas);
   * large ones are kept here for reuse, in sizes of whole granules. */
  size_t capacity = bytes < kPooledFrom ? bytes : (bytes + kGranule - 1) / kGranule * kGranule;
  block *b = NULL;
  pthread_mutex_lock(&arena->lock);
  if (capacity >= kPooledFrom) {
    block **link = &arena->free_blocks;
    while (*link && (*link)->capacity != capacity)
      link = &(*link)->next;
    b = *link;
    if (b) {
      *link = b->next;
      arena->cached -= capacity;
    }
  }
  if (b)
    link_live(arena, b);
  pthread_mutex_unlock(&arena->lock);
  if (b)
    return b + 1;
  b = __real_malloc(sizeof(block) + capacity);
  if (!b)
    return NULL;
  b->capacity = capacity;
  pthread_mutex_lock(&arena->lock);
  link_live(arena, b);
  pthread_mutex_unlock(&arena->lock);
  return b + 1;
}

void __wrap_free(void *pointer) {
  if (!pointer)
    return;
  block *b = (block *)pointer - 1;
  openopt_arena *arena = b->owner;
  pthread_mutex_lock(&arena->lock);
  unlink_live(b);
  if (b->capacity >= kPooledFrom && arena->cached + b->capacity <= kArenaLimit) {
    b->next = arena->free_blocks;
    arena->free_blocks = b;
    arena->cached += b->capacity;
    b = NULL;
  }
  pthread_mutex_unlock(&arena->lock);
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
