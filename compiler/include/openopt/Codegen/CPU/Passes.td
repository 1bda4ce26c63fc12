//===- Passes.td - CPU code generation passes -------------*- tablegen -*-===//
#ifndef OPENOPT_CODEGEN_CPU_PASSES
#define OPENOPT_CODEGEN_CPU_PASSES

include "mlir/Pass/PassBase.td"

def ApproximateMathPass : Pass<"openopt-approximate-math", "mlir::func::FuncOp"> {
  let summary = "Replace exp, log, tanh, erf, ... by vectorizable polynomials";
  let description = [{
    LLVM lowers `math.exp`, `math.tanh` and friends to calls into libm, one
    element at a time. This pass rewrites them (f32) into MLIR's polynomial
    approximations, built from plain arithmetic that vectorizes, accurate to a
    few ulp. Ops it does not cover are left for `convert-math-to-libm`.
  }];
  let options = [
    Option<"functions", "functions", "std::string",
           /*default=*/"\"exp,expm1,log,log1p,log2,tanh,erf,atan,atan2,asin,acos,sin,cos\"",
           "Comma-separated math functions to approximate">,
  ];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::math::MathDialect",
                           "mlir::vector::VectorDialect", "mlir::x86vector::X86VectorDialect"];
}

def ReassociateReductionsPass : Pass<"openopt-reassociate-reductions", "mlir::func::FuncOp"> {
  let summary = "Let LLVM vectorize float reductions (sum, max, min, product) in linalg ops";
  let description = [{
    A float reduction loop (softmax's max and sum, layer norm's mean and
    variance, ReduceSum, global average pooling) does not vectorize unless the
    order of its additions may change. This pass marks the combining op of
    every linalg op with a reduction loop (the float `arith.addf`, `mulf`,
    `maximumf`, `minimumf` that takes the accumulator) `fastmath<reassoc>`, so
    that LLVM may keep several partial results in vector lanes. The results
    differ from the sequential order by rounding only (relative ~1e-7 per
    element summed). Matmuls scheduled by `openopt-vectorize-matmul` are
    vectorized before this runs and have no linalg op left.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect"];
}

def VectorizeMatmulPass : Pass<"openopt-vectorize-matmul", "mlir::func::FuncOp"> {
  let summary = "Tile matmuls for cache and registers, then vectorize them to FMAs";
  let description = [{
    Runs after bufferization. Each static `linalg.matmul` and
    `linalg.batch_matmul` is tiled twice with the transform dialect: cache
    tiles (at most 128 x 256 x 256) and a register tile (4 x 16 x 1 for AVX2:
    eight ymm accumulators), chosen so that every tile size divides its
    dimension and all shapes stay static. The register tile is vectorized,
    the contraction lowered to broadcast + FMA outer products, and the
    accumulator loads and stores hoisted out of the reduction loop. The
    register tile follows the vector width: 6 x 16 (12 ymm accumulators) for
    AVX2, 8 x 48 or 8 x 32 (24 or 16 zmm accumulators) for AVX-512, the
    three-vector tile scheduled as one-row, one-vector pieces. Matmuls
    whose N is not a multiple of 8 are left as loops (the nn lowering pads
    them so that this is rare). With `threads` > 1 each matmul is first split
    into that many `scf.forall` slices, each scheduled as above: along M when
    A is the larger operand, else along N (so each thread reads half of it).
    Every other linalg op of at least 32K iterations is split too, along its
    first parallel loop with at least `threads` iterations (partial slices
    allowed); ops the tiling refuses stay serial. A (batch) matmul marked
    `openopt.zero_init` starts its register tiles from zero instead of
    loading its output (on the first K cache tile only, when K is split); one
    left unscheduled gets a zero fill before it instead. A packed matmul
    (`linalg.generic` marked `openopt.packed_b`, from
    `openopt-pack-matmul-weights`) gets the same schedule with its register
    tile one panel wide and the panels' loop outside the rows' loop; threads
    split it into whole panels or rows.
  }];
  let options = [
    Option<"maxTileM", "max-tile-m", "int64_t", "128", "Largest cache tile along M">,
    Option<"maxTileN", "max-tile-n", "int64_t", "256", "Largest cache tile along N">,
    Option<"maxTileK", "max-tile-k", "int64_t", "256", "Largest cache tile along K">,
    Option<"vectorBits", "vector-bits", "int64_t", "0",
           "SIMD register width in bits (256 or 512); 0 detects the host CPU">,
    Option<"threads", "threads", "int64_t", "1",
           "Split each matmul (along the batch, M or N dimension) and every other "
           "large linalg op (along its outer parallel loop) into this many "
           "scf.forall tasks, run by OpenMP">,
  ];
  let dependentDialects = [
    "mlir::transform::TransformDialect", "mlir::vector::VectorDialect",
    "mlir::scf::SCFDialect", "mlir::memref::MemRefDialect"
  ];
}

def FoldConstantLayoutPass : Pass<"openopt-fold-constant-layout", "mlir::func::FuncOp"> {
  let summary = "Transpose, pad and reshape constant tensors at compile time";
  let description = [{
    Weights often need a layout change before a matmul (Gemm's transB, N
    padded to the vector width, a conv kernel flattened to a matrix). When the
    input of a `linalg.transpose`, a constant-valued `tensor.pad` or a
    `tensor.collapse_shape`/`expand_shape` is an `arith.constant` (dense or
    dense_resource), this pass computes the result once and replaces the op
    by a new constant (reshapes re-type the same blob), so no copy runs per
    inference and the matmul sees a plain global buffer.
  }];
  let options = [
    Option<"maxBytes", "max-bytes", "int64_t", "int64_t(256) << 20",
           "Largest constant (bytes) to rewrite">,
  ];
  let dependentDialects = ["mlir::arith::ArithDialect"];
}

def PackMatmulWeightsPass : Pass<"openopt-pack-matmul-weights", "mlir::func::FuncOp"> {
  let summary = "Store constant matmul B operands in panels of the register tile's width";
  let description = [{
    Runs on tensors, after `openopt-fold-constant-layout` has made weights
    plain constants. A static f32 `linalg.matmul` whose B ([K, N]) is a
    constant, whose M is even and whose N spans at least two register tiles
    (P = 2 vectors wide, or one where N does not divide by two) becomes a
    `linalg.generic` marked `openopt.packed_b` over loops (m, j, n, k) that
    reads B as a new constant [N/P, K, P], packed at compile time, and writes
    the output viewed as [M, N/P, P]. Each register tile of
    `openopt-vectorize-matmul` then reads its B panel as one sequential
    stream instead of a short piece of every row. Discardable attributes
    (`openopt.zero_init`) carry over. Single-row and odd-row matmuls keep
    their layout (their tiles span N, not one panel), and so do matmuls
    whose weight is also read unpacked (it would be stored twice) and, with
    `threads` > 1, matmuls that split into neither whole panels nor groups
    of 8 rows per thread. A weight several matmuls share is packed once.
  }];
  let options = [
    Option<"vectorBits", "vector-bits", "int64_t", "0",
           "SIMD register width in bits (256 or 512); 0 detects the host CPU">,
    Option<"maxBytes", "max-bytes", "int64_t", "int64_t(256) << 20",
           "Largest constant (bytes) to pack">,
    Option<"threads", "threads", "int64_t", "1",
           "Threads of openopt-vectorize-matmul: a matmul is packed only when it "
           "splits into whole panels or groups of 8 rows per thread">,
  ];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::linalg::LinalgDialect",
                           "mlir::tensor::TensorDialect"];
}

def BalancedOpenMPPass : Pass<"openopt-balanced-openmp", "mlir::ModuleOp"> {
  let summary = "scf.parallel to OpenMP threads that each run a contiguous range sized by their measured speed";
  let description = [{
    Each outermost `scf.parallel` without reductions becomes an
    `omp.parallel` of `num-threads` threads; its iterations (linearized,
    in order) are cut into one contiguous range per thread, at boundaries
    proportional to per-thread speeds kept in a private global of the loop
    (1.0 to start: the equal static split). Each thread stamps the cycle
    counter when its range is done; after the join the speeds move a fifth
    of the way towards each thread's iterations per cycle since the fork,
    relative to the mean (clamped to [1/2, 2]). So a CPU that runs slower
    for a while gets fewer iterations, while each iteration keeps the owner
    it had (a dynamic schedule would move the data between caches). A
    region that gets another number of threads falls back to equal shares.
    Loops with reductions are left for `convert-scf-to-openmp`.
  }];
  let options = [
    Option<"numThreads", "num-threads", "int64_t", "2", "Threads of each parallel region">,
  ];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::func::FuncDialect",
                           "mlir::LLVM::LLVMDialect", "mlir::math::MathDialect",
                           "mlir::memref::MemRefDialect", "mlir::omp::OpenMPDialect",
                           "mlir::scf::SCFDialect"];
}

