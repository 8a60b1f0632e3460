// SPDX-License-Identifier: GPL-2.0
/*
 * The running kernel's prototypes of the functions whose arguments an
 * fprobe reads, checked against what the hook assumes before anything is
 * attached.
 *
 * Tracepoint probes are checked when the module is built (hooks.c, against
 * the headers DKMS builds with), but the scheduler functions we fprobe are
 * declared in kernel/sched/sched.h, which no headers package ships. Their
 * arguments come out of registers by position, so a reordered or retyped
 * parameter would hand the hook garbage. The kernel's own type information
 * (BTF, /sys/kernel/btf/vmlinux) says what each parameter is: we require
 * the function, its arity and the type of every argument we read, and
 * refuse to load, naming the function and what differs, when any does not
 * match, when the function has no BTF entry (the compiler changed its
 * interface: pahole leaves such functions out) or when the kernel has no
 * BTF to tell.
 *
 * The kernel exports no lookup of vmlinux BTF to modules, so this reads the
 * file once at load time and walks it: a few milliseconds, never again.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/btf.h>
#include <linux/kernel.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/limits.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "prototypes.h"

#define PH_BTF_PATH "/sys/kernel/btf/vmlinux"
#define PH_BTF_MAX_SIZE (64 << 20)	/* vmlinux BTF is a few MiB */

struct ph_btf {
	const void *types;
	u32 types_len;
	const char *strs;
	u32 strs_len;
	u32 *offset;		/* offset[id] of type id in @types; id 0 is void */
	u32 nr_types;
};

static const char *ph_btf_str(const struct ph_btf *b, u32 off)
{
	if (off >= b->strs_len)
		return NULL;
	/* The section ends in a NUL (checked at parse time). */
	return b->strs + off;
}

static const struct btf_type *ph_btf_type(const struct ph_btf *b, u32 id)
{
	if (id == 0 || id > b->nr_types)
		return NULL;
	return b->types + b->offset[id];
}

/* Bytes a type's record takes, or 0 for a kind this reader does not know. */
static u32 ph_btf_record_size(const struct btf_type *t)
{
	u32 vlen = BTF_INFO_VLEN(t->info), base = sizeof(*t);

	switch (BTF_INFO_KIND(t->info)) {
	case BTF_KIND_FWD:
	case BTF_KIND_CONST:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_PTR:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_FUNC:
	case BTF_KIND_FLOAT:
	case BTF_KIND_TYPE_TAG:
		return base;
	case BTF_KIND_INT:
		return base + sizeof(u32);
	case BTF_KIND_ARRAY:
		return base + sizeof(struct btf_array);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return base + vlen * sizeof(struct btf_member);
	case BTF_KIND_ENUM:
		return base + vlen * sizeof(struct btf_enum);
	case BTF_KIND_ENUM64:
		return base + vlen * sizeof(struct btf_enum64);
	case BTF_KIND_FUNC_PROTO:
		return base + vlen * sizeof(struct btf_param);
	case BTF_KIND_VAR:
		return base + sizeof(struct btf_var);
	case BTF_KIND_DATASEC:
		return base + vlen * sizeof(struct btf_var_secinfo);
	case BTF_KIND_DECL_TAG:
		return base + sizeof(struct btf_decl_tag);
	default:
		return 0;
	}
}

/* Index the type section of @data; 0 or a negative errno, after a message. */
static int ph_btf_parse(struct ph_btf *b, const void *data, size_t size)
{
	const struct btf_header *h = data;
	u32 pos, n, sz;

	if (size < sizeof(*h) || h->magic != BTF_MAGIC || h->version != BTF_VERSION ||
	    h->hdr_len > size ||
	    (u64)h->hdr_len + h->type_off + h->type_len > size ||
	    (u64)h->hdr_len + h->str_off + h->str_len > size || h->str_len == 0) {
		pr_err("%s is not BTF this module can read\n", PH_BTF_PATH);
		return -EOPNOTSUPP;
	}
	b->types = data + h->hdr_len + h->type_off;
	b->types_len = h->type_len;
	b->strs = data + h->hdr_len + h->str_off;
	b->strs_len = h->str_len;
	if (b->strs[b->strs_len - 1]) {
		pr_err("%s: string section is not terminated\n", PH_BTF_PATH);
		return -EOPNOTSUPP;
	}

	/* Count, then index: ids are positions in the section, from 1. */
	for (n = 0, pos = 0; pos < b->types_len; n++, pos += sz) {
		if (b->types_len - pos < sizeof(struct btf_type))
			goto bad;
		sz = ph_btf_record_size(b->types + pos);
		if (!sz || sz > b->types_len - pos)
			goto bad;
	}
	b->offset = kvmalloc_array(n + 1, sizeof(*b->offset), GFP_KERNEL);
	if (!b->offset)
		return -ENOMEM;
	b->nr_types = n;
	for (n = 1, pos = 0; pos < b->types_len; n++, pos += ph_btf_record_size(b->types + pos))
		b->offset[n] = pos;
	return 0;
bad:
	pr_err("%s: type %u at byte %u has a kind this module cannot read\n", PH_BTF_PATH,
	       n + 1, pos);
	return -EOPNOTSUPP;
}

/* Skip typedefs and qualifiers; NULL for void or a bad id. */
static const struct btf_type *ph_btf_resolve(const struct ph_btf *b, u32 id)
{
	const struct btf_type *t;
	int depth;

	for (depth = 0; depth < 32; depth++) {
		t = ph_btf_type(b, id);
		if (!t)
			return NULL;
		switch (BTF_INFO_KIND(t->info)) {
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_CONST:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_TYPE_TAG:
			id = t->type;
			continue;
		default:
			return t;
		}
	}
	return NULL;
}

