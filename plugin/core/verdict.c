/*
 * verdict.c - what the next fork() of each process of a Cygwin or MSYS2
 * installation will do, judged as the runtime does it (BRIEF.md, "Facts
 * from the runtime's sources"):
 *
 *  - fork reloads every module from the path it was loaded from; an image
 *    whose path now names another file (or none) makes the first attempt
 *    fail (or, with the same address and layout, run new code);
 *  - the runtime then retries with hardlinks it makes of each loaded file,
 *    opened by the file ID it recorded at load, relative to the cygfork
 *    directory's volume: only if its retry is on, and only for a file that
 *    still has a name somewhere on that volume;
 *  - whether the retry is on was decided once, by the installation's first
 *    process, while var/run/cygfork existed (on NTFS) or not, and holds
 *    while any process of the installation runs;
 *  - a replaced runtime DLL is never fork-safe.
 *
 * The loaded file is the file the module's section maps now (Windows
 * follows renames, into the recycle bin too); where the system shows no
 * change (Wine keeps a renamed module's old name), guard's manifests say
 * what a process mapped when the transaction began.
 */
#include "err.h"
#include "os_fork.h"
#include "render.h"
#include "store.h"
#include "vec.h"
#include "verdict.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* The decision can lag the first process's start by its start-up. */
#define START_SLACK (2ull * 10000000) /* 2 s in 100 ns units */

static int same_id(fs_id a, fs_id b)
{
	return a.dev == b.dev && a.ino == b.ino;
}

int fs_fork_same_path(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a == '\\' ? '/' : *a, y = *b == '\\' ? '/' : *b;

		if (x >= 'A' && x <= 'Z')
			x = (char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (char)(y - 'A' + 'a');
		if (x != y)
			return 0;
	}
	return *a == *b;
}

char *fs_fork_strf(const char *f, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, f);
	n = vsnprintf(NULL, 0, f, ap);
	va_end(ap);
	if (n < 0 || !(s = malloc((size_t)n + 1)))
		return NULL;
	va_start(ap, f);
	vsnprintf(s, (size_t)n + 1, f, ap);
	va_end(ap);
	return s;
}

/* ---- guard's records: what each process mapped when a snapshot was made -- */

struct records {
	fs_manifest *m;
	char **snap;
	size_t n;
};

static void records_free(struct records *r)
{
	for (size_t i = 0; i < r->n; i++) {
		fs_manifest_free(&r->m[i]);
		free(r->snap[i]);
	}
	free(r->m);
	free(r->snap);
}

/* Reads the manifests without the store lock: they are written atomically,
 * and a reader must never wait for a transaction. */