def OpenMPThreadBudgetPass : Pass<"openopt-openmp-thread-budget", "mlir::ModuleOp"> {
  let summary = "Caps each omp.parallel's thread count by a budget the runtime sets per run";
  let description = [{
    The thread count of every `omp.parallel` with a `num_threads` becomes
    `min(num_threads, budget)` where `budget = openopt_thread_budget()` (a
    function of the runtime, declared here) is positive, and stays as
    compiled otherwise. A session of a model library that asks for fewer
    threads than the model was compiled for gets them; the parallel loops
    already split their work by the thread count they are given.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::func::FuncDialect",
                           "mlir::omp::OpenMPDialect"];
}

def PrefetchPackedWeightsPass : Pass<"openopt-prefetch-packed-weights", "mlir::func::FuncOp"> {
  let summary = "Prefetch the next tile of a packed weight inside the register-tile loop that reads one";
  let description = [{
    Runs after `openopt-vectorize-matmul`. A register-tile loop (step 1 over
    a constant tile of tk rows, vector accumulators carried) that loads a
    weight at column 0 (a constant global or a function argument, f32, its
    rows contiguous runs of P floats, P a multiple of 16), in a register
    tile of at least 3 rows, gets in each iteration a prefetch into L2 of
    the row `tiles-ahead` x tk rows further on in memory: the same packed
    panel's next K tile (read after the cache tile's other panels; in the
    cache tile's last K tile, the first K tile of the next cache tile's
    panel at the same place) or a direct convolution's next block. Where the loop's parent is the loop
    over the row tiles, row tile r fetches line r mod P/16 of that row;
    elsewhere every line of it. The address is computed as an integer and
    may lie past the buffer (a prefetch accesses nothing). Single-row
    tiles (GEMVs) are left alone: they read each weight once, in a stream
    the hardware prefetchers follow.
  }];
  let options = [
    Option<"tilesAhead", "tiles-ahead", "int64_t", "1",
           "How many K tiles of the same panel ahead to prefetch (at least 1)">,
  ];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::LLVM::LLVMDialect",
                           "mlir::memref::MemRefDialect"];
}

