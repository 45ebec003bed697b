#!/usr/bin/env bash
# make bench-linux: CosmOS's own user/bench/bench.c under Debian's Linux 6.1
# kernel, booted in CosmOS's QEMU configuration (scripts/qemu.sh: q35, -cpu
# max, 512 MiB, 1 vCPU, OVMF as pflash, TCG) with -kernel/-initrd, so the
# same program gives both sides' figures (scripts/bench-compare.py).
#
# usage: linux-bench.sh BUILD_DIR        (after `make all`: BUILD_DIR/user/bin/bench)
# Env:   PEER_DIR  a directory holding kpkg/boot/vmlinuz-* and kpkg/lib/modules/
#                  (an unpacked linux-image package), used read-only; default
#                  ~/.cache/cosmos-linux-peer when it has one, else the package
#                  is downloaded (apt-get download) into BUILD_DIR/linux-peer/.
#        LINUX_BENCH_TIMEOUT  seconds for the boot (default 1500)
#
# The guest (user/bench/linux-init.c) runs the whole bench in a tmpfs, then
# on ext4 on a fresh 512 MiB virtio-blk disk (mke2fs -t ext4 here), then the
# mount_ and cold_ benchmarks on that disk. Output on stdout: "BENCH
# linux_tmpfs_NAME ..." and "BENCH linux_ext4_NAME ...", and
# linux_initramfs_unpack (MiB/s): the uncompressed initramfs's size over the
# time of the populate_rootfs initcall, run synchronously (initramfs_async=0)
# and timed by the kernel (initcall_debug). The serial log is kept in
# BUILD_DIR/linux-peer/serial.log.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=${1:?usage: linux-bench.sh BUILD_DIR}
build=$(cd "$build" && pwd)
W=$build/linux-peer
mkdir -p "$W"
log() { echo "linux-bench: $*" >&2; }

for f in "$build/user/bin/bench" "$build/user/bin/exit0"; do
	[ -x "$f" ] || { log "$f is missing: run make first"; exit 1; }
done
command -v mke2fs >/dev/null || { log "mke2fs (e2fsprogs) is missing"; exit 1; }

# ---- the kernel: an unpacked Debian linux-image package ----
peer=${PEER_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cosmos-linux-peer}
if compgen -G "$peer/kpkg/boot/vmlinuz-*" >/dev/null; then
	kpkg=$peer/kpkg
else
	kpkg=$W/kpkg
	if ! compgen -G "$kpkg/boot/vmlinuz-*" >/dev/null; then
		pick() { apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-/{print $2; exit}'; }
		pkg=$(pick)
		[ -n "$pkg" ] || { apt-get update -qq && pkg=$(pick); }
		[ -n "$pkg" ] || { log "cannot resolve linux-image-amd64"; exit 1; }
		log "downloading $pkg into $W/deb"
		rm -rf "$W/deb" "$kpkg"
		mkdir -p "$W/deb"
		(cd "$W/deb" && apt-get download "$pkg" >&2)
		dpkg -x "$W"/deb/"$pkg"_*.deb "$kpkg"
		rm -rf "$W/deb"
	fi
fi
kernel=$(ls "$kpkg"/boot/vmlinuz-* | head -1)
kver=${kernel##*/vmlinuz-}
moddir=$kpkg/lib/modules/$kver/kernel
[ -d "$moddir" ] || { log "no modules at $moddir"; exit 1; }

# ---- init, initramfs, disk ----
musl-gcc -std=gnu11 -static -O2 -Wall -Wextra -Werror -o "$W/init" "$root/user/bench/linux-init.c"
python3 "$here/linux-initramfs.py" "$W/initramfs.cpio" "$W/init" \
	"$build/user/bin/bench" "$build/user/bin/exit0" "$moddir"
initrd_bytes=$(stat -c %s "$W/initramfs.cpio")
rm -f "$W/disk.img" "$W/blank.img" "$W/ovmf-vars.fd"
truncate -s 512M "$W/disk.img"
mke2fs -q -F -t ext4 -L peer "$W/disk.img"
# qemu.sh attaches its first argument as an IDE disk and keeps OVMF's
# variables beside it: an empty one (OVMF boots -kernel before any disk).
truncate -s 1M "$W/blank.img"

log "booting $kver (a few minutes under TCG)"
append="console=ttyS0 quiet panic=-1 initcall_debug initramfs_async=0 log_buf_len=4M"
status=0
timeout -k 10 "${LINUX_BENCH_TIMEOUT:-1500}" "$here/qemu.sh" "$W/blank.img" \
	-kernel "$kernel" -initrd "$W/initramfs.cpio" -append "$append" \
	-drive if=none,id=peer,format=raw,file="$W/disk.img" -device virtio-blk-pci,drive=peer \
	</dev/null >"$W/serial.raw" 2>"$W/qemu.stderr" || status=$?
rm -f "$W/disk.img" "$W/blank.img"
# OVMF's screen control sequences and carriage returns out
sed -e 's/\x1b\[[0-9;=?]*[A-Za-z]//g' -e 's/\r//g' "$W/serial.raw" >"$W/serial.log"

echo "# linux-bench: Linux $kver, $(date -u '+%Y-%m-%d %H:%M UTC'), $(qemu-system-x86_64 --version | head -1)"
awk -v bytes="$initrd_bytes" '
	/^PEER-SECTION / { section = $2; next }
	/^BENCH / && section != "" { $2 = "linux_" section "_" $2; print; next }
	/^# .*failed/ { print; next }
	/^KLOG .*initcall populate_rootfs.* returned 0 after [0-9]+ usecs/ {
		for (i = 1; i < NF; i++) if ($i == "after") us = $(i + 1)
		if (us > 0) printf "BENCH linux_initramfs_unpack %.2f MiB/s\n", bytes / 1048576 / (us / 1e6)
		printf "# initramfs %d bytes unpacked by populate_rootfs in %d us\n", bytes, us
		next
	}
	/^PEER-ERROR / { print "# " $0 }
' "$W/serial.log"
if [ "$status" -ne 0 ] || ! grep -q '^PEER-DONE failed=0$' "$W/serial.log"; then
	log "the boot failed (QEMU status $status); see $W/serial.log and $W/qemu.stderr"
	exit 1
fi
