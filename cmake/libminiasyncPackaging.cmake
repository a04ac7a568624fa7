# SPDX-License-Identifier: BSD-3-Clause
# libminiasyncPackaging.cmake -- how other build systems find the
# installed libminiasync: libminiasync.pc for pkg-config, and the CMake
# package for find_package(libminiasync) with the imported targets
# libminiasync::miniasync (libminiasync.so.0) and
# libminiasync::miniasync_static (libminiasync.a). Included from
# src/miniasync/CMakeLists.txt, which installs the targets with
# EXPORT libminiasyncTargets.
include(CMakePackageConfigHelpers)
include(${CMAKE_CURRENT_LIST_DIR}/pkgconfig_prefix.cmake)

set(MINIASYNC_PACKAGE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/libminiasync)
set(MINIASYNC_PACKAGE_BUILD_DIR ${PROJECT_BINARY_DIR}/cmake)

configure_file(${CMAKE_CURRENT_LIST_DIR}/libminiasync.pc.in
	${MINIASYNC_PACKAGE_BUILD_DIR}/libminiasync.pc @ONLY)
install(FILES ${MINIASYNC_PACKAGE_BUILD_DIR}/libminiasync.pc
	DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

install(EXPORT libminiasyncTargets
	NAMESPACE libminiasync::
	DESTINATION ${MINIASYNC_PACKAGE_DIR})
configure_package_config_file(
	${CMAKE_CURRENT_LIST_DIR}/libminiasyncConfig.cmake.in
	${MINIASYNC_PACKAGE_BUILD_DIR}/libminiasyncConfig.cmake
	INSTALL_DESTINATION ${MINIASYNC_PACKAGE_DIR}
	PATH_VARS CMAKE_INSTALL_INCLUDEDIR)
write_basic_package_version_file(
	${MINIASYNC_PACKAGE_BUILD_DIR}/libminiasyncConfigVersion.cmake
	VERSION ${MINIASYNC_VERSION}
	COMPATIBILITY SameMinorVersion)
install(FILES
	${MINIASYNC_PACKAGE_BUILD_DIR}/libminiasyncConfig.cmake
	${MINIASYNC_PACKAGE_BUILD_DIR}/libminiasyncConfigVersion.cmake
	DESTINATION ${MINIASYNC_PACKAGE_DIR})
