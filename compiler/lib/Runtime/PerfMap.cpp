//===- PerfMap.cpp - name JIT-compiled kernels for Linux perf -------------===//
#include "PerfMap.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ExecutionEngine/Orc/LLJIT.h"
#include "llvm/Object/ELFObjectFile.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>
#include <cstring>
#include <unistd.h>
#include <vector>

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
    // Local functions (OpenMP's outlined parallel bodies) cannot be looked up
    // in the JIT; they sit at a fixed distance from a global function of the
    // same section, so each section's load address comes from its globals.
    struct FunctionSymbol {
      llvm::StringRef name;
      uint64_t offset, size;
      llvm::object::section_iterator section;
    };
    std::vector<FunctionSymbol> functions;
    llvm::DenseMap<uint64_t, uint64_t> sectionAddress; // section index -> address
    for (const llvm::object::SymbolRef &symbol : (*file)->symbols()) {
      auto type = symbol.getType();
      auto name = symbol.getName();
      auto section = symbol.getSection();
      auto offset = symbol.getValue();
      if (!type || !name || !section || !offset ||
          *type != llvm::object::SymbolRef::ST_Function || *section == (*file)->section_end()) {
        llvm::consumeError(type.takeError());
        llvm::consumeError(name.takeError());
        llvm::consumeError(section.takeError());
        llvm::consumeError(offset.takeError());
        continue;
      }
      functions.push_back(
          {*name, *offset, llvm::object::ELFSymbolRef(symbol).getSize(), *section});
      auto flags = symbol.getFlags();
      if (!flags) {
        llvm::consumeError(flags.takeError());
        continue;
      }
      if (!(*flags & llvm::object::SymbolRef::SF_Global))
        continue;
      auto address = jit.lookupLinkerMangled(*name);
      if (!address) {
        llvm::consumeError(address.takeError());
        continue;
      }
      sectionAddress[(*section)->getIndex()] = address->getValue() - *offset;
    }
    for (const FunctionSymbol &function : functions) {
      auto base = sectionAddress.find(function.section->getIndex());
      if (base == sectionAddress.end())
        continue;
      out << llvm::format_hex_no_prefix(base->second + function.offset, 1) << ' '
          << llvm::format_hex_no_prefix(function.size, 1) << ' ' << function.name << '\n';
    }
  }
  return llvm::Error::success();
}

} // namespace openopt
