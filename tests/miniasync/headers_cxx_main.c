/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * headers_cxx_main.c -- runs the C++ translation unit's check.
 */
int headers_cxx_check(void);

int
main(void)
{
	return headers_cxx_check();
}