/* "struct task_struct *", "int", ...: enough to tell the operator what differs. */
static void ph_btf_describe(const struct ph_btf *b, u32 id, char *buf, size_t len)
{
	const struct btf_type *t = ph_btf_resolve(b, id);
	const char *name;
	bool ptr = false;

	if (t && BTF_INFO_KIND(t->info) == BTF_KIND_PTR) {
		ptr = true;
		t = ph_btf_resolve(b, t->type);
	}
	name = t ? ph_btf_str(b, t->name_off) : "void";
	if (t && BTF_INFO_KIND(t->info) == BTF_KIND_STRUCT)
		snprintf(buf, len, "struct %s%s", name ?: "?", ptr ? " *" : "");
	else
		snprintf(buf, len, "%s%s", name && *name ? name : "?", ptr ? " *" : "");
}

static const struct btf_type *ph_btf_find_func(const struct ph_btf *b, const char *name)
{
	const struct btf_type *t;
	const char *s;
	u32 id;

	for (id = 1; id <= b->nr_types; id++) {
		t = ph_btf_type(b, id);
		if (BTF_INFO_KIND(t->info) != BTF_KIND_FUNC)
			continue;
		s = ph_btf_str(b, t->name_off);
		if (s && !strcmp(s, name))
			return t;
	}
	return NULL;
}

/* One function: true when it matches @e, after a message naming what differs. */
static bool ph_btf_matches(const struct ph_btf *b, const struct ph_prototype *e)
{
	const struct btf_type *fn, *proto, *arg;
	const struct btf_param *params;
	char want[64], have[64];
	unsigned int i;
	const char *s;

	fn = ph_btf_find_func(b, e->func);
	proto = fn ? ph_btf_type(b, fn->type) : NULL;
	if (!proto || BTF_INFO_KIND(proto->info) != BTF_KIND_FUNC_PROTO) {
		pr_err("%s: not in this kernel's BTF (inlined, or its interface changed): cannot check the argument the hook reads\n",
		       e->func);
		return false;
	}
	if (BTF_INFO_VLEN(proto->info) != e->nr_args) {
		pr_err("%s takes %u arguments in this kernel; the hook was written for %u\n",
		       e->func, BTF_INFO_VLEN(proto->info), e->nr_args);
		return false;
	}
	params = (const struct btf_param *)(proto + 1);
	for (i = 0; i < e->nr_args; i++) {
		if (!e->arg_struct[i])
			continue;	/* not read by the hook */
		arg = ph_btf_resolve(b, params[i].type);
		if (arg && BTF_INFO_KIND(arg->info) == BTF_KIND_PTR) {
			arg = ph_btf_resolve(b, arg->type);
			s = arg ? ph_btf_str(b, arg->name_off) : NULL;
			if (arg && BTF_INFO_KIND(arg->info) == BTF_KIND_STRUCT && s &&
			    !strcmp(s, e->arg_struct[i]))
				continue;
		}
		snprintf(want, sizeof(want), "struct %s *", e->arg_struct[i]);
		ph_btf_describe(b, params[i].type, have, sizeof(have));
		pr_err("%s: argument %u is '%s' in this kernel; the hook reads '%s'\n",
		       e->func, i, have, want);
		return false;
	}
	return true;
}

/*
 * The whole of vmlinux BTF in a vmalloc'ed buffer. A plain read, not
 * kernel_read_file(): that one asks the LSMs about a "file the kernel
 * loads", and IPE warns about a read it has no rule for.
 */
static ssize_t ph_btf_read(void **bufp)
{
	struct file *f;
	loff_t size, pos = 0;
	ssize_t n;
	void *buf;

	f = filp_open(PH_BTF_PATH, O_RDONLY, 0);
	if (IS_ERR(f))
		return PTR_ERR(f);
	size = i_size_read(file_inode(f));
	if (size <= 0 || size > PH_BTF_MAX_SIZE) {
		n = -EFBIG;
		goto out;
	}
	buf = vmalloc(size);
	if (!buf) {
		n = -ENOMEM;
		goto out;
	}
	while (pos < size) {
		n = kernel_read(f, buf + pos, size - pos, &pos);
		if (n <= 0)
			break;
	}
	if (pos < size) {
		vfree(buf);
		n = n < 0 ? n : -EIO;
		goto out;
	}
	*bufp = buf;
	n = size;
out:
	filp_close(f, NULL);
	return n;
}

int ph_prototypes_check(const struct ph_prototype *expect, size_t n)
{
	struct ph_btf b = {};
	void *data = NULL;
	ssize_t len;
	int ret, bad = 0;
	size_t i;

	len = ph_btf_read(&data);
	if (len < 0) {
		pr_err("cannot read %s (%zd): the kernel needs CONFIG_DEBUG_INFO_BTF=y so that the hooks' argument types can be checked\n",
		       PH_BTF_PATH, len);
		return len == -ENOMEM ? -ENOMEM : -EOPNOTSUPP;
	}
	ret = ph_btf_parse(&b, data, len);
	if (!ret) {
		for (i = 0; i < n; i++)
			bad += !ph_btf_matches(&b, &expect[i]);
		if (bad)
			ret = -EOPNOTSUPP;
	}
	kvfree(b.offset);
	vfree(data);
	return ret;
}
