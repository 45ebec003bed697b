#!/usr/bin/env bash
# Makes a FAT ESP image with mtools (no root, no loop devices):
#   /EFI/BOOT/BOOTX64.EFI, /cosmos/kernel.elf, /cosmos/cmdline.txt
# usage: mkesp.sh OUT.img LOADER.efi KERNEL.elf "CMDLINE" [EXTRA_SRC=/dest ...]
# Either file, or CMDLINE, may be given as "-" to leave it out (the loader's
# error tests; test/system/harness.py then adds its own cmdline.txt as an extra).
set -eu
out=$1 loader=$2 kernel=$3 cmdline=$4
shift 4
tmp="$out.tmp"
rm -f "$tmp"
truncate -s 32M "$tmp"
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
