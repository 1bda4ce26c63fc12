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

#endif // OPENOPT_CODEGEN_CPU_PASSES
