/* test_json.c - the JSON writer: structure, escaping, UTF-8 repair. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"

static char *render_string(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	fs_json_write_string(f, s);
	fclose(f);
	return buf;
}

static void expect(const char *in, const char *out)
{
	char *got = render_string(in);

	assert_string_equal(got, out);
	free(got);
}

static void test_escapes(void **state)
{
	(void)state;
	expect("plain", "\"plain\"");
	expect("a\"b\\c", "\"a\\\"b\\\\c\"");
	expect("l1\nl2\tt\rr", "\"l1\\nl2\\tt\\rr\"");
	expect("\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"");
}

static void test_utf8(void **state)
{
	(void)state;
	expect("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
	/* invalid: lone continuation, truncated, overlong, surrogate, > U+10FFFF */
	expect("a\x80z", "\"a\xef\xbf\xbdz\"");
	expect("a\xc3", "\"a\xef\xbf\xbd\"");
	expect("\xc0\xaf", "\"\xef\xbf\xbd\xef\xbf\xbd\"");
	expect("\xe0\x80\xaf", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
	expect("\xed\xa0\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
	expect("\xf4\x90\x80\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
}

static void test_structure(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	fs_json j;
	(void)state;

	fs_json_init(&j, f);
	fs_json_obj_begin(&j, NULL);
	fs_json_int(&j, "a", -5);
	fs_json_arr_begin(&j, "b");
	fs_json_uint(&j, NULL, 18446744073709551615ull);
	fs_json_bool(&j, NULL, 1);
	fs_json_obj_begin(&j, NULL);
	fs_json_obj_end(&j);
	fs_json_arr_begin(&j, NULL);
	fs_json_arr_end(&j);
	fs_json_null(&j, NULL);
	fs_json_str(&j, NULL, NULL);
	fs_json_arr_end(&j);
	fs_json_str(&j, "c", "x");
	fs_json_obj_end(&j);
	assert_int_equal(fs_json_finish(&j), 0);
	fclose(f);
	assert_string_equal(buf, "{\"a\":-5,\"b\":[18446744073709551615,true,{},[],null,null],\"c\":\"x\"}\n");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_structure),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
