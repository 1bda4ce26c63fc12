//===- PerfMap.cpp - name JIT-compiled kernels for Linux perf -------------===//
#include "PerfMap.h"

#include "llvm/ExecutionEngine/Orc/LLJIT.h"
#include "llvm/Object/ELFObjectFile.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>
#include <cstring>
#include <unistd.h>

namespace openopt {

bool perfMapRequested() {
  const char *value = std::getenv("OPENOPT_PERF_MAP");
  return value && *value && std::strcmp(value, "0") != 0;
}

llvm::Error appendPerfMap(llvm::orc::LLJIT &jit, llvm::ArrayRef<KernelCache::Object> objects) {
  std::string path = "/tmp/perf-" + std::to_string(getpid()) + ".map";
  std::error_code ec;
  llvm::raw_fd_ostream out(path, ec, llvm::sys::fs::OF_Append | llvm::sys::fs::OF_Text);
  if (ec)
    return llvm::createStringError(ec, "cannot write %s: %s", path.c_str(), ec.message().c_str());
  for (const KernelCache::Object &object : objects) {
    auto file = llvm::object::ObjectFile::createObjectFile(
        llvm::MemoryBufferRef(*object, "openopt-kernel"));
    if (!file)
      return file.takeError();
    for (const llvm::object::SymbolRef &symbol : (*file)->symbols()) {
      auto type = symbol.getType();
      auto name = symbol.getName();
      if (!type || !name || *type != llvm::object::SymbolRef::ST_Function) {
        llvm::consumeError(type.takeError());
        llvm::consumeError(name.takeError());
        continue;
      }
      uint64_t size = llvm::object::ELFSymbolRef(symbol).getSize();
      auto address = jit.lookupLinkerMangled(*name);
      if (!address) {
        llvm::consumeError(address.takeError());
        continue;
      }
      out << llvm::format_hex_no_prefix(address->getValue(), 1) << ' '
          << llvm::format_hex_no_prefix(size, 1) << ' ' << *name << '\n';
    }
  }
  return llvm::Error::success();
}

} // namespace openopt
