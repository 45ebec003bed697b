#!/usr/bin/env bash
# Installs the Debian packages that building, running and testing CosmOS need,
# but only those that are missing, so `make run`/`make test` work on a fresh machine.
set -eu

# package -> a file that proves it is installed
need() {
	case "$1" in
	gnu-efi)          test -e /usr/lib/crt0-efi-x86_64.o ;;
	ovmf)             test -e /usr/share/OVMF/OVMF_CODE_4M.fd ;;
	qemu-system-x86)  command -v qemu-system-x86_64 >/dev/null ;;
	mtools)           command -v mcopy >/dev/null ;;
	libcmocka-dev)    test -e /usr/include/cmocka.h ;;
	gcc)              command -v gcc >/dev/null ;;
	make)             command -v make >/dev/null ;;
	binutils)         command -v objcopy >/dev/null ;;
	python3)          command -v python3 >/dev/null ;;
	musl-tools)       command -v musl-gcc >/dev/null ;;
	busybox-static)   dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q "ok installed" ;;
	gdb)              command -v gdb >/dev/null ;;
	clang)            command -v clang >/dev/null ;;
	libclang-rt-14-dev) compgen -G '/usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a' >/dev/null ;;
	llvm)             command -v llvm-cov >/dev/null && command -v llvm-profdata >/dev/null ;;
	*)                return 1 ;;
	esac
}

# clang and libclang-rt-14-dev (libFuzzer and the sanitizer runtimes, only
# recommended by clang-14) build the fuzz targets; llvm has llvm-cov.
PKGS="gcc make binutils gnu-efi ovmf qemu-system-x86 mtools libcmocka-dev python3 musl-tools busybox-static"
PKGS="$PKGS clang libclang-rt-14-dev"
[ "${1:-}" = "--with-gdb" ] && PKGS="$PKGS gdb"
[ "${1:-}" = "--with-llvm" ] && PKGS="$PKGS llvm"

missing=""
for p in $PKGS; do
	need "$p" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages:$missing" >&2
	echo "deps: run as root:  apt-get update && $cmd" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends$missing >/dev/null
