# MoteInstall.cmake — `cmake --install` rules and the Debian package
# (`cpack -G DEB` in a build directory).
#
# Installed: bin/mote, the bundled model as share/mote/models/stories260K.gguf
# (the default model, which mote finds relative to its own executable, so a
# package unpacked into any root or a moved tree still finds it), the docs in
# share/doc/mote, and a systemd unit for `mote serve` (lib/systemd/system/
# mote.service, installed but not enabled: the package has no maintainer
# scripts). The build tree gets a copy of the model beside the binary
# (models/), found the same way when mote runs from there.
include(GNUInstallDirs)

configure_file(${PROJECT_SOURCE_DIR}/models/stories260K.gguf ${PROJECT_BINARY_DIR}/models/stories260K.gguf COPYONLY)

install(TARGETS mote RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${PROJECT_SOURCE_DIR}/models/stories260K.gguf DESTINATION ${CMAKE_INSTALL_DATADIR}/mote/models)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/LICENSE DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR})

# docs/mote.service names /usr/local/bin/mote (for a hand install); the
# installed unit names the installed binary, under the prefix of this install
# (/usr in the package), so it is written at install time.
install(CODE "
  file(READ \"${PROJECT_SOURCE_DIR}/docs/mote.service\" unit)
  string(REPLACE /usr/local/bin/mote \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}/mote\" unit \"\${unit}\")
  file(WRITE \"${PROJECT_BINARY_DIR}/mote.service\" \"\${unit}\")
")
install(FILES ${PROJECT_BINARY_DIR}/mote.service DESTINATION lib/systemd/system)

# --- the Debian package -------------------------------------------------------
set(CPACK_PACKAGE_NAME mote)
set(CPACK_PACKAGE_VENDOR "the mote developers")
set(CPACK_PACKAGE_CONTACT "the mote developers <mote@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "small language models (GGUF) on small machines")
set(CPACK_PACKAGE_DESCRIPTION "mote runs, chats with, quantizes, evaluates and serves small GGUF language \
models on the CPU of a Raspberry Pi, an ARM board or a small VM. A tiny story model \
(stories260K) is included as the default.")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
# The library packages and versions the binary links against, found by
# dpkg-shlibdeps (for a cross build, in the target architecture's multiarch
# directories); the language models of `mote eval`'s IFEval checks are data.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# libmicrohttpd and libespeak-ng are opened on first use (src/server/dynlib.h),
# so dpkg-shlibdeps cannot see them: `mote serve` needs the first, --speak the second.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libmicrohttpd12")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "libexttextcat-data, libespeak-ng1")
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# cpack asks dpkg for the architecture, which is the build machine's: a cross
# build names its target's.
if(CMAKE_CROSSCOMPILING AND NOT CPACK_DEBIAN_PACKAGE_ARCHITECTURE)
  if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64)$")
    set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE arm64)
  elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^arm")
    set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE armhf)
  elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
    set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE amd64)
  endif()
endif()
set(CPACK_GENERATOR DEB)
include(CPack)
