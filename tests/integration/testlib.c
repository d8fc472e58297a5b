/* testlib.c - a tiny shared library for tests to map under many names;
 * built twice, answering 42 and (testlib2) 43. */
#ifndef TESTLIB_VALUE
#define TESTLIB_VALUE 42
#endif

int testlib_value(void);

int testlib_value(void)
{
	return TESTLIB_VALUE;
}
