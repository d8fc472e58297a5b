/* testdll.c - a DLL for the Wine tests to load; VALUE tells builds apart. */
#ifndef TESTDLL_VALUE
#define TESTDLL_VALUE 42
#endif

__declspec(dllexport) int testdll_value(void)
{
	return TESTDLL_VALUE;
}
