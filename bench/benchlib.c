/* benchlib.c - the shared library the fleet maps under M names. */
int benchlib_value(void);

int benchlib_value(void)
{
	return 7;
}
