# SPDX-License-Identifier: BSD-3-Clause
# static_public_only.cmake -- static libraries that export only their
# public names.
#
# A shared library hides its internals with -fvisibility=hidden, but an
# archive of separate objects cannot: each internal function that one
# object calls in another (err_set, checksum_compute, persist_*, ...)
# stays a global symbol and can clash with a program's own. So the
# installed archive holds one object: the library's objects linked
# together with `cc -r` (references between them resolved), after which
# `objcopy --localize-hidden` turns every hidden-visibility symbol into a
# local one. What stays global is exactly what the shared library exports
# (default visibility). tests/install/static_symbols.sh checks the lists.
#
# add_public_only_static_library(TARGET OBJECT_LIBRARY...)
#   TARGET: a new STATIC library made of the OBJECT_LIBRARYs' objects.
function(add_public_only_static_library target)
	set(objects)
	foreach(objlib ${ARGN})
		list(APPEND objects $<TARGET_OBJECTS:${objlib}>)
	endforeach()
	if(NOT CMAKE_OBJCOPY)
		message(FATAL_ERROR "objcopy not found (binutils): needed for ${target}")
	endif()
	set(merged ${CMAKE_CURRENT_BINARY_DIR}/${target}_merged.o)
	add_custom_command(OUTPUT ${merged}
		COMMAND ${CMAKE_C_COMPILER} -r -nostdlib -o ${merged}.tmp
			${objects}
		COMMAND ${CMAKE_OBJCOPY} --localize-hidden ${merged}.tmp ${merged}
		COMMAND ${CMAKE_COMMAND} -E remove ${merged}.tmp
		DEPENDS ${ARGN} ${objects}
		COMMAND_EXPAND_LISTS
		VERBATIM
		COMMENT "Linking ${target}'s objects into one, internals made local")
	set_source_files_properties(${merged} PROPERTIES
		EXTERNAL_OBJECT TRUE GENERATED TRUE)
	add_library(${target} STATIC ${merged})
	set_target_properties(${target} PROPERTIES LINKER_LANGUAGE C)
endfunction()
