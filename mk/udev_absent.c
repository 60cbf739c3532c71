/* mk/udev_absent.c - a libudev that is never there, linked only into the static build.
 *
 * Debian ships libhwloc.a but no libudev.a, and libhwloc.a's Linux backend (topology-linux.o)
 * references exactly the five functions below. hwloc only ever uses udev as an optional source
 * of block-device vendor/model/serial strings: it sets data->udev = udev_new() when it runs on
 * the real / (not a fake fsroot), tests `if (data->udev)` before every other udev call, and
 * otherwise reads the same properties from /run/udev/data/b<major>:<minor> itself. udev_unref()
 * is only called on a non-NULL handle. So udev_new() returning NULL gives a fully working,
 * udev-less hwloc (checked against hwloc 2.9.0's disassembly: the NULL tests are there), and
 * the others are never reached; they exist only to satisfy the linker and stay harmless.
 * The types are opaque here on purpose: no libudev header is needed to build this.
 */
#include <stddef.h>

struct udev;
struct udev_device;

/* Prototypes to keep -Wmissing-prototypes quiet; these are what libudev.h declares. */
struct udev *udev_new(void);
struct udev *udev_unref(struct udev *udev);
struct udev_device *udev_device_new_from_subsystem_sysname(struct udev *udev, const char *subsystem,
                                                           const char *sysname);
const char *udev_device_get_property_value(struct udev_device *dev, const char *key);
struct udev_device *udev_device_unref(struct udev_device *dev);

struct udev *udev_new(void)
{
    return NULL; /* "no udev": hwloc takes its sysfs / /run/udev/data path */
}

struct udev *udev_unref(struct udev *udev)
{
    (void)udev;
    return NULL;
}

struct udev_device *udev_device_new_from_subsystem_sysname(struct udev *udev, const char *subsystem,
                                                           const char *sysname)
{
    (void)udev;
    (void)subsystem;
    (void)sysname;
    return NULL;
}

const char *udev_device_get_property_value(struct udev_device *dev, const char *key)
{
    (void)dev;
    (void)key;
    return NULL;
}

struct udev_device *udev_device_unref(struct udev_device *dev)
{
    (void)dev;
    return NULL;
}
