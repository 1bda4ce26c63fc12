//===- main.cpp - openopt-worker: a warm compiler process for openoptd ----===//
//
// Reads requests of the worker protocol on stdin and writes one reply per
// request on stdout until stdin closes. Logs go to stderr (the daemon's
// log). A failed allocation (the daemon limits the address space) exits
// with kOutOfMemoryExit so the daemon can name the cause from the status.
//
//===----------------------------------------------------------------------===//
#include "WorkerMethods.h"

#include "openopt/InitOpenOpt.h"
#include "openopt/Runtime/KernelCache.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

#include <fstream>
#include <new>
#include <unistd.h>

using namespace openopt;
namespace protocol = openopt::server::worker;

namespace {

[[noreturn]] void outOfMemory() {
  static const char message[] = "openopt-worker: out of memory\n";
  (void)!::write(2, message, sizeof(message) - 1);
  ::_exit(protocol::kOutOfMemoryExit);
}

/// The resident set size, from /proc/self/statm (0 if unreadable).
uint64_t residentBytes() {
  std::ifstream statm("/proc/self/statm");
  uint64_t pages = 0, resident = 0;
  if (!(statm >> pages >> resident))
    return 0;
  return resident * uint64_t(::sysconf(_SC_PAGESIZE));
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  std::set_new_handler(outOfMemory);
  llvm::install_bad_alloc_error_handler(
      [](void *, const char *, bool) { outOfMemory(); }, nullptr);

  // One option: --kernel-cache=DIR, the kernel cache the workers share.
  for (int i = 1; i < argc; ++i) {
    llvm::StringRef arg = argv[i];
    if (arg.consume_front("--kernel-cache=")) {
      KernelCache::shared().setDirectory(arg);
    } else {
      llvm::errs() << "openopt-worker: unknown argument '" << arg
                   << "' (usage: openopt-worker [--kernel-cache=DIR])\n";
      return 2;
    }
  }

  mlir::DialectRegistry registry;
  registerAllDialectsAndPasses(registry);
  // As in the CLI: the compiled code's own threads (OpenMP) do the parallel work.
  mlir::MLIRContext context(registry, mlir::MLIRContext::Threading::DISABLED);
  context.loadAllAvailableDialects();

  while (true) {
    auto request = protocol::readMessage(0);
    if (!request) {
      llvm::errs() << "openopt-worker: " << llvm::toString(request.takeError()) << "\n";
      return 2;
    }
    if (!*request)
      return 0; // the daemon closed the pipe
    protocol::Message reply;
    try {
      reply = worker::answer(context, **request);
    } catch (const std::bad_alloc &) {
      outOfMemory();
    }
    // The context keeps every attribute it ever uniqued (a model's weights
    // among them): the daemon retires a worker that has grown too large.
    reply.header["rssBytes"] = residentBytes();
    if (auto err = protocol::writeMessage(1, reply)) {
      llvm::errs() << "openopt-worker: " << llvm::toString(std::move(err)) << "\n";
      return 2;
    }
  }
}