def HoistLoopBuffersPass : Pass<"openopt-hoist-loop-buffers", "mlir::func::FuncOp"> {
  let summary = "Allocate a sequential loop body's scratch buffers once, before the loop";
  let description = [{
    Runs on buffers after the parallel loops are lowered (`scf.forall` to
    `scf.for` on one thread, to OpenMP regions whose threads each run an
    `scf.for` over their share), before `convert-scf-to-cf`. A
    `memref.alloc` of static shape whose only `memref.dealloc` is in its
    block moves before the outermost `scf.for` around it (looking through
    `memref.alloca_scope`s, stopping at any other op: a function, an
    OpenMP or `scf.parallel` region, a branch), and its dealloc right after
    that loop. The iterations then reuse one buffer instead of a malloc and
    a free each. Sound because the loops are sequential and a fresh buffer's
    contents are undefined; each thread of a parallel region gets its own
    buffer, allocated inside the region.
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect"];
}

def ElideMatmulInitPass : Pass<"openopt-elide-matmul-init", "mlir::func::FuncOp"> {
  let summary = "Erase the writes into a zero-init matmul's output that it overwrites";
  let description = [{
    Runs on buffers, before `openopt-outline-kernels`, and only when
    `openopt-vectorize-matmul` runs after it. A `linalg.matmul` or
    `linalg.batch_matmul` marked `openopt.zero_init` (the lowering gave it a
    zero-filled output) is scheduled to start its register tiles from zero
    without reading that output (or, where the schedule cannot, gets a zero fill back). Going back
    from such a matmul in its block, every op that only writes the output
    buffer (a fill, a copy into it, a linalg op that does not read its init)
    is erased, up to the first op that reads the buffer or a view of it. The
    matmul's output must be the whole buffer (or a reshape of it).
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect", "mlir::memref::MemRefDialect"];
}

def FuseElementwisePass : Pass<"openopt-fuse-elementwise", "mlir::func::FuncOp"> {
  let summary = "Fuse chains of element-wise linalg ops into single loops";
  let description = [{
    Like upstream `linalg-fuse-elementwise-ops`, but a producer is fused only
    when all its loops are parallel. Upstream also folds matmuls and
    reductions into their element-wise consumers, which turns a
    `linalg.matmul` into a generic the matmul schedule no longer recognises.
    A call between producer and consumer in their block (the hooks of
    `openopt-instrument-profile`) is a barrier: fusing across it would move
    the producer's loops into the consumer's bracket.

    Then an `scf.forall` whose only user is an element-wise op (a
    convolution computed in chunks, followed by its bias, activation or
    residual add) takes that op into its body: it runs on each chunk while
    the chunk is in the cache, instead of as another pass over the result.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect", "mlir::scf::SCFDialect",
                           "mlir::tensor::TensorDialect"];
}

def StridedCopyToLinalgPass : Pass<"openopt-strided-copy-to-linalg", "mlir::func::FuncOp"> {
  let summary = "Turn memref.copy between non-contiguous buffers into linalg.copy";
  let description = [{
    A `memref.copy` between contiguous buffers lowers to `memcpy`; any other
    (into the interior of a padded buffer, out of a slice) becomes a call to
    the generic element-by-element `memrefCopy` of the MLIR runtime. As a
    `linalg.copy` it becomes loops that LLVM vectorizes.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def ExpandDynamicReshapesPass : Pass<"openopt-expand-dynamic-reshapes", "mlir::func::FuncOp"> {
  let summary = "Rewrite memref.expand_shape with several dynamic sizes in one group";
  let description = [{
    `expand-strided-metadata` of MLIR 22 crashes on a `memref.expand_shape`
    that splits one dimension into several dynamic ones (it cannot derive the
    strides). Such reshapes come from dynamic batch and sequence dimensions.
    This pass rewrites them into `memref.reinterpret_cast` of the source,
    with strides computed from the `output_shape` sizes and the source's
    stride of the expanded dimension. Run it before `expand-strided-metadata`.
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect", "mlir::arith::ArithDialect"];
}

def LowerRuntimeChecksPass : Pass<"openopt-lower-runtime-checks", "mlir::ModuleOp"> {
  let summary = "Turn failed cf.assert checks into a call that reports the error to the caller";
  let description = [{
    Shapes known only at run time are checked by `cf.assert` ops whose
    message names the ONNX node ("Reshape 'r1': ..."). Upstream lowers a
    failed assert to `abort()`, which would kill the process that runs the
    model. This pass rewrites each one into a branch to a call of
    `openopt_runtime_fail(const char *message)`, which never returns: the
    runtime unwinds to the caller of the model with the message as an error.
    Run it after `convert-func-to-llvm` and before `convert-cf-to-llvm`.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect", "mlir::cf::ControlFlowDialect"];
}

def OutlineKernelsPass : Pass<"openopt-outline-kernels", "mlir::ModuleOp"> {
  let summary = "Move each top-level linalg op on buffers into a kernel function of its own";
  let description = [{
    Runs after bufferization (the end of `cpuFrontPipeline`). Every linalg
    op at the top level of a function (not nested in a loop or branch, and
    whose body refers to no other symbol) is moved into a private function of its own, `@openopt_kernel_<hash>`, and
    replaced by a call. The kernel takes the op's operands and any value its
    body uses from outside (constants are copied in), so weights are
    arguments: two convolutions of the same shapes share one kernel, in one
    model or in two. The hash is that of the kernel's text, so identical
    kernels are one function. The kernels are marked `openopt.kernel`;
    code generation compiles each one separately and caches its object by
    content (see KernelCompiler.h). What stays in the caller is glue:
    allocations, views, the calls, loops and branches of control flow.
  }];
  let dependentDialects = ["mlir::func::FuncDialect"];
}

def DecomposePadsPass : Pass<"openopt-decompose-pads", "mlir::func::FuncOp"> {
  let summary = "Rewrite tensor.pad as a filled tensor with the source inserted";
  let description = [{
    Runs just before bufferization, after the passes that fold pads of
    constants. `tensor.pad` bufferizes to a filled buffer and a copy of its
    source into the interior; as `linalg.fill` + `tensor.insert_slice`,
    `eliminate-empty-tensors` can then have the op that computes the source
    write it straight into the interior (the Clip before a padded depthwise
    convolution), and the copy goes. A source collapsed from another shape
    (an im2col gather read as [K, pixels]) gets the interior viewed in its
    own shape as its output, which eliminate-empty-tensors does not do.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect", "mlir::tensor::TensorDialect"];
}

def PlanBuffersPass : Pass<"openopt-plan-buffers", "mlir::func::FuncOp"> {
  let summary = "Place a function's intermediate buffers in one arena, reusing memory by liveness";
  let description = [{
    Runs on the glue of a model (functions not marked `openopt.kernel`),
    after `openopt-outline-kernels`. The buffer deallocation pipeline frees
    buffers at the end of their block, so every intermediate of a model
    would be live, and held, until the model returns. This pass gives each
    `memref.alloc` of static shape in the function's top-level block a live
    range, from the allocation to the last op (at that level) that uses the
    buffer or a view of it, and packs the ranges into one arena: buffers
    whose ranges overlap get disjoint bytes, others may share them (greedy,
    largest first, first fit, 64-byte aligned offsets). The arena is one
    allocation at the start of the function, freed before it returns; each
    buffer becomes a `memref.view` into it and its `memref.dealloc` goes.

    A buffer is left alone when its size is dynamic, its layout is not the
    identity, or it could outlive what the pass can see: returned, yielded
    from a region, passed to an op with memref results that is not a view,
    or freed anywhere but by one `memref.dealloc` of the allocation itself
    in the top-level block.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::memref::MemRefDialect"];
}

#endif // OPENOPT_CODEGEN_CPU_PASSES
