/* test_text.c - text for people: every byte that could steer a terminal
 * is shown as \ooo (plugin/core/text.c, docs/cli.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forksafe.h"

static void expect(const char *in, const char *want)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	fs_text_write(f, in);
	fclose(f);
	assert_string_equal(buf, want);
	free(buf);
}

static void test_controls(void **state)
{
	(void)state;
	expect("plain /usr/lib/x.so", "plain /usr/lib/x.so");
	expect("\x1b]2;x\a\x1b[2J", "\\033]2;x\\007\\033[2J");
	expect("a\nb\tc\rd", "a\\012b\\011c\\015d");
	expect("\x01\x1f\x7f", "\\001\\037\\177");
	expect("", "");
}

static void test_c1_and_utf8(void **state)
{
	(void)state;
	/* C1 as UTF-8: U+0080, U+009B (CSI), U+009F: both bytes shown */
	expect("a\xc2\x80z", "a\\302\\200z");
	expect("a\xc2\x9b" "2J", "a\\302\\2332J");
	expect("\xc2\x9f", "\\302\\237");
	/* U+00A0 and up pass, as does any other valid UTF-8 */
	expect("\xc2\xa0 caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
	       "\xc2\xa0 caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	/* raw C1 bytes and invalid UTF-8: each byte shown */
	expect("lib\x9braw.so", "lib\\233raw.so");
	expect("\x80\xff", "\\200\\377");
	expect("a\xc3", "a\\303");             /* cut short */
	expect("\xc0\xaf", "\\300\\257");      /* overlong */
	expect("\xed\xa0\x80", "\\355\\240\\200"); /* surrogate */
}

static void test_line(void **state)
{
	char *buf = NULL, big[3000];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	(void)state;
	assert_non_null(f);
	fs_text_line(f, "forksafe: %s: %d", "a\nb", 7);
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	big[5] = '\x1b';
	fs_text_line(f, "%s", big); /* longer than the line's first buffer */
	fclose(f);
	assert_memory_equal(buf, "forksafe: a\\012b: 7\nxxxxx\\033xx", 29);
	assert_int_equal(len, 20 + sizeof big - 1 + 3 + 1);
	assert_int_equal(buf[len - 1], '\n');
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_controls),
		cmocka_unit_test(test_c1_and_utf8),
		cmocka_unit_test(test_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
