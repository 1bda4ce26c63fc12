/*===- error.c - status codes and error messages --------------------------===*/
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

openopt_status openopt_fail(openopt_error **error, openopt_status status, const char *format,
                            ...) {
  if (!error)
    return status;
  openopt_error *e = malloc(sizeof(openopt_error));
  *error = e;
  if (!e)
    return status;
  e->status = status;
  va_list args;
  va_start(args, format);
  vsnprintf(e->message, sizeof(e->message), format, args);
  va_end(args);
  return status;
}

const char *openopt_error_message(const openopt_error *error) {
  return error ? error->message : "no error";
}

openopt_status openopt_error_status(const openopt_error *error) {
  return error ? error->status : OPENOPT_OK;
}

void openopt_error_free(openopt_error *error) { free(error); }

const char *openopt_status_name(openopt_status status) {
  switch (status) {
  case OPENOPT_OK: return "ok";
  case OPENOPT_ERROR_NULL_ARGUMENT: return "null argument";
  case OPENOPT_ERROR_INVALID_ARGUMENT: return "invalid argument";
  case OPENOPT_ERROR_DTYPE: return "dtype mismatch";
  case OPENOPT_ERROR_SHAPE: return "shape mismatch";
  case OPENOPT_ERROR_BUFFER_TOO_SMALL: return "buffer too small";
  case OPENOPT_ERROR_LOAD: return "cannot load";
  case OPENOPT_ERROR_VERSION: return "version mismatch";
  case OPENOPT_ERROR_OUT_OF_MEMORY: return "out of memory";
  case OPENOPT_ERROR_RUN: return "run-time check failed";
  case OPENOPT_ERROR_NOT_FOUND: return "not found";
  case OPENOPT_ERROR_DEVICE: return "device error";
  }
  return "unknown status";
}

const char *openopt_dtype_name(openopt_dtype dtype) {
  switch (dtype) {
  case OPENOPT_F16: return "f16";
  case OPENOPT_BF16: return "bf16";
  case OPENOPT_F32: return "f32";
  case OPENOPT_F64: return "f64";
  case OPENOPT_I8: return "i8";
  case OPENOPT_I16: return "i16";
  case OPENOPT_I32: return "i32";
  case OPENOPT_I64: return "i64";
  case OPENOPT_U8: return "u8";
  case OPENOPT_U16: return "u16";
  case OPENOPT_U32: return "u32";
  case OPENOPT_U64: return "u64";
  case OPENOPT_BOOL: return "bool";
  }
  return "?";
}

size_t openopt_dtype_size(openopt_dtype dtype) {
  switch (dtype) {
  case OPENOPT_I8: case OPENOPT_U8: case OPENOPT_BOOL: return 1;
  case OPENOPT_F16: case OPENOPT_BF16: case OPENOPT_I16: case OPENOPT_U16: return 2;
  case OPENOPT_F32: case OPENOPT_I32: case OPENOPT_U32: return 4;
  case OPENOPT_F64: case OPENOPT_I64: case OPENOPT_U64: return 8;
  }
  return 0;
}

const char *openopt_runtime_version(void) { return OPENOPT_RUNTIME_VERSION; }

int32_t openopt_runtime_abi_version(void) { return OPENOPT_RUNTIME_ABI_VERSION; }
