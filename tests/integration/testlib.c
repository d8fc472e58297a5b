/* testlib.c - a tiny shared library for tests to map under many names. */
int testlib_value(void);

int testlib_value(void)
{
	return 42;
}
