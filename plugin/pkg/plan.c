/*
 * plan.c - `forksafe plan`: before pacman runs, which running processes an
 * upgrade would affect.  The installed db and the sync dbs go into one
 * libsolv pool; the solver computes the transaction (-u or named
 * packages); the files of every installed package it would change become
 * the targets of one in-use query.
 */
#define _GNU_SOURCE
#include "pkg.h"
#include "../core/err.h"
#include "../core/vec.h"
#include "../core/forecast.h"

#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include <solv/dataiterator.h>
#include <solv/evr.h>
#include <solv/knownid.h>
#include <solv/solver.h>
#include <solv/transaction.h>

static int has_name(Pool *pool, Id name, int installed_only)
{
	Id p;
	Solvable *s;

	FOR_POOL_SOLVABLES(p) {
		s = pool->solvables + p;
		if (s->name == name && (!installed_only || s->repo == pool->installed))
			return 1;
	}
	return 0;
}

static int make_jobs(fs_pkgdb *db, const fs_plan_opts *o, Queue *job, fs_err *err)
{
	Pool *pool = db->pool;

	if (o->update_all)
		queue_push2(job, SOLVER_UPDATE | SOLVER_SOLVABLE_ALL, 0);
	for (size_t i = 0; i < o->nnames; i++) {
		Id name = pool_str2id(pool, o->names[i], 0);

		if (!name || !has_name(pool, name, 0))
			return fs_fail(err, "package '%s' is in no sync database", o->names[i]);
		queue_push2(job, (has_name(pool, name, 1) ? SOLVER_UPDATE : SOLVER_INSTALL) |
				 SOLVER_SOLVABLE_NAME, name);
	}
	return 0;
}

static int solve(fs_pkgdb *db, Queue *job, Transaction **trans, fs_err *err)
{
	Solver *solv = solver_create(db->pool);
	int rc = 0;

	if (solver_solve(solv, job) != 0)
		rc = fs_fail(err, "no transaction is possible: %s", solver_problem2str(solv, 1));
	else
		*trans = solver_create_transaction(solv);
	solver_free(solv);
	return rc;
}

static int cmp_pkg(const void *a, const void *b)
{
	const fs_plan_pkg *x = a, *y = b;

	return strcmp(x->name, y->name);
}

/* One entry per installed package leaving or new package arriving. */
static int classify(fs_plan *plan, Transaction *trans, fs_err *err)
{
	Pool *pool = trans->pool;
	size_t cap = 0;

	for (int i = 0; i < trans->steps.count; i++) {
		Id p = trans->steps.elements[i], q;
		Solvable *s = pool->solvables + p, *n;
		int type = transaction_type(trans, p, SOLVER_TRANSACTION_SHOW_ALL |
					    SOLVER_TRANSACTION_SHOW_OBSOLETES);
		fs_plan_pkg *pp;

		if (s->repo != pool->installed && type != SOLVER_TRANSACTION_INSTALL)
			continue; /* arrives in place of an installed one: listed there */
		pp = fs_grow((void **)&plan->v, &plan->n, &cap, sizeof *pp);
		if (!pp)
			return fs_fail(err, "out of memory");
		memset(pp, 0, sizeof *pp);
		if (s->repo != pool->installed) {
			pp->name = pp->new_name = pool_id2str(pool, s->name);
			pp->new_version = pool_id2str(pool, s->evr);
			pp->action = FS_PLAN_INSTALL;
			continue;
		}
		pp->name = pool_id2str(pool, s->name);
		pp->old_version = pool_id2str(pool, s->evr);
		q = transaction_obs_pkg(trans, p);
		if (!q) {
			pp->action = FS_PLAN_REMOVE;
			continue;
		}
		n = pool->solvables + q;
		pp->new_name = pool_id2str(pool, n->name);
		pp->new_version = pool_id2str(pool, n->evr);
		if (n->name != s->name)
			pp->action = FS_PLAN_REPLACE;
		else {
			int c = pool_evrcmp(pool, n->evr, s->evr, EVRCMP_COMPARE);

			pp->action = c > 0 ? FS_PLAN_UPGRADE : c < 0 ? FS_PLAN_DOWNGRADE
								: FS_PLAN_REINSTALL;
		}
	}
	if (plan->n > 1) /* plan->v is NULL when nothing changes */
		qsort(plan->v, plan->n, sizeof *plan->v, cmp_pkg);
	return 0;
}

