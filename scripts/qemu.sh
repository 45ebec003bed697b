#!/usr/bin/env bash
# Boots an ESP image on the canonical machine (design.md §7): q35, -cpu max,
# OVMF as pflash, serial on the terminal. Extra arguments go to QEMU.
# Environment: MEM (default 512M), SMP (default 1; more runs multi-threaded
# TCG), KVM=1 to use KVM,
# SERIAL (COM1's -serial backend, default stdio).
set -eu
esp=$1
shift
dir=$(dirname "$esp")
code=/usr/share/OVMF/OVMF_CODE_4M.fd
vars="$dir/ovmf-vars.fd"
[ -e "$vars" ] || cp /usr/share/OVMF/OVMF_VARS_4M.fd "$vars"
# Several vCPUs run on several host threads (multi-threaded TCG), so that
# they really run at once.
accel=tcg
[ "${SMP:-1}" -gt 1 ] && accel=tcg,thread=multi
[ "${KVM:-0}" = 1 ] && accel=kvm
exec qemu-system-x86_64 -machine q35 -accel $accel -cpu max -m "${MEM:-512M}" -smp "${SMP:-1}" \
	-nodefaults -vga std -no-reboot -net none \
	-drive if=pflash,format=raw,unit=0,readonly=on,file=$code \
	-drive if=pflash,format=raw,unit=1,file="$vars" \
	-drive if=ide,format=raw,file="$esp" \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
	-serial "${SERIAL:-stdio}" -display none "$@"
