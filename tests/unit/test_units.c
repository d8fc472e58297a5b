/* test_units.c - a process's systemd unit from /proc/PID/cgroup text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/internal.h"

/* The unit of the systemd path in cgroup text; kind FS_UNIT_NONE (and
 * name "") when there is none. */
static fs_unit unit_of(const char *text)
{
	fs_unit u = { .kind = FS_UNIT_SYSTEM, .uid = 7, .name = "stale" };
	const char *path;
	size_t len;

	if (fs_cgroup_path(text, strlen(text), &path, &len) < 0) {
		u = (fs_unit){ .kind = FS_UNIT_NONE, .uid = -1 };
		return u;
	}
	fs_unit_parse(path, len, &u);
	return u;
}

static void expect(const char *text, enum fs_unit_kind kind, long uid, const char *name)
{
	fs_unit u = unit_of(text);

	if (u.kind != kind || u.uid != uid || strcmp(u.name, name) != 0)
		fail_msg("%s: got kind %d uid %ld '%s', want kind %d uid %ld '%s'", text,
			 u.kind, u.uid, u.name, kind, uid, name);
}

static void test_system(void **state)
{
	(void)state;
	expect("0::/system.slice/foo.service\n", FS_UNIT_SYSTEM, -1, "foo.service");
	expect("0::/system.slice/system-getty.slice/getty@tty1.service\n", FS_UNIT_SYSTEM, -1,
	       "getty@tty1.service");
	/* a service's own sub-cgroups (Delegate=yes) are still the service */
	expect("0::/system.slice/docker.service/sub/x\n", FS_UNIT_SYSTEM, -1, "docker.service");
	expect("0::/init.scope\n", FS_UNIT_SYSTEM, -1, "init.scope");
	/* a container's scope, whatever runs inside it */
	expect("0::/machine.slice/machine-x.scope/payload/system.slice/sshd.service\n",
	       FS_UNIT_SYSTEM, -1, "machine-x.scope");
	/* systemd's escape of names that could clash with the kernel's */
	expect("0::/system.slice/_cpu.service\n", FS_UNIT_SYSTEM, -1, "cpu.service");
}

static void test_user(void **state)
{
	(void)state;
	expect("0::/user.slice/user-1000.slice/session-3.scope\n", FS_UNIT_SESSION, 1000,
	       "session-3.scope");
	expect("0::/user.slice/user-1000.slice/session-c1.scope\n", FS_UNIT_SESSION, 1000,
	       "session-c1.scope");
	expect("0::/user.slice/user-1000.slice/user@1000.service/app.slice/x.service\n",
	       FS_UNIT_USER, 1000, "x.service");
	expect("0::/user.slice/user-1000.slice/user@1000.service/app.slice/"
	       "app-gnome-firefox-1234.scope\n", FS_UNIT_USER, 1000, "app-gnome-firefox-1234.scope");
	/* the manager itself */
	expect("0::/user.slice/user-1000.slice/user@1000.service/init.scope\n", FS_UNIT_SYSTEM,
	       -1, "user@1000.service");
	expect("0::/user.slice/user-1000.slice/user@1000.service\n", FS_UNIT_SYSTEM, -1,
	       "user@1000.service");
	/* what she names below her delegated subtree stays hers, never the system's */
	expect("0::/user.slice/user-1000.slice/user@1000.service/app.slice/a.service/"
	       "system.slice/sshd.service\n", FS_UNIT_USER, 1000, "a.service");
	/* a session scope outside a user's slice is no session */
	expect("0::/system.slice/session-3.scope\n", FS_UNIT_SYSTEM, -1, "session-3.scope");
}

static void test_v1(void **state)
{
	const char *legacy = "12:pids:/system.slice/foo.service\n"
			     "3:cpu,cpuacct:/system.slice/foo.service\n"
			     "1:name=systemd:/system.slice/foo.service\n"
			     "0::/\n";
	(void)state;
	expect(legacy, FS_UNIT_SYSTEM, -1, "foo.service");
	expect("1:name=systemd:/user.slice/user-0.slice/session-1.scope\n", FS_UNIT_SESSION, 0,
	       "session-1.scope");
	/* hybrid: both hierarchies; v2's path wins when it says more than "/" */
	expect("1:name=systemd:/system.slice/a.service\n0::/system.slice/b.service\n",
	       FS_UNIT_SYSTEM, -1, "b.service");
	/* "name=systemd" must be a whole entry of the list */
	expect("1:name=systemdx:/system.slice/a.service\n", FS_UNIT_NONE, -1, "");
	expect("1:cpu,name=systemd:/system.slice/a.service", FS_UNIT_SYSTEM, -1, "a.service");
}

