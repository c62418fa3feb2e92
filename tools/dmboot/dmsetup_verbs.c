// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The dmsetup commands about devices as a set and about dmsetup itself:
 * rename, deps, ls (with --tree), targets and version, in dmsetup's layouts
 * (docs/dmsetup.md).  A lower device is shown by its device number where it
 * has one: a mapped device as (253, MINOR), a block device by its own;
 * dmboot's lower devices may also be plain files, which have none and are
 * shown by the name the table gives them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "dmsetup.h"

/* --- rename ---------------------------------------------------------------- */

/* libdm's wording for the ioctl the kernel would refuse, then dmsetup's last line. */
static void ioctl_failed(const char *name, int err)
{
	fprintf(stderr, "device-mapper: rename ioctl on ");
	for (const char *p = name; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			fprintf(stderr, "\\x%02x", (unsigned char)*p);
		else
			fputc(*p, stderr);
	fprintf(stderr, "  failed: %s\nCommand failed.\n", strerror(err));
}

/*
 * The kernel renames a device in use, since tables hold their lower devices
 * by number; dmboot's records name them, so renaming one would cut the
 * devices above it off from it.  Such a rename is refused.
 */
int dmsetup_rename(void *opts, int argc, char **argv)
{
	struct dmsetup *d = opts;
	const char *old = argv[1], *new_name = argv[2];
	struct state_dev *sd = NULL, *other = NULL;
	char **users = NULL;
	size_t nusers = 0;
	int r;

	(void)argc;
	if (d->o.setuuid) {
		cli_error("rename --setuuid: changing a device's uuid is not supported");
		return -ENOTSUP;
	}
	if (!cli_valid_name(new_name)) {
		cli_error("rename %s: invalid device name \"%s\"", old, new_name);
		return -EINVAL;
	}
	r = state_load(&d->st, old, &sd);
	if (r == -ENOENT)
		ioctl_failed(old, ENXIO);
	if (r)
		return r;
	r = state_load(&d->st, new_name, &other);
	if (r != -ENOENT) {
		ioctl_failed(old, EBUSY);
		r = -EBUSY;
		goto out;
	}
	r = state_users(&d->st, old, &users, &nusers);
	if (r == 0 && nusers) {
		cli_error("rename %s: device is in use by %s, whose table names it; remove %s "
			  "first", old, users[0], users[0]);
		r = -EBUSY;
	}
	if (r == 0)
		r = state_rename(&d->st, sd, new_name);
out:
	state_free_list(users, nusers);
	state_dev_free(other);
	state_dev_free(sd);
	return r;
}

/* --- lower devices ----------------------------------------------------------- */

/* How deps and ls name a device (-o devno, devname, blkdevname). */
enum name_form { BY_DEVNO, BY_DEVNAME, BY_BLKDEVNAME };

/* One lower device of a mapped device. */
struct lower {
	char *label;     /* the name the table gives it */
	char *mapped;    /* the mapped device it is, or NULL */
	bool has_devno;  /* a mapped or block device, not a file */
	unsigned maj, min;
	char kname[64];  /* the kernel's name (dm-N, sda1), "" when none */
};

static void lowers_free(struct lower *l, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(l[i].label);
		free(l[i].mapped);
	}
	free(l);
}

/* The mapped device a table's name refers to, as the resolver decides (resolve.c). */
static char *mapped_name(struct state *st, const struct state_dev *sd, const char *name)
{
	struct state_dev *m;
	unsigned maj, min;
	char end, *out = NULL;

	if (strncmp(name, "/dev/mapper/", 12) == 0)
		return strdup(name + 12);
	if (sscanf(name, "%u:%u%c", &maj, &min, &end) == 2 && !strpbrk(name, "+- ")) {
		if (maj == DMB_CLI_MAJOR && state_find_minor(st, min, &m) == 0) {
			out = strdup(m->name);
			state_dev_free(m);
		}
		return out;
	}
	for (size_t i = 0; !strchr(name, '/') && i < sd->ndeps; i++)
		if (strcmp(sd->deps[i], name) == 0)
			return strdup(name);
	return NULL;
}

/* The kernel's name of a block device, from sysfs. */
static void kernel_name(unsigned maj, unsigned min, char *out, size_t cap)
{
	char link[64], target[PATH_MAX];
	ssize_t n;

	snprintf(link, sizeof(link), "/sys/dev/block/%u:%u", maj, min);
	n = readlink(link, target, sizeof(target) - 1);
	out[0] = '\0';
	if (n > 0) {
		const char *base;

		target[n] = '\0';
		base = strrchr(target, '/') ? strrchr(target, '/') + 1 : target;
		if (strlen(base) < cap)
			memcpy(out, base, strlen(base) + 1);
	}
}

