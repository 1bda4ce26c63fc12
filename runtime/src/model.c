/*===- model.c - open a compiled library and describe its model -----------===*/
#include "internal.h"

#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Checks what every runtime can read of a library (magic, ABI version)
 * before anything else of it is touched. */
static openopt_status check_library(const openopt_model_library *library, const char *where,
                                    openopt_error **error) {
  if (!library)
    return openopt_fail(error, OPENOPT_ERROR_LOAD, "%s gave no model (its %s returned NULL)", where,
                        OPENOPT_LIBRARY_SYMBOL);
  if (library->magic != OPENOPT_LIBRARY_MAGIC)
    return openopt_fail(error, OPENOPT_ERROR_LOAD,
                        "%s is not an OpenOptimizer model library (its %s has the wrong magic "
                        "number)",
                        where, OPENOPT_LIBRARY_SYMBOL);
  if (library->abi_version != OPENOPT_RUNTIME_ABI_VERSION)
    return openopt_fail(error, OPENOPT_ERROR_VERSION,
                        "%s was compiled for runtime ABI version %u; this runtime (%s) runs "
                        "version %d: recompile the model with a matching openopt",
                        where, library->abi_version, OPENOPT_RUNTIME_VERSION,
                        OPENOPT_RUNTIME_ABI_VERSION);
  if (library->size < offsetof(openopt_model_library, prepare) + sizeof(library->prepare) ||
      !library->entry || !library->call || !library->arena_create || !library->arena_destroy ||
      !library->release || !library->prepare)
    return openopt_fail(error, OPENOPT_ERROR_LOAD, "%s lacks some of its entry points", where);
  return OPENOPT_OK;
}

static openopt_status open_library(const openopt_model_library *library, void *handle,
                                   const char *where, openopt_model **out,
                                   openopt_error **error) {
  openopt_status status = check_library(library, where, error);
  if (status != OPENOPT_OK)
    return status;
  char why[1024];
  if (library->prepare(library, why, sizeof(why)) != 0)
    return openopt_fail(error, OPENOPT_ERROR_LOAD, "%s: %s", where, why);
  openopt_model *model = calloc(1, sizeof(openopt_model));
  if (!model)
    return openopt_fail(error, OPENOPT_ERROR_OUT_OF_MEMORY, "out of memory opening %s", where);
  model->library = library;
  status = openopt_read_metadata(model, library->metadata, library->metadata_size, error);
  if (status != OPENOPT_OK) {
    free(model);
    return status;
  }
  model->handle = handle;
  *out = model;
  return OPENOPT_OK;
}

openopt_status openopt_model_open(const char *path, openopt_model **model,
                                  openopt_error **error) {
  if (model)
    *model = NULL;
  if (!path)
    return openopt_fail(error, OPENOPT_ERROR_NULL_ARGUMENT, "openopt_model_open: path is NULL");
  if (!model)
    return openopt_fail(error, OPENOPT_ERROR_NULL_ARGUMENT,
                        "openopt_model_open: the model out-pointer is NULL");
  /* A bare name is the loader's to find (in the system's directories). */
  if (strchr(path, '/')) {
    openopt_status checked = openopt_check_library_file(path, error);
    if (checked != OPENOPT_OK)
      return checked;
  }
  /* RTLD_LOCAL: each library's own copy of the runtime serves its model. */
  void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char *why = dlerror();
    return openopt_fail(error, OPENOPT_ERROR_LOAD, "cannot load '%s': %s", path,
                        why ? why : "unknown reason");
  }
  typedef const openopt_model_library *(*library_fn)(void);
  library_fn get = (library_fn)dlsym(handle, OPENOPT_LIBRARY_SYMBOL);
  if (!get) {
    dlclose(handle);
    return openopt_fail(error, OPENOPT_ERROR_LOAD,
                        "'%s' is not an OpenOptimizer model library (it has no %s symbol)", path,
                        OPENOPT_LIBRARY_SYMBOL);
  }
  char where[512];
  snprintf(where, sizeof(where), "'%s'", path);
  openopt_status status = open_library(get(), handle, where, model, error);
  if (status != OPENOPT_OK)
    dlclose(handle);
  return status;
}

