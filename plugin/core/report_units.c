/*
 * report_units.c - the restart report by systemd unit: which services to
 * restart, which user units, which login sessions hold stale processes,
 * and which processes no unit restart reaches (the init process, and the
 * loader or libc outside any service or session).
 */
#include "json.h"
#include "report_units.h"
#include "units.h"

#include <stdlib.h>
#include <string.h>

void fs_report_units(fs_report_result *r)
{
	r->systemd = r->scan->systemd;
	for (size_t i = 0; i < r->n; i++) {
		const char *cg = r->v[i].proc->cgroup;

		r->v[i].unit = (fs_unit){ .kind = FS_UNIT_NONE, .uid = -1 };
		if (r->systemd && cg)
			fs_unit_parse(cg, strlen(cg), &r->v[i].unit);
	}
}

/* The summary's groups, in the order they are written. */
enum group { G_SERVICE, G_USER, G_SESSION, G_OTHER, G_REBOOT, G_NONE, G_COUNT };

static int is_service(const fs_unit *u)
{
	size_t n = strlen(u->name);

	return n > 8 && strcmp(u->name + n - 8, ".service") == 0;
}

static enum group group_of(const fs_report_proc *rp)
{
	const fs_unit *u = &rp->unit;
	int restartable = u->kind == FS_UNIT_USER || u->kind == FS_UNIT_SESSION ||
			  (u->kind == FS_UNIT_SYSTEM && is_service(u));

	if (rp->proc->pid == 1 || (rp->must_restart && !restartable))
		return G_REBOOT;
	switch (u->kind) {
	case FS_UNIT_SYSTEM:
		return is_service(u) ? G_SERVICE : G_OTHER;
	case FS_UNIT_USER:
		return G_USER;
	case FS_UNIT_SESSION:
		return G_SESSION;
	default:
		return G_NONE;
	}
}

/* Groups of processes, not of units: listed by pid alone. */
static int by_pid_only(enum group g)
{
	return g == G_REBOOT || g == G_NONE;
}

struct entry {
	enum group g;
	const fs_report_proc *rp;
};

static int by_unit(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c;

	if (x->g != y->g)
		return x->g < y->g ? -1 : 1;
	if (by_pid_only(x->g))
		return (x->rp->proc->pid > y->rp->proc->pid) - (x->rp->proc->pid < y->rp->proc->pid);
	if (x->rp->unit.uid != y->rp->unit.uid)
		return x->rp->unit.uid < y->rp->unit.uid ? -1 : 1;
	if ((c = strcmp(x->rp->unit.name, y->rp->unit.name)) != 0)
		return c;
	return (x->rp->proc->pid > y->rp->proc->pid) - (x->rp->proc->pid < y->rp->proc->pid);
}

/* r's processes sorted by group, uid, unit and pid; NULL when out of memory. */
static struct entry *entries(const fs_report_result *r)
{
	struct entry *v = malloc((r->n + 1) * sizeof *v);

	if (!v)
		return NULL;
	for (size_t i = 0; i < r->n; i++)
		v[i] = (struct entry){ group_of(&r->v[i]), &r->v[i] };
	qsort(v, r->n, sizeof *v, by_unit);
	return v;
}

static int same_unit(const struct entry *a, const struct entry *b)
{
	return a->g == b->g && (by_pid_only(a->g) || (a->rp->unit.uid == b->rp->unit.uid &&
	       strcmp(a->rp->unit.name, b->rp->unit.name) == 0));
}

/* The end of the run of entries from i with i's unit. */
static size_t run_end(const struct entry *v, size_t n, size_t i)
{
	size_t k = i + 1;

	while (k < n && same_unit(&v[i], &v[k]))
		k++;
	return k;
}

void fs_unit_text(FILE *f, const fs_unit *u)
{
	if (u->kind == FS_UNIT_NONE)
		return;
	if (u->kind == FS_UNIT_USER)
		fprintf(f, " [user %ld: ", u->uid);
	else
		fputs(" [", f);
	fs_text_write(f, u->name);
	putc(']', f);
}

void fs_unit_json(fs_json *j, const fs_unit *u)
{
	static const char *const types[] = { NULL, "system", "user", "session" };

	fs_json_str(j, "unit", u->kind == FS_UNIT_NONE ? NULL : u->name);
	fs_json_str(j, "unit_type", types[u->kind]);
	if (u->uid >= 0)
		fs_json_int(j, "unit_uid", u->uid);
	else
		fs_json_null(j, "unit_uid");
}