/* The files of the installed packages that change become the targets. */
static int add_targets(fs_plan *plan, fs_err *err)
{
	Pool *pool = plan->db->pool;

	fs_targets_skip_dirs(plan->targets);
	for (size_t i = 0; i < plan->n; i++) {
		fs_plan_pkg *pp = &plan->v[i];
		Id name = pool_str2id(pool, pp->name, 0);
		Solvable *s;
		Id p;

		pp->first = fs_targets_count(plan->targets);
		FOR_REPO_SOLVABLES(plan->db->installed, p, s) {
			Dataiterator di;
			int rc = 0;

			if (!pp->old_version || s->name != name)
				continue;
			dataiterator_init(&di, pool, plan->db->installed, p, SOLVABLE_FILELIST, 0,
					  SEARCH_FILES | SEARCH_COMPLETE_FILELIST);
			while (rc == 0 && dataiterator_step(&di))
				rc = fs_targets_add(plan->targets, di.kv.str, err);
			dataiterator_free(&di);
			if (rc < 0)
				return -1;
		}
		pp->ntargets = fs_targets_count(plan->targets) - pp->first;
	}
	return 0;
}

/* Cygwin/MSYS2: the fork verdict each process will have (verdict.h). */
static int forecast(fs_plan *plan, const fs_plan_opts *o, fs_err *err)
{
	fs_store_opts so = { .root = plan->root, .store = o->store, .scan = o->scan };

	return fs_fork_predict(plan->targets, &so, &plan->fork, err) < 0 ? -1 : 0;
}

int fs_plan_run(const fs_plan_opts *o, fs_plan **out, fs_err *err)
{
	fs_plan *plan = calloc(1, sizeof *plan);
	const struct fs_loaders *ld;
	Transaction *trans = NULL;
	struct utsname u;
	Queue job;
	int rc = -1;

	*out = NULL;
	queue_init(&job);
	if (!plan || !(plan->root = strdup(o->root ? o->root : "/"))) {
		free(plan);
		return fs_fail(err, "out of memory");
	}
	if (!o->update_all && o->nnames == 0) {
		fs_fail(err, "nothing to plan: name packages or update all");
		goto out;
	}
	if (fs_pkgdb_open(plan->root, o->store, &plan->db, err) < 0)
		goto out;
	if (strncmp(fs_pkgdb_source(plan->db), "pacman", 6) != 0) {
		fs_fail(err, "plan reads pacman's databases; %s has only dpkg's", plan->root);
		goto out;
	}
	pool_setarch(plan->db->pool, uname(&u) == 0 ? u.machine : "x86_64");
	if (!(ld = fs_pkg_loaders(err)) ||
	    ld->sync(plan->db->pool, plan->root, &plan->nrepos, err) < 0)
		goto out;
	if (plan->nrepos == 0) {
		fs_fail(err, "no sync databases in %s/var/lib/pacman/sync (pacman -Sy fetches them)",
			strcmp(plan->root, "/") == 0 ? "" : plan->root);
		goto out;
	}
	pool_addfileprovides(plan->db->pool);
	pool_createwhatprovides(plan->db->pool);
	if (make_jobs(plan->db, o, &job, err) < 0 || solve(plan->db, &job, &trans, err) < 0 ||
	    classify(plan, trans, err) < 0 ||
	    !(plan->targets = fs_targets_new(plan->root, err)) || add_targets(plan, err) < 0 ||
	    fs_inuse_run(plan->targets, &o->scan, &plan->inuse, err) < 0 ||
	    forecast(plan, o, err) < 0)
		goto out;
	rc = 0;
out:
	if (trans)
		transaction_free(trans);
	queue_free(&job);
	if (rc == 0)
		*out = plan;
	else
		fs_plan_free(plan);
	return rc;
}

void fs_plan_free(fs_plan *p)
{
	if (!p)
		return;
	fs_inuse_free(p->inuse);
	fs_fork_forecast_free(p->fork);
	fs_targets_free(p->targets);
	fs_pkgdb_free(p->db);
	free(p->v);
	free(p->root);
	free(p);
}
