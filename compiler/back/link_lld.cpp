/*
 * link_lld.cpp — runs LLD's ELF linker (Debian's liblld-19-dev, linked statically) inside
 * hwasmc, so compiling a module needs no program on PATH. The only C++ in hwasmc: link.c
 * builds the command line, this file hands it to lld::lldMain and returns LLD's first
 * diagnostic line. It must not touch files itself nor be called twice at once (LLD keeps
 * global state; hwasmc links once per process).
 */
#include <lld/Common/Driver.h>
#include <llvm/ADT/ArrayRef.h>
#include <llvm/Passes/PassPlugin.h>
#include <llvm/Support/CrashRecoveryContext.h>
#include <llvm/Support/raw_ostream.h>

#include <cstdio>
#include <string>

#include "link_lld.h"

LLD_HAS_DRIVER(elf)

/*
 * LLD's ELF driver initialises every LLVM target, and its LTO code (for bitcode inputs)
 * runs the statically linked LLVM extensions (Debian's: Polly), so its archives reference
 * each target's initialisers and getPollyPluginInfo. hwasmc hands LLD x86-64 and aarch64
 * ELF objects only, never bitcode, and links just the X86 and AArch64 targets: these weak
 * no-ops stand in for the rest instead of ~50 MB of code generators and optimisers that
 * would never run. They live in this file so they are linked exactly when LLD is (an
 * archive member of their own would be scanned before LLD's archives ask for them). A
 * target hwasmc generates code for must NOT be listed: a weak definition here satisfies
 * the reference, and the linker would then never pull the real one from its archive.
 */
#define HWASMC_NO_TARGET(t)                                                                        \
    __attribute__((weak)) void LLVMInitialize##t##TargetInfo(void) {}                              \
    __attribute__((weak)) void LLVMInitialize##t##Target(void) {}                                  \
    __attribute__((weak)) void LLVMInitialize##t##TargetMC(void) {}                                \
    __attribute__((weak)) void LLVMInitialize##t##AsmPrinter(void) {}
#define HWASMC_NO_ASM_PARSER(t)                                                                    \
    __attribute__((weak)) void LLVMInitialize##t##AsmParser(void) {}
extern "C" {
HWASMC_NO_TARGET(AMDGPU)
HWASMC_NO_TARGET(ARM)
HWASMC_NO_TARGET(AVR)
HWASMC_NO_TARGET(BPF)
HWASMC_NO_TARGET(Hexagon)
HWASMC_NO_TARGET(Lanai)
HWASMC_NO_TARGET(LoongArch)
HWASMC_NO_TARGET(M68k)
HWASMC_NO_TARGET(MSP430)
HWASMC_NO_TARGET(Mips)
HWASMC_NO_TARGET(NVPTX)
HWASMC_NO_TARGET(PowerPC)
HWASMC_NO_TARGET(RISCV)
HWASMC_NO_TARGET(Sparc)
HWASMC_NO_TARGET(SystemZ)
HWASMC_NO_TARGET(VE)
HWASMC_NO_TARGET(WebAssembly)
HWASMC_NO_TARGET(XCore)
HWASMC_NO_TARGET(Xtensa)
HWASMC_NO_ASM_PARSER(AMDGPU)
HWASMC_NO_ASM_PARSER(ARM)
HWASMC_NO_ASM_PARSER(AVR)
HWASMC_NO_ASM_PARSER(BPF)
HWASMC_NO_ASM_PARSER(Hexagon)
HWASMC_NO_ASM_PARSER(Lanai)
HWASMC_NO_ASM_PARSER(LoongArch)
HWASMC_NO_ASM_PARSER(M68k)
HWASMC_NO_ASM_PARSER(MSP430)
HWASMC_NO_ASM_PARSER(Mips)
HWASMC_NO_ASM_PARSER(PowerPC)
HWASMC_NO_ASM_PARSER(RISCV)
HWASMC_NO_ASM_PARSER(Sparc)
HWASMC_NO_ASM_PARSER(SystemZ)
HWASMC_NO_ASM_PARSER(VE)
HWASMC_NO_ASM_PARSER(WebAssembly)
HWASMC_NO_ASM_PARSER(Xtensa)
}

static void no_extension_passes(llvm::PassBuilder &) {}
#define HANDLE_EXTENSION(ext)                                                                      \
    __attribute__((weak)) llvm::PassPluginLibraryInfo get##ext##PluginInfo() {                     \
        return {LLVM_PLUGIN_API_VERSION, #ext, "not linked", no_extension_passes};                 \
    }
#include <llvm/Support/Extension.def>

/* Copies the first line of LLD's diagnostics that says "error" (else the first line) into
 * msg, without LLD's "ld.lld: " prefix. */
static void first_error(const std::string &text, char *msg, size_t msg_len) {
    size_t at = text.find("error:");
    at = at == std::string::npos ? 0 : text.rfind('\n', at);
    at = at == std::string::npos ? 0 : at + (text[at] == '\n');
    size_t end = text.find('\n', at);
    std::string line = text.substr(at, end == std::string::npos ? std::string::npos : end - at);
    const std::string prefix = "ld.lld: ";
    if (line.compare(0, prefix.size(), prefix) == 0) line.erase(0, prefix.size());
    if (line.empty()) line = "lld failed without a message";
    snprintf(msg, msg_len, "%s", line.c_str());
}

extern "C" int link_lld(int argc, const char *const *argv, char *msg, size_t msg_len) {
    std::string out, err;
    llvm::raw_string_ostream out_os(out), err_os(err);
    /* With crash recovery on, LLD's fatal() and a crash inside it unwind back here instead
     * of exiting hwasmc (LLVM 19 ignores the context otherwise). The signal handlers it
     * installs live only for this call; Disable restores the previous ones. */
    llvm::CrashRecoveryContext::Enable();
    lld::Result r = lld::lldMain(llvm::ArrayRef<const char *>(argv, (size_t)argc), out_os, err_os,
                                 {{lld::Gnu, &lld::elf::link}});
    llvm::CrashRecoveryContext::Disable();
    msg[0] = 0;
    if (r.retCode == 0) return 0;
    err_os.flush();
    first_error(err, msg, msg_len);
    return r.retCode;
}