static int classify(struct state *st, const struct state_dev *sd, const char *name,
		    struct lower *l)
{
	struct state_dev *m;
	struct stat sb;
	char *path = NULL;

	memset(l, 0, sizeof(*l));
	l->label = strdup(name);
	l->mapped = mapped_name(st, sd, name);
	if (!l->label)
		return -ENOMEM;
	if (l->mapped) {
		if (state_load(st, l->mapped, &m) == 0) {
			l->has_devno = true;
			l->maj = DMB_CLI_MAJOR;
			l->min = m->minor;
			snprintf(l->kname, sizeof(l->kname), "dm-%u", m->minor);
			state_dev_free(m);
		}
		return 0;
	}
	if (name[0] != '/' && asprintf(&path, "%s/%s", sd->cwd, name) < 0)
		return -ENOMEM;
	if (stat(path ? path : name, &sb) == 0 && S_ISBLK(sb.st_mode)) {
		l->has_devno = true;
		l->maj = major(sb.st_rdev);
		l->min = minor(sb.st_rdev);
		kernel_name(l->maj, l->min, l->kname, sizeof(l->kname));
	}
	free(path);
	return 0;
}

static bool same_lower(const struct lower *a, const struct lower *b)
{
	if (a->has_devno && b->has_devno)
		return a->maj == b->maj && a->min == b->min;
	return !a->has_devno && !b->has_devno && strcmp(a->label, b->label) == 0;
}

/* Add the device name names to the list unless it is one already there. */
static int lowers_add(struct state *st, const struct state_dev *sd, const char *name,
		      struct lower **list, size_t *n)
{
	struct lower l, *grown;
	int r = classify(st, sd, name, &l);

	bool seen = false;

	for (size_t i = 0; r == 0 && i < *n && !seen; i++)
		seen = same_lower(&(*list)[i], &l);
	grown = r || seen ? NULL : realloc(*list, (*n + 1) * sizeof(**list));
	if (!grown) {
		free(l.label);
		free(l.mapped);
		return r || seen ? r : -ENOMEM;
	}
	*list = grown;
	grown[(*n)++] = l;
	return 0;
}

/*
 * The lower devices of an instantiated device, in the kernel's order: it
 * lists a table's devices latest first.
 */
static int lowers_of_dev(struct state *st, const struct cli_dev *cd, struct lower **list,
			 size_t *n)
{
	int r = 0;

	*list = NULL;
	*n = 0;
	for (size_t i = dmb_dev_lower_count(cd->dev); r == 0 && i-- > 0;)
		r = lowers_add(st, cd->sd, dmb_dev_lower_name(cd->dev, i), list, n);
	return r;
}

/* Without an instance: the mapped devices its record says it uses. */
static int lowers_of_record(struct state *st, const struct state_dev *sd, struct lower **list,
			    size_t *n)
{
	int r = 0;

	*list = NULL;
	*n = 0;
	for (size_t i = sd->ndeps; r == 0 && i-- > 0;)
		r = lowers_add(st, sd, sd->deps[i], list, n);
	return r;
}

/* One lower device as deps prints it, in parentheses; a file by its name. */
static void put_lower(const struct lower *l, enum name_form form)
{
	if (form == BY_DEVNAME && l->mapped)
		printf(" (%s)", l->mapped);
	else if (form != BY_DEVNO && l->kname[0])
		printf(" (%s)", l->kname);
	else if (l->has_devno)
		printf(" (%u, %u)", l->maj, l->min);
	else
		printf(" (%s)", l->label);
}

/*
 * dmsetup's -o for deps and ls: the last of devno, devname, blkdevname
 * given, each word matched by its beginning as dmsetup matches it.
 */
static int name_form(const char *options, enum name_form *form)
{
	static const struct { const char *word; enum name_form form; } words[] = {
		{ "devno", BY_DEVNO }, { "blkdevname", BY_BLKDEVNAME }, { "devname", BY_DEVNAME },
	};
	const char *s = options;

	*form = BY_DEVNO;
	while (s && *s) {
		size_t len = strcspn(s, ",");
		size_t i = 0;

		while (i < CLI_NELEM(words) && strncmp(s, words[i].word, len) != 0)
			i++;
		if (i == CLI_NELEM(words)) {
			cli_error("Option not recognised: %.*s", (int)len, s);
			return -EINVAL;
		}
		*form = words[i].form;
		s += len + (s[len] == ',');
	}
	return 0;
}

