# mote_simd_flags(): give the SIMD kernel files their instruction-set flags.
#
# Only the kernel files get the flags; src/quant/dispatch.c picks kernels at
# run time from the CPU's features, so the library still runs on a CPU
# without them. Source-file properties are scoped to the directory that sets
# them, so every directory that compiles the library sources (the top level,
# tests/fuzz, tests/cross) calls this.
function(mote_simd_flags root)
  if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
    file(GLOB avx2_sources ${root}/src/quant/x86/avx2_*.c)
    list(FILTER avx2_sources EXCLUDE REGEX "avx2_set\\.c$")
    set_source_files_properties(${avx2_sources} PROPERTIES COMPILE_OPTIONS "-mavx2;-mfma;-mf16c")
    # AVX-VNNI: the AVX2 byte-dot kernels compiled again (the "avxvnni" set).
    file(GLOB avxvnni_sources ${root}/src/quant/x86/avxvnni_*.c)
    list(FILTER avxvnni_sources EXCLUDE REGEX "avxvnni_set\\.c$")
    set_source_files_properties(${avxvnni_sources} PROPERTIES COMPILE_OPTIONS "-mavx2;-mfma;-mf16c;-mavxvnni")
    # AVX-512: foundation, byte/word, 256-bit forms and VNNI (the "avx512" set).
    file(GLOB avx512_sources ${root}/src/quant/x86/avx512_*.c)
    list(FILTER avx512_sources EXCLUDE REGEX "avx512_set\\.c$")
    set_source_files_properties(${avx512_sources} PROPERTIES COMPILE_OPTIONS
                                "-mavx2;-mfma;-mf16c;-mavx512f;-mavx512bw;-mavx512vl;-mavx512vnni")
    # AVX-512 with BF16 dot products (the "avx512bf16" set).
    file(GLOB avx512bf16_sources ${root}/src/quant/x86/avx512bf16_*.c)
    set_source_files_properties(${avx512bf16_sources} PROPERTIES COMPILE_OPTIONS
                                "-mavx2;-mfma;-mf16c;-mavx512f;-mavx512bw;-mavx512vl;-mavx512vnni;-mavx512bf16")
  elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64)$")
    file(GLOB dotprod_sources ${root}/src/quant/arm/neon_dotprod*.c)
    set_source_files_properties(${dotprod_sources} PROPERTIES COMPILE_OPTIONS "-march=armv8.2-a+dotprod")
  elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^arm")
    file(GLOB neon_sources ${root}/src/quant/arm/neon*.c)
    set_source_files_properties(${neon_sources} PROPERTIES COMPILE_OPTIONS "-mfpu=neon-vfpv4;-mfp16-format=ieee")
  endif()
endfunction()