static int records_load(const fs_store_opts *opts, struct records *r, fs_err *err)
{
	fs_store *s;
	char **names = NULL;
	size_t nnames = 0;
	int missing, rc = 0;

	memset(r, 0, sizeof *r);
	if (!opts || !(s = fs_store_open(opts, 0, &missing, err)))
		return !opts || missing ? 0 : -1;
	if (fs_store_list(s, &names, &nnames, err) < 0)
		rc = -1;
	else if (!(r->m = calloc(nnames + 1, sizeof *r->m)) ||
		 !(r->snap = calloc(nnames + 1, sizeof *r->snap)))
		rc = fs_fail(err, "out of memory");
	for (size_t i = 0; rc == 0 && i < nnames; i++) {
		fs_err lerr;

		if (!fs_store_is_snapshot(names[i]) || fs_store_load(s, names[i], &r->m[r->n], &lerr) < 0)
			continue; /* an unreadable manifest records nothing */
		r->snap[r->n++] = names[i];
		names[i] = NULL;
	}
	for (size_t i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	fs_store_close(s);
	return rc;
}

/* The identity guard saw p map at rel (the path inside the root). */
static const fs_manifest_entry *record_for(const struct records *r, const char *rel,
					   const fs_proc *p, const char **snap)
{
	for (size_t i = 0; i < r->n; i++)
		for (size_t e = 0; e < r->m[i].n; e++) {
			const fs_manifest_entry *en = &r->m[i].v[e];

			if (!fs_fork_same_path(rel + (rel[0] == '/'), en->path))
				continue;
			for (size_t k = 0; k < en->nprocs; k++)
				if (en->procs[k].pid == p->pid &&
				    en->procs[k].start_time == p->start_time) {
					*snap = r->snap[i];
					return en;
				}
		}
	return NULL;
}

/* ---- one process ------------------------------------------------------------ */

struct member {
	const fs_proc *p;
	fs_os_loaded *l;
	size_t n;
};

struct judged {
	const char *path;      /* the first replaced image that decides */
	char *where;           /* where its old file is */
	int runtime, reach, replaced, unreachable;
	int unchecked;         /* images whose file we may not open */
};

static int is_runtime(const fs_fork_info *fi, const char *path)
{
	return fs_fork_same_path(path, fi->runtime);
}

/* Where a replaced image's old file is, for people. */
static char *where_of(const fs_os_loaded *l, const char *snap)
{
	if (snap)
		return fs_fork_strf("kept in the store (%s)", snap);
	if (!l->mapped)
		return fs_fork_strf("no name left");
	if (strstr(l->mapped, "$Recycle.Bin") || strstr(l->mapped, "$RECYCLE.BIN"))
		return fs_fork_strf("in the recycle bin: %s", l->mapped);
	if (!fs_fork_same_path(l->mapped, l->path))
		return fs_fork_strf("renamed to %s", l->mapped);
	return fs_fork_strf("at %s", l->mapped);
}

static int judge_image(const fs_fork_info *fi, const char *root, const struct records *rec,
		       const char *reach_dir, const fs_proc *p, const fs_os_loaded *l,
		       struct judged *j)
{
	const char *rel = fs_os_under_root(l->path, root), *snap = NULL;
	const fs_manifest_entry *en = rel ? record_for(rec, rel, p, &snap) : NULL;
	int replaced = 0, reach = 0, rt;

	/* The runtime re-loads in the child only the program and the DLLs of
	 * its installation (its dll_list: those linked to it); Windows' own
	 * DLLs (C:/Windows/...) the child gets from Windows, whatever happened
	 * to them: not the fork's business.  (Wine maps its builtin DLLs from
	 * the host while the prefix's system32 holds copies: judged, they all
	 * looked replaced.) */
	if (!rel)
		return 0;
	if (!l->mapped && l->denied && !en) {
		j->unchecked++; /* another user's file: neither same nor replaced */
		return 0;
	}
	if (l->mapped && (!l->now || !same_id(l->now_id, l->id))) {
		replaced = 1; /* the system shows the loaded file elsewhere */
		reach = l->reachable;
		snap = NULL;
	} else if (en && (!l->now || !same_id(l->now_id, en->id))) {
		replaced = 1; /* guard saw it map another file there */
		reach = fs_os_reachable(reach_dir, en->id);
	} else if (!l->mapped) {
		replaced = 1; /* its file has no name left: gone */
	}
	if (!replaced)
		return 0;
	j->replaced++;
	j->unreachable += !reach;
	rt = is_runtime(fi, l->path);
	/* what decides: the runtime first, then an unreachable one, then any */
	if (!j->path || (rt && !j->runtime) || (!j->runtime && !rt && !reach && j->reach)) {
		free(j->where);
		if (!(j->where = where_of(l, snap)))
			return -1;
		j->path = l->path;
		j->reach = reach;
		j->runtime = rt;
	}
	return 0;
}

static int judge(fs_fork_info *fi, const char *root, const struct records *rec,
		 const char *reach_dir, const struct member *m, fs_fork_proc *out)
{
	struct judged j = { 0 };
	const char *more = "";
	char extra[48] = "";

	for (size_t i = 0; i < m->n; i++)
		if (judge_image(fi, root, rec, reach_dir, m->p, &m->l[i], &j) < 0) {
			free(j.where);
			return -1;
		}
	if (j.replaced > 1) {
		snprintf(extra, sizeof extra, " (and %d more replaced)", j.replaced - 1);
		more = extra;
	}
	out->pid = m->p->pid;
	out->start_time = m->p->start_time;
	out->proc = m->p;
	if (!j.replaced) {
		out->verdict = FS_FORK_OK;
		out->reason = fs_fork_strf("every loaded image is still the file at its path");
	} else if (j.runtime) {
		out->verdict = FS_FORK_RESTART;
		out->reason = fs_fork_strf("the runtime %s was replaced%s: no fork works across a new "
				  "runtime, restart it", j.path, more);
	} else if (!j.reach) {
		out->verdict = FS_FORK_FAILS;
		out->reason = fs_fork_strf("%s was replaced%s and the old file cannot be opened by its file "
				  "ID from %s (%s: gone, or on another volume)", j.path, more,
				  reach_dir, j.where);
	} else if (fi->retry != FS_RETRY_ON) {
		out->verdict = FS_FORK_FAILS;
		out->reason = fs_fork_strf("%s was replaced%s and the runtime's retry is %s: %s", j.path, more,
				  fi->retry == FS_RETRY_OFF ? "off" : "not proven on",
				  fi->retry_reason);
	} else {
		out->verdict = FS_FORK_RETRY;
		out->reason = fs_fork_strf("%s was replaced%s: the runtime's retry links the old file (%s)",
				  j.path, more, j.where);
	}
	free(j.where);
	if (out->reason && j.unchecked) {
		char *r = fs_fork_strf("%s (%d image%s not checked: the file may not be opened)", out->reason,
			      j.unchecked, j.unchecked == 1 ? "" : "s");

		free(out->reason);
		out->reason = r;
	}
	return out->reason ? 0 : -1;
}

/* ---- the installation's retry ------------------------------------------------ */

/* A running process holds one of the runtime's cygfork mutexes: its runtime
 * made links, which it does only with the retry on. */
static int held_entry(fs_os_inst *in, char **held, fs_err *err)
{
	char **names;
	size_t n;
	int found = 0;

	fs_err lerr;

	(void)err;
	*held = NULL;
	if (fs_os_cygfork_list(in, &names, &n, &lerr) < 0)
		return 0; /* cannot be listed: proves nothing */
	for (size_t i = 0; i < n; i++) {
		fs_err cerr;

		if (!found && fs_os_cygfork_check(in, names[i], 0, &cerr) == 1) {
			char *slash = strchr(names[i], '/');

			if (slash)
				*slash = '@'; /* "SID/ENTRY" -> the mutex's "SID@ENTRY" */
			found = 1;
			*held = names[i];
			continue;
		}
		free(names[i]);
	}
	free(names);
	return found;
}

static int decide_retry(fs_fork_info *fi, fs_os_inst *in, const fs_os_cygfork_facts *f,
			const struct member *m, size_t nm, fs_err *err)
{
	const fs_proc *oldest = NULL;
	char *held = NULL;
	int r;

	for (size_t i = 0; i < nm; i++)
		if (!oldest || m[i].p->start_time < oldest->start_time)
			oldest = m[i].p;
	if (!f->exists || !f->ntfs) {
		fi->retry = FS_RETRY_OFF;
		fi->retry_reason = fs_fork_strf(!f->exists ? "%s does not exist" : "%s is not on NTFS",
				       fi->cygfork);
		return fi->retry_reason ? 0 : fs_fail(err, "out of memory");
	}
	if ((r = held_entry(in, &held, err)) < 0)
		return -1;
	if (r) {
		fi->retry = FS_RETRY_ON;
		fi->retry_reason = fs_fork_strf("a running process holds the runtime's mutex cygfork@%s: its "
				       "runtime made fork links, which it does only with the retry on",
				       held);
	} else if (f->created <= f->boot) {
		fi->retry = FS_RETRY_ON;
		fi->retry_reason = fs_fork_strf("%s existed before the machine started, so before every "
				       "process of the installation", fi->cygfork);
	} else if (!oldest) {
		fi->retry = FS_RETRY_ON;
		fi->retry_reason = fs_fork_strf("no process of the installation runs: the next ones get "
				       "the retry");
	} else if (f->created > oldest->start_time + START_SLACK) {
		fi->retry = FS_RETRY_OFF;
		fi->retry_reason = fs_fork_strf("%s appeared after process %d of the installation started: "
				       "the runtime decided without it, until every process of the "
				       "installation has exited", fi->cygfork, oldest->pid);
	} else {
		fi->retry = FS_RETRY_UNPROVEN;
		fi->retry_reason = fs_fork_strf("%s existed when the oldest running process (%d) started, but "
				       "an earlier process, since exited, may have started the "
				       "installation without it", fi->cygfork, oldest->pid);
	}
	free(held);
	return fi->retry_reason ? 0 : fs_fail(err, "out of memory");
}

/* ---- the installation's processes -------------------------------------------- */

static int of_installation(const fs_fork_info *fi, const fs_os_loaded *l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (is_runtime(fi, l[i].path))
			return 1;
	return 0;
}

static int collect(fs_fork_info *fi, fs_os_inst *in, const char *reach_dir, const fs_scan *scan,
		   struct member **m, size_t *nm, fs_err *err)
{
	size_t cap = 0;

	*m = NULL;
	*nm = 0;
	fi->unread = scan->unreadable; /* the scan could not read them either */
	for (size_t i = 0; i < scan->nprocs; i++) {
		const fs_proc *p = &scan->procs[i];
		fs_os_loaded *l;
		size_t n;
		struct member *slot;
		fs_err why;
		int r = fs_os_loaded_images(in, reach_dir, p->pid, p->start_time, &l, &n, &why, err);

		if (r < 0)
			return -1;
		if (r != 1) {
			fi->unread += r == 2; /* gone meanwhile: not counted */
			continue;
		}
		if (!of_installation(fi, l, n)) {
			fs_os_loaded_free(l, n);
			continue;
		}
		if (!(slot = fs_grow((void **)m, nm, &cap, sizeof *slot))) {
			fs_os_loaded_free(l, n);
			return fs_fail(err, "out of memory");
		}
		slot->p = p;
		slot->l = l;
		slot->n = n;
	}
	return 0;
}

static void members_free(struct member *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fs_os_loaded_free(m[i].l, m[i].n);
	free(m);
}

static char *dir_of(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? fs_fork_strf("%.*s", (int)(s - path), path) : fs_fork_strf("%s", path);
}

int fs_fork_verdicts(const char *root, const fs_scan *scan, const fs_store_opts *store_opts,
		     fs_fork_info **out, fs_err *err)
{
	fs_os_cygfork_facts f = { 0 };
	struct records rec = { 0 };
	struct member *m = NULL;
	size_t nm = 0;
	fs_os_inst *in = NULL;
	fs_fork_info *fi = NULL;
	char *reach_dir = NULL;
	fs_err rerr;
	int rc;

	*out = NULL;
	root = root ? root : "/";
	if ((rc = fs_os_inst_open(root, &in, err)) <= 0)
		return rc;
	rc = -1;
	if (!(fi = calloc(1, sizeof *fi)) || !(fi->runtime = fs_fork_strf("%s", fs_os_inst_runtime(in))) ||
	    !(fi->objdir = fs_fork_strf("%s", fs_os_inst_objdir(in)))) {
		fs_fail(err, "out of memory");
		goto out;
	}
	fi->runtime_name = fs_os_inst_runtime_name(in);
	if (fs_os_inst_cygfork(in, &f, err) < 0)
		goto out;
	if (records_load(store_opts, &rec, &rerr) < 0) { /* a store we may not read: */
		records_free(&rec);                      /* judged without guard's records */
		memset(&rec, 0, sizeof rec);
	}
	fi->cygfork = f.dir;
	f.dir = NULL;
	/* the retry opens old files relative to the cygfork directory's volume */
	reach_dir = f.exists ? fs_fork_strf("%s", fi->cygfork) : dir_of(fi->runtime);
	if (!reach_dir || collect(fi, in, reach_dir, scan, &m, &nm, err) < 0 ||
	    decide_retry(fi, in, &f, m, nm, err) < 0)
		goto out;
	if (!(fi->v = calloc(nm + 1, sizeof *fi->v))) {
		fs_fail(err, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < nm; i++, fi->n++)
		if (judge(fi, root, &rec, reach_dir, &m[i], &fi->v[i]) < 0) {
			fs_fail(err, "out of memory");
			goto out;
		}
	rc = 1;
out:
	free(reach_dir);
	free(f.dir);
	records_free(&rec);
	members_free(m, nm);
	fs_os_inst_close(in);
	if (rc == 1)
		*out = fi;
	else
		fs_fork_info_free(fi);
	return rc;
}

void fs_fork_info_free(fs_fork_info *fi)
{
	if (!fi)
		return;
	for (size_t i = 0; i < fi->n; i++)
		free(fi->v[i].reason);
	free(fi->v);
	free(fi->runtime);
	free(fi->objdir);
	free(fi->cygfork);
	free(fi->retry_reason);
	free(fi);
}

const fs_fork_proc *fs_fork_find(const fs_fork_info *fi, int pid, uint64_t start_time)
{
	for (size_t i = 0; fi && i < fi->n; i++)
		if (fi->v[i].pid == pid && fi->v[i].start_time == start_time)
			return &fi->v[i];
	return NULL;
}

const char *fs_fork_verdict_name(int verdict)
{
	static const char *const names[] = { "ok", "retry", "fails", "restart" };

	return verdict >= 0 && verdict <= FS_FORK_RESTART ? names[verdict] : "?";
}

const char *fs_fork_retry_name(int retry)
{
	return retry == FS_RETRY_ON ? "on" : retry == FS_RETRY_OFF ? "off" : "unproven";
}

/* ---- output ---------------------------------------------------------------- */

void fs_fork_proc_json(fs_json *j, const fs_fork_info *fi, const fs_proc *p)
{
	const fs_fork_proc *fp;

	if (!fi)
		return;
	if (!(fp = fs_fork_find(fi, p->pid, p->start_time))) {
		fs_json_null(j, "fork");
		return;
	}
	fs_json_obj_begin(j, "fork");
	fs_json_str(j, "verdict", fs_fork_verdict_name(fp->verdict));
	fs_json_str(j, "reason", fp->reason);
	fs_json_obj_end(j);
}

void fs_fork_proc_text(FILE *f, const fs_fork_info *fi, const fs_proc *p)
{
	const fs_fork_proc *fp = fs_fork_find(fi, p->pid, p->start_time);

	if (!fp)
		return;
	fprintf(f, " [fork %s: ", fs_fork_verdict_name(fp->verdict));
	fs_text_write(f, fp->reason);
	putc(']', f);
}

void fs_fork_json(fs_json *j, const fs_fork_info *fi)
{
	if (!fi)
		return;
	fs_json_obj_begin(j, "fork");
	fs_json_str(j, "runtime", fi->runtime);
	fs_json_str(j, "object_directory", fi->objdir);
	fs_json_str(j, "cygfork", fi->cygfork);
	fs_json_str(j, "retry", fs_fork_retry_name(fi->retry));
	fs_json_str(j, "retry_reason", fi->retry_reason);
	fs_json_uint(j, "unreadable_processes", fi->unread);
	fs_json_arr_begin(j, "processes");
	for (size_t i = 0; i < fi->n; i++) {
		fs_json_obj_begin(j, NULL);
		fs_json_proc(j, fi->v[i].proc);
		fs_json_str(j, "verdict", fs_fork_verdict_name(fi->v[i].verdict));
		fs_json_str(j, "reason", fi->v[i].reason);
		fs_json_obj_end(j);
	}
	fs_json_arr_end(j);
	fs_json_obj_end(j);
}

void fs_fork_text(FILE *f, const fs_fork_info *fi)
{
	size_t count[4] = { 0 };

	if (!fi)
		return;
	for (size_t i = 0; i < fi->n; i++)
		count[fi->v[i].verdict]++;
	fs_text_line(f, "fork: %zu ok, %zu retry, %zu fails, %zu restart; retry %s: %s", count[0],
		     count[1], count[2], count[3], fs_fork_retry_name(fi->retry), fi->retry_reason);
	for (size_t i = 0; i < fi->n; i++) {
		fputs("  ", f);
		fs_text_proc(f, fi->v[i].proc);
		fprintf(f, ": %s: ", fs_fork_verdict_name(fi->v[i].verdict));
		fs_text_write(f, fi->v[i].reason);
		putc('\n', f);
	}
	if (fi->unread)
		fprintf(f, "fork: %zu processes could not be read: not judged%s\n", fi->unread,
			fs_privilege_hint());
}