static int deps_one(struct dmsetup *d, const char *cmd, const char *name, bool prefix,
		    bool *first)
{
	struct cli_dev *cd;
	struct lower *l;
	size_t n;
	enum name_form form;
	int r = name_form(d->o.options, &form);

	(void)first;
	if (r)
		return r;
	r = cli_dev_open_for(&d->st, cmd, name, DMB_DEV_READONLY, &cd);
	if (r)
		return r;
	r = lowers_of_dev(&d->st, cd, &l, &n);
	if (r == 0) {
		if (prefix)
			printf("%s: ", name);
		printf("%zu dependencies\t:", n);
		for (size_t i = 0; i < n; i++)
			put_lower(&l[i], form);
		putchar('\n');
	}
	lowers_free(l, n);
	cli_dev_close(cd);
	return r;
}

int dmsetup_deps(void *opts, int argc, char **argv)
{
	struct dmsetup *d = opts;
	enum name_form form;

	/* A bad -o is refused before any device is looked at. */
	if (name_form(d->o.options, &form))
		return -EINVAL;
	return dmsetup_for_devices(d, argc, argv, deps_one, false);
}

/* --- ls and ls --tree -------------------------------------------------------- */

/* A mapped device in the tree, with what it uses. */
struct tnode {
	struct state_dev *sd;
	struct lower *low;
	size_t nlow;
	size_t nusers;
	bool used;
};

/* The characters of the tree: dmsetup's utf and ascii sets. */
struct tsym {
	const char *empty, *branch, *vert, *last;
};
static const struct tsym tsym_utf = { "  ", "\u251c\u2500", "\u2502 ", "\u2514\u2500" };
static const struct tsym tsym_ascii = { "  ", "|-", "| ", "`-" };

/* dmsetup's deepest tree, less the two levels it keeps for targets. */
#define TREE_MAX_DEPTH 98

struct tree {
	struct tnode *node;
	size_t n;
	const struct tsym *sym;
	bool device, blkdevname, active, rw, open, uuid, truncate;
	int width;             /* columns before a line is cut */
	int x;                 /* the column the next character goes to, from 1 */
	int held;              /* a character kept back at the last column, or 0 */
	bool more[TREE_MAX_DEPTH + 1];
};

/*
 * One byte out, cut as dmsetup cuts a line: past the last column comes
 * "...", except that a line exactly as wide as the screen keeps its last
 * character.  Only the first byte of a UTF-8 character takes a column.
 */
static void out_char(struct tree *t, unsigned char c)
{
	bool lead = (c & 0xc0) != 0x80;

	t->x += lead;
	if (!t->truncate) {
		putchar(c);
		return;
	}
	if (t->x <= t->width)
		putchar(c);
	if (t->x == t->width + 1 && lead) {
		if (t->held || (c & 0x80)) {
			fputs("...", stdout);
		} else {
			t->held = c;
			t->x--;
		}
	}
}

static void out_str(struct tree *t, const char *s)
{
	while (*s)
		out_char(t, (unsigned char)*s++);
}

static void out_newline(struct tree *t)
{
	if (t->held && t->x == t->width)
		putchar(t->held);
	t->held = 0;
	putchar('\n');
	t->x = 1;
}

static void out_prefix(struct tree *t, unsigned depth)
{
	for (unsigned i = 0; i < depth; i++) {
		out_char(t, ' ');
		if (i + 1 == depth)
			out_str(t, t->more[depth] ? t->sym->branch : t->sym->last);
		else
			out_str(t, t->more[i + 1] ? t->sym->vert : t->sym->empty);
	}
}

static struct tnode *tree_find(struct tree *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->node[i].sd->name, name) == 0)
			return &t->node[i];
	return NULL;
}

static void tree_attributes(struct tree *t, const struct tnode *tn)
{
	char num[24];
	int attr = 0;

	if (t->active) {
		out_str(t, attr++ ? ", " : " [");
		out_str(t, "ACTIVE");
	}
	if (t->rw) {
		out_str(t, attr++ ? ", " : " [");
		out_str(t, tn->sd->read_only ? "RO" : "RW");
	}
	if (t->open) {
		out_str(t, attr++ ? ", " : " [");
		snprintf(num, sizeof(num), "%zu", tn->nusers);
		out_str(t, num);
	}
	if (t->uuid) {
		out_str(t, attr++ ? ", " : " [");
		out_str(t, tn->sd->uuid);
	}
	if (attr)
		out_char(t, ']');
}

