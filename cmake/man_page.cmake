# SPDX-License-Identifier: BSD-3-Clause
# man_page(SRC OUTDIR OUTVAR): renders the markdown man page SRC (named
# NAME.SECTION.md) into OUTDIR/NAME.SECTION with pandoc, installs it under
# ${CMAKE_INSTALL_MANDIR}/manSECTION and appends the output to OUTVAR.
# Every man page of the project (doc/, nbdkit/) is rendered here, the same way:
#   -smart: "--json" stays two hyphens (not an en-dash) and quotes stay
#   ASCII; .nh: no hyphenation, so no U+2010 at line ends. Copied from the
#   rendered page, options and names still work (tests/install/man.sh).
# Needs PANDOC_EXECUTABLE.
function(man_page src outdir outvar)
	get_filename_component(page ${src} NAME_WLE)	# e.g. pmemblk_create.3
	string(REGEX REPLACE ".*\\.([0-9])$" "\\1" section ${page})
	set(out ${outdir}/${page})
	add_custom_command(OUTPUT ${out}
		COMMAND ${CMAKE_COMMAND} -E make_directory ${outdir}
		COMMAND ${PANDOC_EXECUTABLE} --standalone --from markdown-smart --to man
			--variable header-includes=.nh
			--metadata "footer=libpmemblk ${PROJECT_VERSION}"
			--output ${out} ${src}
		DEPENDS ${src}
		COMMENT "Building man page ${page}"
		VERBATIM)
	install(FILES ${out} DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section})
	set(${outvar} ${${outvar}} ${out} PARENT_SCOPE)
endfunction()
