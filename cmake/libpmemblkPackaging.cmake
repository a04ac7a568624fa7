# libpmemblkPackaging.cmake -- the files other build systems use to find
# the installed library: libpmemblk.pc for pkg-config, and the CMake
# package (libpmemblkConfig.cmake, ...Version.cmake, ...Targets.cmake)
# for find_package(libpmemblk). Included once from the top-level build
# (through tools/pmemblk/CMakeLists.txt); the targets are installed with
# EXPORT libpmemblkTargets in src/CMakeLists.txt.
include(${CMAKE_CURRENT_LIST_DIR}/package_files.cmake)
install_package_files(libpmemblk ${PROJECT_VERSION} SameMajorVersion)