static void test_none(void **state)
{
	(void)state;
	expect("0::/\n", FS_UNIT_NONE, -1, "");
	expect("0::/user.slice\n", FS_UNIT_NONE, -1, "");
	expect("0::/user.slice/user-1000.slice\n", FS_UNIT_NONE, -1, "");
	expect("", FS_UNIT_NONE, -1, "");
	expect("4:memory:/x\n", FS_UNIT_NONE, -1, "");
	/* not a unit: no known type, or characters systemd never allows */
	expect("0::/system.slice/foo\n", FS_UNIT_NONE, -1, "");
	expect("0::/docker/0123abcd\n", FS_UNIT_NONE, -1, "");
	expect("0::/system.slice/a b.service\n", FS_UNIT_NONE, -1, "");
	expect("0::/system.slice/\033[31mred.service\n", FS_UNIT_NONE, -1, "");
	expect("0::/system.slice//foo.service\n", FS_UNIT_NONE, -1, "");
	expect("0::/system.slice/.service\n", FS_UNIT_NONE, -1, "");
	expect("0::relative.service\n", FS_UNIT_NONE, -1, "");
	/* a uid systemd never gives */
	expect("0::/user.slice/user-01.slice/session-1.scope\n", FS_UNIT_SYSTEM, -1,
	       "session-1.scope");
	expect("0::/user.slice/user-4294967295.slice/session-1.scope\n", FS_UNIT_SYSTEM, -1,
	       "session-1.scope");
	expect("0::/user.slice/user-1000.slice/user@99999999999.service/a.service\n",
	       FS_UNIT_SYSTEM, -1, "user@99999999999.service");
}

static void test_hostile(void **state)
{
	char longname[600], text[700];
	(void)state;
	/* a cgroup name holding a newline (kernels before 4.13) forges a line:
	 * two lines of one hierarchy mean no unit at all */
	expect("0::/user.slice/user-1000.slice/user@1000.service/a\n"
	       "0::/system.slice/sshd.service\n", FS_UNIT_NONE, -1, "");
	expect("1:name=systemd:/a.service\n1:name=systemd:/b.service\n", FS_UNIT_NONE, -1, "");
	/* lines not of the kernel's form */
	expect("x::/system.slice/a.service\n", FS_UNIT_NONE, -1, "");
	expect("0:/system.slice/a.service\n", FS_UNIT_NONE, -1, "");
	expect(":a:/system.slice/a.service\n", FS_UNIT_NONE, -1, "");
	/* a unit name longer than systemd allows */
	memset(longname, 'a', sizeof longname);
	snprintf(text, sizeof text, "0::/system.slice/%.*s.service\n", FS_UNIT_NAME_MAX - 7,
		 longname);
	expect(text, FS_UNIT_NONE, -1, "");
	{
		/* the same, one byte longer */
		fs_unit u;
		const char *p = "/system.slice/";
		char path[700];

		snprintf(path, sizeof path, "%s%.*s.service", p, FS_UNIT_NAME_MAX - 8, longname);
		assert_int_equal(fs_unit_parse(path, strlen(path), &u), 0);
		assert_int_equal(strlen(u.name), FS_UNIT_NAME_MAX);
		snprintf(path, sizeof path, "%s%.*s.service", p, FS_UNIT_NAME_MAX - 7, longname);
		assert_int_equal(fs_unit_parse(path, strlen(path), &u), -1);
		assert_int_equal(u.kind, FS_UNIT_NONE);
		/* a NUL byte inside the given length */
		assert_int_equal(fs_unit_parse("/a.service\0b", 12, &u), -1);
		assert_int_equal(fs_unit_parse(NULL, 0, &u), -1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_system), cmocka_unit_test(test_user),
		cmocka_unit_test(test_v1),     cmocka_unit_test(test_none),
		cmocka_unit_test(test_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
