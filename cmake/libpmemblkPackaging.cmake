# libpmemblkPackaging.cmake -- the files other build systems use to find
# the installed library: libpmemblk.pc for pkg-config, and the CMake
# package (libpmemblkConfig.cmake, ...Version.cmake, ...Targets.cmake)
# for find_package(libpmemblk). Included once from the top-level build
# (through tools/pmemblk/CMakeLists.txt); the targets are installed with
# EXPORT libpmemblkTargets in src/CMakeLists.txt.
include(CMakePackageConfigHelpers)
include(${CMAKE_CURRENT_LIST_DIR}/pkgconfig_prefix.cmake)

set(PMEMBLK_PACKAGE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/libpmemblk)
set(PMEMBLK_PACKAGE_BUILD_DIR ${PROJECT_BINARY_DIR}/cmake)

configure_file(${CMAKE_CURRENT_LIST_DIR}/libpmemblk.pc.in
	${PMEMBLK_PACKAGE_BUILD_DIR}/libpmemblk.pc @ONLY)
install(FILES ${PMEMBLK_PACKAGE_BUILD_DIR}/libpmemblk.pc
	DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

install(EXPORT libpmemblkTargets
	NAMESPACE libpmemblk::
	DESTINATION ${PMEMBLK_PACKAGE_DIR})
configure_package_config_file(
	${CMAKE_CURRENT_LIST_DIR}/libpmemblkConfig.cmake.in
	${PMEMBLK_PACKAGE_BUILD_DIR}/libpmemblkConfig.cmake
	INSTALL_DESTINATION ${PMEMBLK_PACKAGE_DIR}
	PATH_VARS CMAKE_INSTALL_INCLUDEDIR)
write_basic_package_version_file(
	${PMEMBLK_PACKAGE_BUILD_DIR}/libpmemblkConfigVersion.cmake
	VERSION ${PROJECT_VERSION}
	COMPATIBILITY SameMajorVersion)
install(FILES
	${PMEMBLK_PACKAGE_BUILD_DIR}/libpmemblkConfig.cmake
	${PMEMBLK_PACKAGE_BUILD_DIR}/libpmemblkConfigVersion.cmake
	DESTINATION ${PMEMBLK_PACKAGE_DIR})
