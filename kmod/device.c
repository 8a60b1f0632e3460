// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/preempthint: where a thread registers its hint slot. Any user may
 * register (the slot only ever affects the registering thread, and only in
 * cgroups the operator enabled); the fd can be closed right after, so no
 * open file pins the module.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/uaccess.h>

#include "device.h"
#include "registry.h"

static long ph_device_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct preempthint_register req;

	switch (cmd) {
	case PREEMPTHINT_IOC_REGISTER:
		if (copy_from_user(&req, (void __user *)arg, sizeof(req)))
			return -EFAULT;
		/*
		 * The size must be exact: the module pins one page and relies
		 * on the 32-byte slot never crossing it, so a caller that
		 * believes the slot is bigger (or smaller) has a layout we do
		 * not serve. A future, larger slot gets a new size and flag.
		 */
		if (req.flags || req.size != sizeof(struct preempthint_slot))
			return -EINVAL;
		if (current->flags & PF_KTHREAD)
			return -EINVAL;
		return ph_registry_add(req.slot);
	case PREEMPTHINT_IOC_UNREGISTER:
		return ph_registry_remove(current);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations ph_device_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = ph_device_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice ph_device = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = PREEMPTHINT_MODNAME,
	.fops = &ph_device_fops,
	.mode = 0666,
};

int ph_device_init(void)
{
	return misc_register(&ph_device);
}

void ph_device_exit(void)
{
	misc_deregister(&ph_device);
}
