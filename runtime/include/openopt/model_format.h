/*===- openopt/model_format.h - what a compiled library carries -----------===*
 *
 * The contract between the compiler, which writes a model library, and the
 * runtime, which reads it. Not for applications (they use runtime.h); kept
 * apart so that the compiler can include it without the runtime's code.
 *
 * A model library defines `openopt_model_library_v1()` (and NAME_openopt_library,
 * another name for it), which returns the struct below. The struct begins
 * with a magic number and the ABI version, which every runtime reads first.
 *
 * Its metadata is a byte string, little-endian:
 *   "OOPTMETA"                          8 bytes
 *   u32 version                         OPENOPT_RUNTIME_ABI_VERSION
 *   str model name, str compiler version, str target
 *   u32 threads                         the thread count it was compiled for
 *   u32 flags                           OPENOPT_META_RETURNS_OUTPUTS
 *   u32 input count,  tensor...
 *   u32 output count, tensor...
 * where a str is a u32 byte count and the bytes (no NUL), and a tensor is
 *   str name, u32 dtype (openopt_dtype), u32 rank, i64 dim[rank] (-1: known
 *   at run time), str dim name[rank] ("" for none), str kind ("" for a
 *   tensor; the part of a sequence or optional value it is otherwise, e.g.
 *   "sequence.values").
 *===----------------------------------------------------------------------===*/
#ifndef OPENOPT_MODEL_FORMAT_H
#define OPENOPT_MODEL_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* "OOPTLIB1" read as a little-endian u64. */
#define OPENOPT_LIBRARY_MAGIC 0x3142494c54504f4fULL
#define OPENOPT_METADATA_MAGIC "OOPTMETA"
/* All outputs come back as buffers the compiled code allocated (some output's
 * shape is known only at run time); otherwise the caller's buffers are
 * passed in and written. */
#define OPENOPT_META_RETURNS_OUTPUTS 1u

/* The symbols a compiled library's objects define for the runtime inside it. */
#define OPENOPT_LIBRARY_SYMBOL "openopt_model_library_v1"
#define OPENOPT_METADATA_SYMBOL "__openopt_model_metadata"
#define OPENOPT_METADATA_SIZE_SYMBOL "__openopt_model_metadata_size"
#define OPENOPT_ENTRY_SYMBOL "__openopt_model_entry"
/* A u32: where the compiled code runs (OPENOPT_DEVICE_CPU or _CUDA). */
#define OPENOPT_DEVICE_SYMBOL "__openopt_model_device"
/* A NUL-terminated text: a line "NAME FLOPS BYTES" per GPU kernel (-1:
 * unknown); empty for a CPU model. */
#define OPENOPT_KERNEL_COSTS_SYMBOL "__openopt_kernel_costs"
#define OPENOPT_DEVICE_CPU 0u
/* The entry function takes device buffers; its host code calls the mgpu*
 * functions of MLIR's GPU lowering, which the runtime defines over the CUDA
 * driver (loaded at run time). */
#define OPENOPT_DEVICE_CUDA 1u
/* The weights kept in a file beside the library (NAME.weights): the region
 * they are mapped onto (zero-filled in the library, page aligned), its size
 * (0: the weights are inside the library), the file's name and its id. */
#define OPENOPT_WEIGHTS_SYMBOL "__openopt_weights"
#define OPENOPT_WEIGHTS_SIZE_SYMBOL "__openopt_weights_size"
#define OPENOPT_WEIGHTS_FILE_SYMBOL "__openopt_weights_file"
#define OPENOPT_WEIGHTS_ID_SYMBOL "__openopt_weights_id"
/* A weights file: this header (magic, u64 id, u64 size; zeros to 64 KiB,
 * so that the data maps on systems with 64 KiB pages too), then the
 * region's bytes. The region is a whole number of 64 KiB pages, so that
 * mapping the file onto it replaces nothing else. */
#define OPENOPT_WEIGHTS_MAGIC "OOPTWGT1"
#define OPENOPT_WEIGHTS_HEADER_BYTES 65536
#define OPENOPT_WEIGHTS_PAGE 65536

typedef struct openopt_arena openopt_arena;
struct openopt_kernel_time;

/* Layout fixed for one ABI version; magic and abi_version lead in all. Each
 * function gets the struct it came from (`self`): a library made in memory
 * (the compiler's JIT) keeps its state beside it. */
struct openopt_model_library {
  uint64_t magic;
  uint32_t abi_version;
  /* sizeof(struct openopt_model_library) as the library was built: fields
   * are only ever added at the end within an ABI version, and a runtime
   * uses those the library has. */
  uint32_t size;
  const unsigned char *metadata;
  uint64_t metadata_size;
  /* The compiled model: memref descriptors packed as void ** (one pointer
   * per descriptor field; the returned descriptors through the last). */
  void (*entry)(void **args);
  /* Calls entry(args) in the library's own runtime: its allocator drawing on
   * `arena`, at most `threads` threads, its run-time check failures caught.
   * Returns 0, or 1 with the failed check's message in `message`, or 2 with
   * why the device failed (no GPU or driver, out of device memory...). */
  int (*call)(const struct openopt_model_library *self, void (*entry)(void **), void **args,
              openopt_arena *arena, int32_t threads, char *message, size_t message_size);
  /* Buffers for the compiled code (and what it returned) from that allocator. */
  openopt_arena *(*arena_create)(const struct openopt_model_library *self);
  void (*arena_destroy)(const struct openopt_model_library *self, openopt_arena *arena);
  void (*release)(const struct openopt_model_library *self, void *buffer);
  /* Readies the code to run once per process (maps the weights file of a
   * library whose weights are beside it); 0, or 1 with why not in
   * `message`. Called when the model is opened. */
  int (*prepare)(const struct openopt_model_library *self, char *message, size_t message_size);
  /* Added with the cuda target (a library whose `size` ends before them has
   * none; NULL in a CPU model's): kernel timing of the session whose arena
   * is `arena` (openopt_session_set_profiling, _kernel_times). */
  void (*set_profiling)(const struct openopt_model_library *self, openopt_arena *arena,
                        int enabled);
  size_t (*kernel_times)(const struct openopt_model_library *self, openopt_arena *arena,
                         struct openopt_kernel_time *times, size_t capacity);
};

#ifdef __cplusplus
}
#endif

#endif /* OPENOPT_MODEL_FORMAT_H */