/*
 * One line: a mapped device (tn) or another lower device (l), then the
 * devices it uses one level deeper.
 */
static void tree_walk(struct tree *t, const struct tnode *tn, const struct lower *l,
		      unsigned depth, bool last)
{
	char num[48];

	if (depth > TREE_MAX_DEPTH || (!tn && !t->device && !t->blkdevname))
		return;
	t->more[depth] = !last;
	out_prefix(t, depth);
	if (tn)
		out_str(t, tn->sd->name);
	if (t->blkdevname && l && l->kname[0]) {
		out_str(t, " <");
		out_str(t, l->kname);
		out_char(t, '>');
	}
	if ((t->device || t->blkdevname) && l && !l->has_devno) {
		out_str(t, " (");
		out_str(t, l->label);
		out_char(t, ')');
	} else if (t->device && l) {
		snprintf(num, sizeof(num), " (%u:%u)", l->maj, l->min);
		out_str(t, num);
	}
	if (tn)
		tree_attributes(t, tn);
	out_newline(t);
	for (size_t i = 0; tn && i < tn->nlow; i++) {
		const struct lower *c = &tn->low[i];

		tree_walk(t, c->mapped ? tree_find(t, c->mapped) : NULL, c, depth + 1,
			  i + 1 == tn->nlow);
	}
}

/* dmsetup's tree options; the ones about targets and layouts are not drawn. */
static int tree_options(struct tree *t, const char *options)
{
	static const char *const words[] = {
		"device", "blkdevname", "nodevice", "status", "table", "active", "open", "uuid",
		"rw", "utf", "vt100", "ascii", "inverted", "compact", "notrunc",
	};
	bool *flag[] = { &t->device, &t->blkdevname, NULL, NULL, NULL, &t->active, &t->open,
			 &t->uuid, &t->rw };
	struct winsize ws;
	const char *s = options;

	t->device = t->truncate = true;
	setlocale(LC_CTYPE, "");
	t->sym = strcmp(nl_langinfo(CODESET), "UTF-8") == 0 ? &tsym_utf : &tsym_ascii;
	setlocale(LC_CTYPE, "C");
	while (s && *s) {
		size_t len = strcspn(s, ","), i = 0;

		while (i < CLI_NELEM(words) && strncmp(s, words[i], len) != 0)
			i++;
		if (i == CLI_NELEM(words) || i == 3 || i == 4 || i == 10 || i == 12 || i == 13) {
			cli_error(i == CLI_NELEM(words) ? "Tree options not recognised: %.*s" :
				  "ls --tree: option %.*s is not supported", (int)len, s);
			return -EINVAL;
		}
		if (i < CLI_NELEM(flag) && flag[i])
			*flag[i] = true;
		t->device = i == 2 ? false : t->device;
		t->sym = i == 9 ? &tsym_utf : i == 11 ? &tsym_ascii : t->sym;
		t->truncate = i == 14 ? false : t->truncate;
		s += len + (s[len] == ',');
	}
	t->width = 80;
	if (ioctl(1, TIOCGWINSZ, &ws) >= 0 && ws.ws_col > 3)
		t->width = ws.ws_col - 3;
	t->x = 1;
	return 0;
}

/* Every device with what it uses: from its instance, else from its record. */
static int tree_build(struct dmsetup *d, struct tree *t)
{
	char **names, **users;
	size_t n, nusers;
	int r = state_list(&d->st, &names, &n);

	t->node = r ? NULL : calloc(n + 1, sizeof(*t->node));
	if (!t->node) {
		state_free_list(names, n);
		return r ? r : -ENOMEM;
	}
	for (size_t i = 0; i < n && r == 0; i++) {
		struct tnode *tn = &t->node[t->n];
		struct dmb_ctx ctx = { 0 };
		struct cli_dev *cd;

		if (state_load(&d->st, names[i], &tn->sd) != 0)
			continue;
		t->n++;
		if (cli_dev_open(&d->st, &ctx, names[i], DMB_DEV_READONLY, 0, &cd) == 0) {
			r = lowers_of_dev(&d->st, cd, &tn->low, &tn->nlow);
			cli_dev_close(cd);
		} else {
			r = lowers_of_record(&d->st, tn->sd, &tn->low, &tn->nlow);
		}
		if (r == 0 && state_users(&d->st, names[i], &users, &nusers) == 0) {
			tn->nusers = nusers;
			state_free_list(users, nusers);
		}
	}
	for (size_t i = 0; i < t->n; i++)
		for (size_t k = 0; k < t->node[i].nlow; k++) {
			struct tnode *used = t->node[i].low[k].mapped ?
					     tree_find(t, t->node[i].low[k].mapped) : NULL;

			if (used && used != &t->node[i])
				used->used = true;
		}
	state_free_list(names, n);
	return r;
}

