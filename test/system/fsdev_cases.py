"""System tests of the device files with two disks: the ktests of devfs,
sysfs and procfs that look at block devices run with a second disk (vdb,
1 MiB, no partition table) besides the scratch disk every ktest boot has,
so the numbering of a second disk (254:16) is checked too."""

from blk_cases import disks, drive, gpt_image, pattern_image
from harness import Case

TESTS = ["devfs_block_nodes_and_ioctls", "sysfs_block_devices", "procfs_partitions"]

CASES = [
    Case("fsdev_two_disks", cmdline="ktest=" + ",".join(TESTS),
         esp=disks("fsdev_two_disks", [
             ("a.img", lambda p: gpt_image(p, "K", 4096, [(64, 1087), (1088, 4000)])),
             ("b.img", lambda p: pattern_image(p, "B", 2048))]),
         qemu_args=drive(0, "a.img") + drive(1, "b.img"),
         expect=[r"vdb: 2048 sectors", rf"^# ktest: {len(TESTS)} passed, 0 failed$"],
         forbid=[r"KERNEL PANIC", r"^not ok"], exit_status=1),
]