openopt_status openopt_model_open_linked(const openopt_model_library *library,
                                         openopt_model **model, openopt_error **error) {
  if (model)
    *model = NULL;
  if (!library)
    return openopt_fail(error, OPENOPT_ERROR_NULL_ARGUMENT,
                        "openopt_model_open_linked: library is NULL");
  if (!model)
    return openopt_fail(error, OPENOPT_ERROR_NULL_ARGUMENT,
                        "openopt_model_open_linked: the model out-pointer is NULL");
  return open_library(library, NULL, "the linked model library", model, error);
}

void openopt_model_close(openopt_model *model) {
  if (!model)
    return;
  void *handle = model->handle;
  openopt_free_metadata(model);
  free(model);
  if (handle)
    dlclose(handle);
}

const char *openopt_model_name(const openopt_model *model) { return model ? model->name : ""; }

const char *openopt_model_compiler_version(const openopt_model *model) {
  return model ? model->compiler_version : "";
}

const char *openopt_model_target(const openopt_model *model) {
  return model ? model->target : "";
}

int32_t openopt_model_threads(const openopt_model *model) { return model ? model->threads : 0; }

size_t openopt_model_input_count(const openopt_model *model) {
  return model ? model->num_inputs : 0;
}

size_t openopt_model_output_count(const openopt_model *model) {
  return model ? model->num_outputs : 0;
}

static openopt_status tensor_info(const openopt_model *model, size_t index,
                                  openopt_tensor_info *info, openopt_error **error, bool input) {
  const char *what = input ? "input" : "output";
  if (!model || !info)
    return openopt_fail(error, OPENOPT_ERROR_NULL_ARGUMENT, "openopt_model_%s_info: %s is NULL",
                        what, model ? "info" : "model");
  size_t count = input ? model->num_inputs : model->num_outputs;
  if (index >= count)
    return openopt_fail(error, OPENOPT_ERROR_INVALID_ARGUMENT,
                        "%s index %zu is out of range: the model has %zu %ss", what, index,
                        count, what);
  const openopt_tensor_spec *spec = input ? &model->inputs[index] : &model->outputs[index];
  memset(info, 0, sizeof(*info));
  info->name = spec->name;
  info->dtype = spec->dtype;
  info->rank = spec->rank;
  for (int32_t d = 0; d < spec->rank; ++d) {
    info->shape[d] = spec->shape[d];
    info->dim_names[d] = spec->dim_names[d] ? spec->dim_names[d] : "";
  }
  info->kind = spec->kind ? spec->kind : "";
  return OPENOPT_OK;
}

openopt_status openopt_model_input_info(const openopt_model *model, size_t index,
                                        openopt_tensor_info *info, openopt_error **error) {
  return tensor_info(model, index, info, error, true);
}

openopt_status openopt_model_output_info(const openopt_model *model, size_t index,
                                         openopt_tensor_info *info, openopt_error **error) {
  return tensor_info(model, index, info, error, false);
}

static openopt_status find(const openopt_model *model, const char *name, size_t *index,
                           openopt_error **error, bool input) {
  const char *what = input ? "input" : "output";
  if (!model || !name || !index)
    return openopt_fail(error, OPENOPT_ERROR_NULL_ARGUMENT, "openopt_model_find_%s: %s is NULL",
                        what, !model ? "model" : !name ? "name" : "index");
  size_t count = input ? model->num_inputs : model->num_outputs;
  const openopt_tensor_spec *specs = input ? model->inputs : model->outputs;
  for (size_t i = 0; i < count; ++i)
    if (strcmp(specs[i].name, name) == 0) {
      *index = i;
      return OPENOPT_OK;
    }
  return openopt_fail(error, OPENOPT_ERROR_NOT_FOUND, "model '%s' has no %s named '%s'",
                      model->name, what, name);
}

openopt_status openopt_model_find_input(const openopt_model *model, const char *name,
                                        size_t *index, openopt_error **error) {
  return find(model, name, index, error, true);
}

openopt_status openopt_model_find_output(const openopt_model *model, const char *name,
                                         size_t *index, openopt_error **error) {
  return find(model, name, index, error, false);
}