static int ls_tree(struct dmsetup *d)
{
	struct tree t = { 0 };
	size_t roots = 0, done = 0;
	int r = tree_options(&t, d->o.options);

	if (r == 0)
		r = tree_build(d, &t);
	for (size_t i = 0; i < t.n; i++)
		roots += !t.node[i].used;
	if (r == 0 && t.n == 0)
		printf("No devices found\n");
	for (size_t i = 0; r == 0 && i < t.n; i++) {
		struct lower self = { .has_devno = true, .maj = DMB_CLI_MAJOR };

		if (t.node[i].used)
			continue;
		self.min = t.node[i].sd->minor;
		snprintf(self.kname, sizeof(self.kname), "dm-%u", self.min);
		tree_walk(&t, &t.node[i], &self, 0, ++done == roots);
	}
	for (size_t i = 0; i < t.n; i++) {
		lowers_free(t.node[i].low, t.node[i].nlow);
		state_dev_free(t.node[i].sd);
	}
	free(t.node);
	return r;
}

int dmsetup_ls(void *opts, int argc, char **argv)
{
	struct dmsetup *d = opts;
	enum name_form form;
	char **names;
	size_t n;
	int r;

	(void)argc;
	(void)argv;
	if (d->o.tree)
		return ls_tree(d);
	r = name_form(d->o.options, &form);
	if (r == 0)
		r = state_list(&d->st, &names, &n);
	if (r)
		return r;
	if (n == 0)
		printf("No devices found\n");
	for (size_t i = 0; i < n; i++) {
		struct state_dev *sd;

		r = state_load(&d->st, names[i], &sd);
		if (r == -EINVAL)
			cli_error("warning: %s: its record in the state directory is damaged", names[i]);
		if (r != 0)
			continue;
		if (form == BY_DEVNO)
			printf("%s\t(%d:%u)\n", sd->name, DMB_CLI_MAJOR, sd->minor);
		else if (form == BY_DEVNAME)
			printf("%s\t(%s)\n", sd->name, sd->name);
		else
			printf("%s\t(dm-%u)\n", sd->name, sd->minor);
		state_dev_free(sd);
	}
	state_free_list(names, n);
	return 0;
}

/* --- targets and version ----------------------------------------------------- */

/*
 * The targets dmboot has, with the versions Linux 6.1 reports for them, in
 * the order it lists them: the latest registered first, the modules
 * (verity, crypt, snapshot, zero) loaded after the ones built into dm-mod.
 */
static const struct {
	const char *name;
	unsigned version[3];
} targets[] = {
	{ "snapshot", { 1, 16, 0 } }, { "snapshot-origin", { 1, 9, 0 } },
	{ "crypt", { 1, 24, 0 } }, { "verity", { 1, 9, 0 } }, { "zero", { 1, 1, 0 } }, { "striped", { 1, 6, 0 } },
	{ "linear", { 1, 4, 0 } }, { "error", { 1, 5, 0 } },
};

int dmsetup_targets(void *opts, int argc, char **argv)
{
	(void)opts;
	(void)argc;
	(void)argv;
	for (size_t i = 0; i < CLI_NELEM(targets); i++)
		printf("%-16s v%u.%u.%u\n", targets[i].name, targets[i].version[0],
		       targets[i].version[1], targets[i].version[2]);
	return 0;
}

/* The libdevmapper release dmboot follows, and Linux 6.1's dm ioctl interface. */
#define LIBDM_VERSION "1.02.185"
#define DM_IOCTL_VERSION "4.47.0"

int dmsetup_version(void *opts, int argc, char **argv)
{
	(void)opts;
	(void)argc;
	(void)argv;
	printf("Library version:   " LIBDM_VERSION " (dmboot " DMB_CLI_VERSION ")\n");
	printf("Driver version:    " DM_IOCTL_VERSION "\n");
	return 0;
}
