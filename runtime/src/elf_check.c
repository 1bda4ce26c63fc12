/*===- elf_check.c - a library file checked before dlopen maps it ---------===*
 *
 * glibc's loader trusts a file's program headers: a library cut short (a
 * partial download or copy) made dlopen map pages past the end of the file
 * and die of SIGBUS while clearing them. The checks here refuse such a file
 * with a message instead. They catch accidents, not attacks: opening a
 * library runs its code, so only libraries one trusts should be opened.
 *===----------------------------------------------------------------------===*/
#include "internal.h"

#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#if defined(__x86_64__)
#define HOST_MACHINE EM_X86_64
#define HOST_MACHINE_NAME "x86_64"
#elif defined(__aarch64__)
#define HOST_MACHINE EM_AARCH64
#define HOST_MACHINE_NAME "aarch64"
#endif

static const char *machine_name(unsigned machine) {
  switch (machine) {
  case EM_X86_64: return "x86_64";
  case EM_AARCH64: return "aarch64";
  case EM_386: return "i386";
  case EM_ARM: return "arm";
  case EM_RISCV: return "riscv";
  case EM_PPC64: return "ppc64";
  }
  return "another machine";
}

openopt_status openopt_check_library_file(const char *path, openopt_error **error) {
  FILE *file = fopen(path, "rb");
  if (!file)
    return openopt_fail(error, OPENOPT_ERROR_LOAD, "cannot load '%s': %s", path, strerror(errno));
  struct stat status;
  Elf64_Ehdr header;
  openopt_status result = OPENOPT_OK;
  if (fstat(fileno(file), &status) != 0 || !S_ISREG(status.st_mode)) {
    result = openopt_fail(error, OPENOPT_ERROR_LOAD, "cannot load '%s': not a regular file", path);
  } else if (fread(&header, 1, sizeof(header), file) != sizeof(header) ||
             memcmp(header.e_ident, ELFMAG, SELFMAG) != 0) {
    result = openopt_fail(error, OPENOPT_ERROR_LOAD,
                          "cannot load '%s': not an ELF shared library", path);
  } else if (header.e_ident[EI_CLASS] != ELFCLASS64 || header.e_type != ET_DYN) {
    result = openopt_fail(error, OPENOPT_ERROR_LOAD,
                          "cannot load '%s': not a 64-bit ELF shared library", path);
#ifdef HOST_MACHINE
  } else if (header.e_machine != HOST_MACHINE) {
    result = openopt_fail(error, OPENOPT_ERROR_LOAD,
                          "cannot load '%s': it was compiled for %s, this is %s (compile with "
                          "--target for this machine)",
                          path, machine_name(header.e_machine), HOST_MACHINE_NAME);
#endif
  } else if (header.e_phentsize != sizeof(Elf64_Phdr) ||
             header.e_phoff > (uint64_t)status.st_size ||
             (uint64_t)header.e_phnum * sizeof(Elf64_Phdr) >
                 (uint64_t)status.st_size - header.e_phoff) {
    result = openopt_fail(error, OPENOPT_ERROR_LOAD,
                          "cannot load '%s': its program headers are damaged or cut off", path);
  } else {
    for (unsigned i = 0; i < header.e_phnum && result == OPENOPT_OK; ++i) {
      Elf64_Phdr segment;
      if (fseek(file, (long)(header.e_phoff + i * sizeof(Elf64_Phdr)), SEEK_SET) != 0 ||
          fread(&segment, 1, sizeof(segment), file) != sizeof(segment)) {
        result = openopt_fail(error, OPENOPT_ERROR_LOAD,
                              "cannot load '%s': cannot read program header %u", path, i);
      } else if (segment.p_type == PT_LOAD || segment.p_type == PT_DYNAMIC) {
        uint64_t end = segment.p_offset + segment.p_filesz;
        if (end < segment.p_offset || end > (uint64_t)status.st_size)
          result = openopt_fail(error, OPENOPT_ERROR_LOAD,
                                "cannot load '%s': the file is cut short or damaged (segment %u "
                                "ends at byte %llu, the file has %lld bytes)",
                                path, i, (unsigned long long)end, (long long)status.st_size);
      }
    }
  }
  fclose(file);
  return result;
}
