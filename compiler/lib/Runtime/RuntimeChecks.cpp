//===- RuntimeChecks.cpp - errors raised by compiled code -----------------===//
#include "openopt/Runtime/RuntimeChecks.h"

#include <csetjmp>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace openopt {
namespace {

// The run in progress on this thread. Checks run on the thread that called
// the model (the top level of the entry function; only loops inside an op
// run on OpenMP workers), so a thread-local target is enough.
struct ActiveRun {
  std::jmp_buf target;
  char message[1024];
};
thread_local ActiveRun *activeRun = nullptr;

extern "C" [[noreturn]] void openoptRuntimeFail(const char *message) {
  ActiveRun *run = activeRun;
  if (!run) {
    // Not inside callWithRuntimeChecks (a check on a worker thread): there is
    // no caller to return the error to.
    std::fprintf(stderr, "openopt: run-time check failed: %s\n", message);
    std::abort();
  }
  std::snprintf(run->message, sizeof(run->message), "%s", message ? message : "");
  std::longjmp(run->target, 1);
}

// Kept apart from callWithRuntimeChecks so that no C++ object lives in the
// frame that setjmp returns to twice.
bool guardedCall(void (*entry)(void **), void **args, ActiveRun &run) {
  if (setjmp(run.target) != 0)
    return false;
  entry(args);
  return true;
}

} // namespace

bool callWithRuntimeChecks(void (*entry)(void **), void **args, std::string &message) {
  ActiveRun run;
  run.message[0] = '\0';
  ActiveRun *previous = activeRun;
  activeRun = &run;
  bool ok = guardedCall(entry, args, run);
  activeRun = previous;
  if (!ok)
    message = run.message;
  return ok;
}

void *runtimeFailHookAddress() { return reinterpret_cast<void *>(&openoptRuntimeFail); }

} // namespace openopt
