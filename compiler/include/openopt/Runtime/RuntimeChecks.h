//===- RuntimeChecks.h - errors raised by compiled code --------*- C++ -*-===//
//
// Compiled models check at run time what compile time could not (shapes that
// depend on input sizes or values). A failed check calls the hook below with
// a message naming the node; the hook unwinds to callWithRuntimeChecks, so the
// caller gets an error instead of a dead process.
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_RUNTIME_RUNTIMECHECKS_H
#define OPENOPT_RUNTIME_RUNTIMECHECKS_H

#include <string>

namespace openopt {

/// Calls `entry(args)`. Returns false, with the failed check's message, when
/// the compiled code reported an error. Memory the run had allocated before
/// the failure is not reclaimed.
bool callWithRuntimeChecks(void (*entry)(void **), void **args, std::string &message);

/// Address of `void openopt_runtime_fail(const char *)` for the JIT.
void *runtimeFailHookAddress();

} // namespace openopt

#endif // OPENOPT_RUNTIME_RUNTIMECHECKS_H