static void text_pids(FILE *f, const struct entry *v, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		fprintf(f, " %d ", v[i].rp->proc->pid);
		fs_text_write(f, v[i].rp->proc->comm);
	}
}

static const char *const heading[G_COUNT] = {
	[G_SESSION] = "in user sessions (they restart when their user logs out and in):",
	[G_OTHER] = "in other units (scopes, containers: systemctl restart does not restart them):",
	[G_REBOOT] = "reboot-level (the init process, or the loader or libc outside any service "
		     "or session: systemctl daemon-reexec for PID 1, else a reboot):",
	[G_NONE] = "in no unit:",
};

/* One line per group: a command for services and user units, the
 * processes for the others. */
static void text_group(FILE *f, const struct entry *v, size_t from, size_t to)
{
	enum group g = v[from].g;

	if (g == G_SERVICE)
		fputs("  systemctl restart", f);
	else if (g == G_USER)
		fprintf(f, "  systemctl --user -M %ld@ restart", v[from].rp->unit.uid);
	else
		fprintf(f, "  %s", heading[g]);
	for (size_t i = from; i < to; i = run_end(v, to, i)) {
		if (!by_pid_only(g)) {
			putc(' ', f);
			fs_text_write(f, v[i].rp->unit.name);
		}
		if (g == G_SESSION)
			fprintf(f, " (uid %ld)", v[i].rp->unit.uid);
		if (g == G_SESSION || g == G_OTHER)
			putc(':', f);
		if (g != G_SERVICE && g != G_USER)
			text_pids(f, v, i, run_end(v, to, i));
		if (g == G_SESSION || g == G_OTHER)
			putc(';', f);
	}
	putc('\n', f);
}

/* Groups end where the group changes, and for user units where the uid does. */
static size_t group_end(const struct entry *v, size_t n, size_t i)
{
	size_t k = i + 1;

	while (k < n && v[k].g == v[i].g &&
	       (v[i].g != G_USER || v[k].rp->unit.uid == v[i].rp->unit.uid))
		k++;
	return k;
}

int fs_units_write_text(const fs_report_result *r, FILE *f)
{
	struct entry *v;

	if (!r->systemd || r->n == 0)
		return 0; /* no systemd: nothing to say about units */
	if (!(v = entries(r)))
		return -1;
	fputs("restart by unit:\n", f);
	for (size_t i = 0; i < r->n; i = group_end(v, r->n, i))
		text_group(f, v, i, group_end(v, r->n, i));
	free(v);
	return 0;
}

static void json_pids(fs_json *j, const char *key, const struct entry *v, size_t from,
		      size_t to)
{
	fs_json_arr_begin(j, key);
	for (size_t i = from; i < to; i++)
		fs_json_int(j, NULL, v[i].rp->proc->pid);
	fs_json_arr_end(j);
}

static void json_group(fs_json *j, const char *key, enum group g, const struct entry *v,
		       size_t n)
{
	fs_json_arr_begin(j, key);
	for (size_t i = 0; i < n; i = run_end(v, n, i)) {
		if (v[i].g != g)
			continue;
		if (by_pid_only(g)) {
			for (size_t k = i; k < run_end(v, n, i); k++)
				fs_json_int(j, NULL, v[k].rp->proc->pid);
			continue;
		}
		fs_json_obj_begin(j, NULL);
		fs_unit_json(j, &v[i].rp->unit);
		json_pids(j, "pids", v, i, run_end(v, n, i));
		fs_json_obj_end(j);
	}
	fs_json_arr_end(j);
}

int fs_units_json(fs_json *j, const fs_report_result *r)
{
	static const char *const keys[G_COUNT] = {
		"services", "user_units", "sessions", "other", "reboot_level", "no_unit",
	};
	struct entry *v;

	if (!r->systemd) {
		fs_json_null(j, "units");
		return 0;
	}
	if (!(v = entries(r)))
		return -1;
	fs_json_obj_begin(j, "units");
	for (int g = 0; g < G_COUNT; g++)
		json_group(j, keys[g], (enum group)g, v, r->n);
	fs_json_obj_end(j);
	free(v);
	return 0;
}
