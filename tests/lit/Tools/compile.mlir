// openopt compile writes what the recipe's outputs ask for.
// RUN: rm -rf %t && openopt compile %s -o %t | FileCheck %s --check-prefix=DEFAULT
// RUN: llvm-nm %t/compile.o | FileCheck %s --check-prefix=NM
// RUN: rm -rf %t && openopt compile %s -o %t --recipe %S/Inputs/all-outputs.recipe.json | FileCheck %s --check-prefix=ALL
// RUN: FileCheck %s --input-file=%t/compile.graph.mlir --check-prefix=GRAPH
// RUN: FileCheck %s --input-file=%t/compile.ll --check-prefix=LL
// RUN: FileCheck %s --input-file=%t/compile.llvm.mlir --check-prefix=LLVMD
// RUN: FileCheck %s --input-file=%t/record.json --check-prefix=RECORD

// The built-in recipe writes only the object file, with the entry point defined.
// DEFAULT: wrote {{.*}}compile.o
// DEFAULT-NOT: wrote
// The count includes the group and its yield.
// DEFAULT: compiled {{.*}}compile.mlir with recipe 'default' in {{.*}} ms; graph passes: 4 -> 6 ops
// NM: T main
// The glue calls each kernel through a slot that the link defines.
// NM-NOT: U openopt_slot_
// NM: T openopt_slot_0

// ALL: wrote {{.*}}compile.graph.mlir
// ALL: wrote {{.*}}compile.llvm.mlir
// ALL: wrote {{.*}}compile.ll
// ALL: wrote {{.*}}compile.o
// ALL: wrote {{.*}}record.json
// GRAPH: nn.fused "elementwise"
// LL: define void @main(ptr
// LLVMD: llvm.func @main
// RECORD: "argument": "openopt-fuse-ops"
func.func @main(%x: tensor<16xf32>, %y: tensor<16xf32>) -> tensor<16xf32> {
  %m = nn.mul %x, %y : (tensor<16xf32>, tensor<16xf32>) -> tensor<16xf32>
  %t = nn.tanh %m : tensor<16xf32>
  return %t : tensor<16xf32>
}
