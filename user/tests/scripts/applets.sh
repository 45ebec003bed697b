#!/bin/sh
# The busybox applets of docs/userland.md's checklist that need no
# terminal, each run as the checklist says and its result checked, printed
# as KTAP (system case user_applets). The interactive ones (ash's editing,
# vi, job control) are typed at on tty1 by shell_tty1_keyboard; ps is left
# to the /proc work. Needs root, /proc, /dev and a writable DIR (a tmpfs).
#
#     sh applets.sh [DIR]      (works in a fresh directory under DIR, default /tmp)

. "$(dirname "$0")/ktap.sh"

BASE=${1:-/tmp}
W=$BASE/applets.$$
mkdir "$W" || { echo "Bail out! cannot make $W"; exit 1; }
trap 'for m in mvmnt mnt dfmnt; do umount "$W/$m" 2>/dev/null; done; rm -rf "$W"' EXIT
cd "$W" || exit 1

echo "KTAP version 1"
echo "1..24"

has() {   # has WHAT TEXT PATTERN (grep -E)
	printf '%s\n' "$2" | grep -Eq "$3" || fail "$1: no line matches /$3/ in: $2"
}

applet_ls() {
	out=$(ls -la /)
	has "ls -la /" "$out" '^d[rwx-]{9} +[0-9]+ root +root +[0-9]+ .* etc$'
	has "ls -la /" "$out" '^d[rwx-]{9} .* \.$'
}
applet_cat() {
	printf 'one\ntwo\n' > f
	same "cat" "$(cat f f | wc -l | tr -d ' ')" 4
}
applet_cp() {
	mkdir -p src/d && echo data > src/d/f && chmod 640 src/d/f && touch -d '2001-02-03 04:05:06' src/d/f
	cp -a src dst || fail "cp -a"
	same "mode and mtime kept" "$(stat -c '%a %Y' dst/d/f)" "$(stat -c '%a %Y' src/d/f)"
	same "content" "$(cat dst/d/f)" data
}
applet_mv() {
	echo x > a && mv a b && [ ! -e a ] && same "renamed" "$(cat b)" x
	mkdir mvmnt && mount -t tmpfs t mvmnt || fail "mount"
	mv b mvmnt/b || fail "mv across file systems (EXDEV: copy)"
	[ ! -e b ] || fail "the source is left"
	same "moved across" "$(cat mvmnt/b)" x
	umount mvmnt || fail "umount"
}
applet_rm() {
	mkdir -p t/a/b && touch t/a/b/f t/g
	rm -r t || fail "rm -r"
	[ ! -e t ] || fail "t is left"
}
applet_mkdir() {
	mkdir -p p/q/r || fail "mkdir -p"
	mkdir -p p/q || fail "mkdir -p on an existing path"
	[ -d p/q/r ] || fail "p/q/r is not a directory"
}
applet_grep() {
	mkdir -p g/sub && echo needle > g/sub/x && echo hay > g/y
	same "grep -r" "$(grep -r needle g)" "g/sub/x:needle"
}
applet_sed() {
	printf 'a\nb\n' > s && chmod 600 s
	sed -i 's/b/c/' s || fail "sed -i"
	same "edited" "$(cat s | tr '\n' ' ')" "a c "
	same "mode kept" "$(stat -c %a s)" 600
}
applet_awk() {
	same "awk" "$(printf '1 2\n3 4\n' | awk '{ s += $1 * $2 } END { printf "%d\n", s }')" 14
}
applet_sort() {
	same "sort -rn" "$(printf '5\n10\n1\n' | sort -rn | tr '\n' ' ')" "10 5 1 "
}
applet_find() {
	mkdir -p fd/a && touch fd/a/one.c fd/two.c fd/three.h
	same "find" "$(find fd -name '*.c' -type f | sort | tr '\n' ' ')" "fd/a/one.c fd/two.c "
}
applet_xargs() {
	same "xargs" "$(echo a b c | xargs -n1 echo | wc -l | tr -d ' ')" 3
}
applet_kill() {
	sleep 100 &
	pid=$!
	kill "$pid" || fail "kill"
	wait "$pid"
	same "status after SIGTERM" $? 143
}
applet_mount_umount() {
	mkdir mnt && mount -t tmpfs -o size=1m t mnt || fail "mount"
	has "mount lists it" "$(mount)" "^t on $W/mnt type tmpfs"
	echo x > mnt/f
	umount mnt || fail "umount"
	[ ! -e mnt/f ] || fail "the file is still there after umount"
}
applet_df() {
	mkdir dfmnt && mount -t tmpfs -o size=1m t dfmnt || fail "mount"
	has "df" "$(df "$W/dfmnt")" "^t +1024 +[0-9]+ +[0-9]+ +[0-9]+% $W/dfmnt$"
	umount dfmnt
}
applet_du() {
	mkdir d && dd if=/dev/zero of=d/z bs=1024 count=64 2>/dev/null || fail "dd"
	kib=$(du -s d | cut -f1)
	[ "$kib" -ge 64 ] || fail "du -s: $kib KiB for 64 KiB"
}
applet_free() {
	has "free" "$(free)" '^Mem: +[1-9][0-9]* +[0-9]+ +[0-9]+'
}
applet_uptime() {
	has "uptime" "$(uptime)" 'up .*load average: [0-9]+\.[0-9]+, [0-9]+\.[0-9]+, [0-9]+\.[0-9]+$'
}
applet_dmesg() {
	has "dmesg" "$(dmesg)" '^\[ *[0-9]+\.[0-9]+\] CosmOS .* booting'
}
applet_top() {
	out=$(top -b -n 1)
	has "top -b" "$out" '^Mem: [0-9]+K used, [0-9]+K free'
	has "top -b" "$out" 'PID +PPID +USER'
}
applet_tar_gzip() {
	mkdir -p tt/d && echo hello > tt/d/f
	tar czf t.tgz tt || fail "tar czf"
	mkdir out && (cd out && tar xzf ../t.tgz) || fail "tar xzf"
	same "extracted" "$(cat out/tt/d/f)" hello
	echo zipped > z && gzip -k z || fail "gzip -k"
	[ -e z ] && [ -e z.gz ] || fail "gzip -k kept nothing or made nothing"
	same "gunzip -c" "$(gunzip -c z.gz)" zipped
}
applet_date() {
	same "date -d @0" "$(date -u -d @0 '+%Y-%m-%d %H:%M')" "1970-01-01 00:00"
	s=$(date +%s)
	[ "$s" -gt 1600000000 ] || fail "date +%s: $s is before 2020 (the RTC)"
}
applet_sleep() {
	sleep 0.2 || fail "sleep"
	sleep bad 2>/dev/null && fail "sleep bad succeeded"
	true
}
applet_less() {
	# not a terminal: less copies its input, as cat
	printf 'l1\nl2\n' > lf
	same "less to a pipe" "$(less lf | tr '\n' ' ')" "l1 l2 "
}

for t in applet_ls applet_cat applet_cp applet_mv applet_rm applet_mkdir applet_grep applet_sed \
	 applet_awk applet_sort applet_find applet_xargs applet_kill applet_mount_umount applet_df \
	 applet_du applet_free applet_uptime applet_dmesg applet_top applet_tar_gzip applet_date \
	 applet_sleep applet_less; do
	check "$t"
done
echo "# applets: $((N - FAILED)) passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
