#!/bin/sh
# The host smoke test of /sbin/init (`make init-host`, as root): runs
# `init -t` (pid 1 of new PID, mount and UTS namespaces) on this Linux host
# with test inittabs and checks what it says and does, printing KTAP.
#
#     test-host.sh INIT WORKDIR ETCDIR
#
# ETCDIR is the /etc of the initramfs (user/etc), whose inittab and
# hostname are checked too.
# WORKDIR must not be under /tmp (init mounts a tmpfs there) and is
# emptied first. Each run is under script(1), so init's console is a
# terminal and the controlling-terminal setup is exercised.
set -u
INIT=$1
W=$2
ETC=$3
BB=${BUSYBOX:-/bin/busybox}

case "$W" in
/tmp|/tmp/*) echo "test-host.sh: $W is under /tmp" >&2; exit 2 ;;
/?*/?*) ;;
*) echo "test-host.sh: refusing work directory '$W'" >&2; exit 2 ;;
esac
rm -rf "$W" && mkdir -p "$W" || exit 2

N=0
FAILED=0
PLAN=16
echo "KTAP version 1"
echo "1..$PLAN"
result() {  # result NAME STATUS [diagnostic]
	N=$((N + 1))
	if [ "$2" -eq 0 ]; then
		echo "ok $N $1"
	else
		[ $# -gt 2 ] && echo "# $3"
		echo "not ok $N $1"
		FAILED=$((FAILED + 1))
	fi
}
has() {     # has LOG REGEX: a line of LOG matches
	grep -Eq -- "$2" "$1"
}
# in_order LOG REGEX...: lines matching each REGEX appear in this order
in_order() {
	log=$1; shift
	awk -v n=$# 'BEGIN { for (i = 1; i < ARGC; i++) re[i] = ARGV[i]; ARGC = 1 }
		     k < n && $0 ~ re[k + 1] { k++ } END { exit k == n ? 0 : 1 }' "$@" < "$log"
}
# wait_line LOG REGEX SECONDS: polls the log until a line matches
wait_line() {
	end=$(( $(date +%s) + $3 ))
	while ! has "$1" "$2"; do
		[ "$(date +%s)" -gt "$end" ] && return 1
		sleep 0.05
	done
}
# start_init NAME: runs init -t with $W/NAME/{inittab,hostname} in the
# background, its console (a pseudo-terminal) logged to $W/NAME.log and
# its exit status added as a last line "exit status N".
start_init() {
	( script -qfec "$INIT -t -c $W/$1" /dev/null < /dev/null; echo "exit status $?" ) |
		sed -u 's/\r$//' > "$W/$1.log" &
	STARTED=$!
}
# finish_init NAME: waits for it (at most a minute; then it is killed, and
# the pid 1 inside goes with it); sets rc to its exit status
finish_init() {
	if ! wait_line "$W/$1.log" '^exit status' 60; then
		echo "# $1: init -t did not end; killing it"
		signal_outer "$1" KILL
	fi
	wait $STARTED
	rc=$(sed -n 's/^exit status \([0-9]*\)$/\1/p' "$W/$1.log")
	rc=${rc:-255}
}
# signal_outer NAME SIGNAL: signals the init -t outside the namespaces
# (the parent of the pid 1 it reported), which passes the signal on
signal_outer() {
	inner=$(sed -n 's/^init -t: pid 1 of the namespaces is pid \([0-9][0-9]*\) here$/\1/p' "$W/$1.log")
	[ -n "$inner" ] || return 1
	outer=$(awk '{ print $4 }' "/proc/$inner/stat" 2>/dev/null)
	[ -n "$outer" ] && kill -s "$2" "$outer"
}

# busybox's poweroff and reboot append a record to /var/log/wtmp before they
# signal init; the namespaces share the host's /var, so each test system
# first covers /var/log with a tmpfs of its own (where wtmp does not exist).
KEEP_WTMP="::sysinit:$BB mount -t tmpfs tmpfs /var/log"

# --- 1: boot, sysinit, once, respawn with its rate limit, an orphan, poweroff
D=$W/boot
mkdir -p "$D"
echo cosmos-test > "$D/hostname"
cat > "$D/respawn.sh" <<EOF
#!$BB sh
n=\$(( \$(cat $D/count 2>/dev/null || echo 0) + 1 )); echo \$n > $D/count
read -r pid comm state ppid pgrp sid tty tpgid rest < /proc/self/stat
echo "respawn: run \$n pid \$pid pgrp \$pgrp sid \$sid tty \$tty tpgid \$tpgid"
[ \$n -ge 3 ] && { $BB poweroff; exec $BB sleep 1000; }
exit 0
EOF
chmod +x "$D/respawn.sh"
cat > "$D/inittab" <<EOF
# the smoke test's inittab
$KEEP_WTMP
::sysinit:$BB sh -c 'echo sysinit: host name \$(hostname), \$(grep -c . /proc/mounts) mounts'
::once:$BB sh -c '$BB sleep 0.2 & echo once: left orphan \$!'
::once:$BB sh -c 'trap "" TERM; exec $BB sleep 1000'
::respawn:-$D/respawn.sh
::shutdown:$BB echo shutdown action ran
not an inittab line
tty1::respawn:-/bin/sh
EOF
host_name=$(hostname)
start_init boot
finish_init boot
L=$W/boot.log

result init_ends_by_reboot_syscall "$rc" "exit status $rc; log in $L"
has "$L" '^init: mounted proc on /proc$' && has "$L" '^init: mounted tmpfs on /tmp$' &&
	has "$L" '^init: (mounted|devtmpfs already mounted) .*on /dev$' && has "$L" 'sysfs.* on /sys$'
result init_mounts "$?"
has "$L" '^init: host name cosmos-test$' && has "$L" '^sysinit: host name cosmos-test,' &&
	[ "$(hostname)" = "$host_name" ]
result init_hostname_in_own_namespace "$?"
has "$L" '^init: inittab line 8: expected id:runlevels:action:process; line ignored$' &&
	has "$L" '^init: test mode: inittab line 9 left out: tty1'
result init_inittab_bad_lines "$?"
in_order "$L" '^sysinit: host name' '^init: starting .* on the console'
result init_sysinit_first "$?"
# The respawned program is a session leader, its terminal is its
# controlling terminal and its group is in the foreground.
line=$(grep '^respawn: run 1 ' "$L")
set -- $line
[ "$#" -eq 13 ] && [ "$5" = "$7" ] && [ "$5" = "$9" ] && [ "${11}" != 0 ] && [ "${13}" = "$5" ]
result init_controlling_terminal "$?" "got: $line"
in_order "$L" '^respawn: run 1 ' 'exited \(status 0\); starting it again$' '^respawn: run 2 ' \
	'2 times in a row within 5 s of starting; next start in 1 s$' '^respawn: run 3 '
result init_respawn_rate_limited "$?"
orphan=$(sed -n 's/^once: left orphan \([0-9]*\)$/\1/p' "$L")
[ -n "$orphan" ] && has "$L" "^init: reaped orphan pid $orphan \\(status 0\\)$"
result init_reaps_orphans "$?"
in_order "$L" '^init: shutting down to power off$' '^shutdown action ran$' \
	'^init: sending SIGTERM to all processes$' 'killed by signal 15' \
	'^init: 1 processes still running after 3 s; sending SIGKILL$' 'killed by signal 9' \
	'^init: synced$' '^init: unmounted [0-9]+ file systems$' '^init: remounted / read-only$' \
	'^init: power off$' '^init -t: pid 1 ended by reboot\(2\): power off or halt$'
result init_poweroff_sequence "$?"
! has "$L" '^respawn: run 4 '
result init_no_respawn_after_shutdown "$?"

# --- 2, 3, 4: SIGTERM reboots, SIGUSR1 halts, SIGINT runs ctrlaltdel
# (which reboots here). Each waits for its shell to be up, then signals the
# outer init -t, which passes the signal on to pid 1.
signal_case() {  # signal_case NAME SIGNAL REGEX...
	name=$1 sig=$2
	shift 2
	D=$W/$name
	mkdir -p "$D"
	echo "$name" | tr _ - > "$D/hostname"
	cat > "$D/inittab" <<-EOF
	$KEEP_WTMP
	::respawn:$BB sh -c 'echo up; exec $BB sleep 1000'
	::ctrlaltdel:$BB reboot
	EOF
	start_init "$name"
	wait_line "$W/$name.log" '^up$' 10 && signal_outer "$name" "$sig"
	finish_init "$name"
	[ "$rc" -eq 0 ] && in_order "$W/$name.log" "$@"
	result "init_$name" "$?" "exit status $rc; log in $W/$name.log"
}
signal_case sigterm_reboots TERM '^init: shutting down to reboot$' '^init: reboot$' \
	'^init -t: pid 1 ended by reboot\(2\): restart$'
signal_case sigusr1_halts USR1 '^init: shutting down to halt$' '^init: halt$' \
	'^init -t: pid 1 ended by reboot\(2\): power off or halt$'
signal_case sigint_runs_ctrlaltdel INT '^init: Ctrl-Alt-Del$' '^init: running .*reboot$' \
	'^init: shutting down to reboot$' '^init -t: pid 1 ended by reboot\(2\): restart$'

# --- 5: no inittab at all: test mode has no built-in one, and powers off
D=$W/empty
mkdir -p "$D"
start_init empty
wait_line "$W/empty.log" 'inittab: No such file' 10 && signal_outer empty USR2
finish_init empty
[ "$rc" -eq 0 ] && has "$W/empty.log" "^init: $D/inittab: No such file or directory$" &&
	has "$W/empty.log" "^init: $D/hostname: No such file or directory; host name not set$" &&
	! has "$W/empty.log" 'starting'
result init_without_config "$?" "exit status $rc"

# --- 6: the initramfs's /etc: its inittab parses whole, and names the shells
cp -r "$ETC" "$W/etc"
start_init etc
wait_line "$W/etc.log" 'ttyS0 is the host' 10 && signal_outer etc USR2
finish_init etc
[ "$rc" -eq 0 ] && has "$W/etc.log" '^init: host name cosmos$' &&
	has "$W/etc.log" "^init: read $W/etc/inittab: 3 entries\$" &&
	has "$W/etc.log" 'left out: tty1 is' && has "$W/etc.log" 'left out: ttyS0 is'
result init_initramfs_etc "$?" "exit status $rc; log in $W/etc.log"

# --- 7: not pid 1 and no -t: refuses
"$INIT" > "$W/refuse.log" 2>&1
rc=$?
[ "$rc" -eq 2 ] && has "$W/refuse.log" '^usage: init'
result init_refuses_without_pid1 "$?"

[ "$N" -eq "$PLAN" ] || echo "# ran $N of $PLAN"
echo "# init-host: $((N - FAILED)) passed, $FAILED failed"
[ "$FAILED" -eq 0 ] && [ "$N" -eq "$PLAN" ]
