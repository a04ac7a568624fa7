# SPDX-License-Identifier: BSD-3-Clause
# package_files.cmake -- the files other build systems use to find an
# installed library of this project: NAME.pc for pkg-config and the CMake
# package (NAMEConfig.cmake, NAMEConfigVersion.cmake, NAMETargets.cmake)
# for find_package(NAME), from cmake/NAME.pc.in and cmake/NAMEConfig.cmake.in.
# The library's targets are installed with EXPORT NAMETargets.
#
# The .pc files are relocatable: "prefix=" is ${pcfiledir} followed by the
# way up from the installed file (<prefix>/<libdir>/pkgconfig) to the
# prefix (PC_PREFIX, e.g. ${pcfiledir}/../..), so they stay right after
# `cmake --install --prefix DIR` or a moved tree, as the CMake package
# does. An absolute CMAKE_INSTALL_LIBDIR cannot be relocated: then the
# configured prefix is written.
include(CMakePackageConfigHelpers)

if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
	set(PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
	file(RELATIVE_PATH _pc_up "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
	string(REGEX REPLACE "/$" "" _pc_up "${_pc_up}")
	set(PC_PREFIX "\${pcfiledir}/${_pc_up}")
	unset(_pc_up)
endif()

# install_package_files(NAME VERSION COMPATIBILITY): VERSION goes into the
# CMake package's version file (COMPATIBILITY as in
# write_basic_package_version_file); NAME.pc.in takes its own @VARS@.
function(install_package_files name version compatibility)
	set(build_dir ${PROJECT_BINARY_DIR}/cmake)
	set(package_dir ${CMAKE_INSTALL_LIBDIR}/cmake/${name})
	configure_file(${PROJECT_SOURCE_DIR}/cmake/${name}.pc.in
		${build_dir}/${name}.pc @ONLY)
	install(FILES ${build_dir}/${name}.pc
		DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
	install(EXPORT ${name}Targets
		NAMESPACE ${name}::
		DESTINATION ${package_dir})
	configure_package_config_file(
		${PROJECT_SOURCE_DIR}/cmake/${name}Config.cmake.in
		${build_dir}/${name}Config.cmake
		INSTALL_DESTINATION ${package_dir}
		PATH_VARS CMAKE_INSTALL_INCLUDEDIR)
	write_basic_package_version_file(
		${build_dir}/${name}ConfigVersion.cmake
		VERSION ${version}
		COMPATIBILITY ${compatibility})
	install(FILES
		${build_dir}/${name}Config.cmake
		${build_dir}/${name}ConfigVersion.cmake
		DESTINATION ${package_dir})
endfunction()
