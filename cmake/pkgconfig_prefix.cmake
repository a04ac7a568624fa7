# SPDX-License-Identifier: BSD-3-Clause
# pkgconfig_prefix.cmake -- PC_PREFIX, the "prefix=" value of our .pc
# files: ${pcfiledir} followed by the way up from the installed .pc file
# (<prefix>/<libdir>/pkgconfig) to the prefix, e.g. ${pcfiledir}/../..
# for lib/ or ${pcfiledir}/../../.. for lib/x86_64-linux-gnu/. So the
# files stay right after `cmake --install --prefix DIR` or a copied tree,
# as the CMake package does. An absolute CMAKE_INSTALL_LIBDIR cannot be
# relocated: then the configured prefix is written.

if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
	set(PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
	file(RELATIVE_PATH _pc_up "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
	string(REGEX REPLACE "/$" "" _pc_up "${_pc_up}")
	set(PC_PREFIX "\${pcfiledir}/${_pc_up}")
	unset(_pc_up)
endif()
