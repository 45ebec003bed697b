#!/usr/bin/env bash
# Makes a FAT ESP image with mtools (no root, no loop devices):
#   /EFI/BOOT/BOOTX64.EFI, /cosmos/kernel.elf, /cosmos/cmdline.txt, and any
#   extra files such as /cosmos/initrd.cpio
# usage: mkesp.sh OUT.img LOADER.efi KERNEL.elf "CMDLINE" [EXTRA_SRC=/dest ...]
# Either file, or CMDLINE, may be given as "-" to leave it out (the loader's
# error tests; test/system/harness.py then adds its own cmdline.txt as an extra).
# The image is 32 MiB, or larger when the files need it.
set -eu
out=$1 loader=$2 kernel=$3 cmdline=$4
shift 4
tmp="$out.tmp"

bytes=0
for f in "$loader" "$kernel" "${@%%=*}"; do
	[ "$f" = - ] && continue
	if [ ! -f "$f" ]; then
		echo "mkesp.sh: $f: no such file" >&2
		exit 1
	fi
	bytes=$((bytes + $(stat -c %s "$f")))
done
# FAT and cluster overhead stay well under an eighth, plus 4 MiB of room
mib=$(((bytes + bytes / 8) / 1048576 + 4))
[ "$mib" -ge 32 ] || mib=32

rm -f "$tmp"
truncate -s "${mib}M" "$tmp"
mformat -i "$tmp" -v COSMOS -N 0x434f534d ::
mmd -i "$tmp" ::/EFI ::/EFI/BOOT ::/cosmos
[ "$loader" = - ] || mcopy -i "$tmp" "$loader" ::/EFI/BOOT/BOOTX64.EFI
[ "$kernel" = - ] || mcopy -i "$tmp" "$kernel" ::/cosmos/kernel.elf
if [ "$cmdline" != - ]; then
	printf '%s\n' "$cmdline" > "$tmp.cmdline"
	mcopy -i "$tmp" "$tmp.cmdline" ::/cosmos/cmdline.txt
	rm -f "$tmp.cmdline"
fi
for extra in "$@"; do
	mcopy -i "$tmp" "${extra%%=*}" "::${extra#*=}"
done
mv "$tmp" "$out"
