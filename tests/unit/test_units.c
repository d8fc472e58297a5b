/* test_units.c - a process's systemd unit from /proc/PID/cgroup text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/render.h"
#include "core/report_units.h"
#include "core/units.h"

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

/* A report of the processes given, units from their cgroup paths. */
static char *summary(const fs_proc *procs, const int *must, size_t n, int json)
{
	fs_report_proc rp[8];
	fs_scan scan = { .systemd = 1 };
	fs_report_result r = { .scan = &scan, .n = n, .v = rp };
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	fs_json j;

	assert_non_null(f);
	assert_true(n <= 8);
	for (size_t i = 0; i < n; i++)
		rp[i] = (fs_report_proc){ .proc = &procs[i], .must_restart = must[i] };
	fs_report_units(&r);
	if (json) {
		fs_json_doc(&j, f);
		assert_int_equal(fs_units_json(&j, &r), 0);
		fs_json_obj_end(&j);
		fs_json_finish(&j);
	} else {
		assert_int_equal(fs_units_write_text(&r, f), 0);
	}
	fclose(f);
	return text;
}

static void test_summary(void **state)
{
	const fs_proc procs[] = {
		{ .pid = 1, .comm = "systemd", .cgroup = "/init.scope" },
		{ .pid = 20, .comm = "cron", .cgroup = "/system.slice/cron.service" },
		{ .pid = 21, .comm = "sshd", .cgroup = "/system.slice/ssh.service" },
		{ .pid = 22, .comm = "cron", .cgroup = "/system.slice/cron.service" },
		{ .pid = 30, .comm = "vim",
		  .cgroup = "/user.slice/user-1000.slice/session-3.scope" },
		{ .pid = 31, .comm = "app",
		  .cgroup = "/user.slice/user-1000.slice/user@1000.service/app.slice/x.service" },
		{ .pid = 40, .comm = "nginx", .cgroup = "/system.slice/docker-1f.scope" },
		{ .pid = 50, .comm = "sleep", .cgroup = "/" },
	};
	/* sleep maps a replaced libc: no unit restart reaches it */
	const int must[] = { 0, 0, 1, 0, 1, 0, 0, 1 };
	char *text = summary(procs, must, 8, 0), *json;
	(void)state;
	assert_string_equal(text,
		"restart by unit:\n"
		"  systemctl restart cron.service ssh.service\n"
		"  systemctl --user -M 1000@ restart x.service\n"
		"  in user sessions (they restart when their user logs out and in):"
		" session-3.scope (uid 1000): 30 vim;\n"
		"  in other units (scopes, containers: systemctl restart does not restart them):"
		" docker-1f.scope: 40 nginx;\n"
		"  reboot-level (the init process, or the loader or libc outside any service or"
		" session: systemctl daemon-reexec for PID 1, else a reboot): 1 systemd 50 sleep\n");
	json = summary(procs, must, 8, 1);
	assert_non_null(strstr(json,
		"\"services\":[{\"unit\":\"cron.service\",\"unit_type\":\"system\","
		"\"unit_uid\":null,\"pids\":[20,22]},{\"unit\":\"ssh.service\""));
	assert_non_null(strstr(json, "\"reboot_level\":[1,50],\"no_unit\":[]"));
	assert_non_null(strstr(json, "\"user_units\":[{\"unit\":\"x.service\","
				     "\"unit_type\":\"user\",\"unit_uid\":1000,\"pids\":[31]}]"));
	free(text);
	free(json);
}

static void test_summary_without_systemd(void **state)
{
	const fs_proc p = { .pid = 20, .comm = "cron", .cgroup = "/system.slice/cron.service" };
	fs_report_proc rp = { .proc = &p };
	fs_scan scan = { .systemd = 0 };
	fs_report_result r = { .scan = &scan, .n = 1, .v = &rp };
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	(void)state;
	fs_report_units(&r);
	assert_int_equal(rp.unit.kind, FS_UNIT_NONE);
	assert_int_equal(fs_units_write_text(&r, f), 0);
	fclose(f);
	assert_string_equal(text, "");
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_system), cmocka_unit_test(test_user),
		cmocka_unit_test(test_v1),     cmocka_unit_test(test_none),
		cmocka_unit_test(test_hostile), cmocka_unit_test(test_summary),
		cmocka_unit_test(test_summary_without_systemd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
