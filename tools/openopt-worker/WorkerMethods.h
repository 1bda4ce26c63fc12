//===- WorkerMethods.h - what an openopt-worker answers ---------*- C++ -*-===//
//
// Each method turns a request of the worker protocol
// (server/worker/WorkerProtocol.h) into a driver call and its result into a
// reply: "hello", "compile", "run", "profile" and "graph". The MLIRContext
// lives as long as the worker, so dialects and passes are set up once.
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_TOOLS_WORKER_WORKERMETHODS_H
#define OPENOPT_TOOLS_WORKER_WORKERMETHODS_H

#include "worker/WorkerProtocol.h"

namespace mlir {
class MLIRContext;
} // namespace mlir

namespace openopt::worker {

/// The reply to `request`: "result" (and blobs), or "error" with a message
/// when the driver refuses the model or the request is malformed.
server::worker::Message answer(mlir::MLIRContext &context,
                               const server::worker::Message &request);

} // namespace openopt::worker

#endif // OPENOPT_TOOLS_WORKER_WORKERMETHODS_H
