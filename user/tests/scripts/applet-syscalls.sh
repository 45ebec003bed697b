#!/bin/sh
# Runs each busybox applet the userland issue names under strace on this
# Linux host and prints, per applet, the system calls, ioctl requests and
# /proc, /sys, /dev and /etc files it used: the raw material of the
# checklist in docs/userland.md. Needs root (mount, umount and dmesg run in
# a private mount namespace) and strace and script(1).
#
#     applet-syscalls.sh WORKDIR [applet...]
#
# WORKDIR (emptied first) holds the traces, one WORKDIR/APPLET.trace each.
# The interactive applets (ash, vi, less, top) run on a pseudo-terminal
# made by script(1) and are typed at; WORKDIR/APPLET.out keeps what they
# wrote (the terminal sequences they use).
set -u
W=${1:?usage: applet-syscalls.sh WORKDIR [applet...]}
shift
BB=${BUSYBOX:-/bin/busybox}
case "$W" in
/?*/?*) ;;
*) echo "applet-syscalls.sh: refusing work directory '$W'" >&2; exit 2 ;;
esac
rm -rf "$W" && mkdir -p "$W/data/d" || exit 2
cd "$W/data" || exit 2
seq 1 200 > numbers
printf 'one\ntwo\nthree\n' > d/a
echo hello > d/b

# The calls every applet makes (glibc's start-up in the static busybox),
# left out of the per-applet lists.
strace -qq -f -o "$W/true.trace" "$BB" true
BASE=$(sed -n 's/^[0-9]* *\([a-z_0-9]*\)(.*/\1/p' "$W/true.trace" | sort -u | tr '\n' ' ')
echo "every applet: $BASE"
echo

trace() {  # trace NAME COMMAND...: strace the command
	name=$1; shift
	strace -qq -f -s 200 -o "$W/$name.trace" "$@" > "$W/$name.out" 2>&1 < /dev/null
}
# trace_ns NAME COMMAND...: the same in a private mount namespace
trace_ns() {
	name=$1; shift
	unshare -m --propagation private strace -qq -f -s 200 -o "$W/$name.trace" "$@" > "$W/$name.out" 2>&1 < /dev/null
}
# trace_tty NAME COMMAND KEY...: on a pseudo-terminal, each KEY (printf
# escapes) typed after a pause, as a person would
trace_tty() {
	name=$1 cmd=$2; shift 2
	{ for k in "$@"; do sleep 0.3; printf "$k"; done; sleep 0.5; } |
		TERM=vt100 script -qfec "strace -qq -f -s 200 -o $W/$name.trace $cmd" /dev/null > "$W/$name.out" 2>&1
}

run() {
	case $1 in
	ash)    HOME=$W/data trace_tty ash "$BB ash -i" 'echo hi\r' '\033[A\r' "$BB sleep 100 &\\r" \
			'jobs\r' 'kill %%1\r' "$BB sleep 100\\r" '\003' 'exit\r' ;;
	ls)     trace ls "$BB" ls -la / ;;
	cat)    trace cat "$BB" cat d/a ;;
	cp)     trace cp "$BB" cp -a d d2 ;;
	mv)     trace mv "$BB" mv d2 d3 ;;
	rm)     trace rm "$BB" rm -r d3 ;;
	mkdir)  trace mkdir "$BB" mkdir -p x/y/z ;;
	grep)   trace grep "$BB" grep -r hello . ;;
	sed)    trace sed "$BB" sed -i s/one/1/ d/a ;;
	awk)    trace awk "$BB" awk '{ s += $1 } END { print s }' numbers ;;
	sort)   trace sort "$BB" sort -rn numbers ;;
	find)   trace find "$BB" find . -type f -name '*' ;;
	xargs)  trace xargs "$BB" sh -c "echo d/a d/b | exec $BB xargs $BB wc -l" ;;
	ps)     trace ps "$BB" ps ;;
	top)    trace_tty top "$BB top" 'q' ;;
	kill)   trace kill "$BB" sh -c "$BB sleep 10 & $BB kill \$!; wait" ;;
	mount)  trace_ns mount "$BB" mount -t tmpfs -o size=1m none x && summary mount
		trace mount "$BB" mount ;;     # the list
	umount) trace_ns umount "$BB" sh -c "$BB mount -t tmpfs none x && exec $BB umount x" ;;
	df)     trace df "$BB" df ;;
	du)     trace du "$BB" du -s . ;;
	free)   trace free "$BB" free ;;
	uptime) trace uptime "$BB" uptime ;;
	dmesg)  trace dmesg "$BB" dmesg ;;
	lspci)  trace lspci "$BB" lspci ;;
	vi)     trace_tty vi "$BB vi $W/data/d/vi.txt" 'ihello\033' ':wq\r' ;;
	less)   trace_tty less "$BB less $W/data/numbers" ' ' 'q' ;;
	tar)    trace tar "$BB" sh -c "$BB tar czf t.tgz d && $BB tar xzf t.tgz -C x" ;;
	gzip)   trace gzip "$BB" sh -c "$BB gzip -k numbers && $BB gunzip -c numbers.gz > /dev/null" ;;
	date)   trace date "$BB" date ;;
	sleep)  trace sleep "$BB" sleep 0.1 ;;
	*)      echo "no recipe for $1" >&2; return 1 ;;
	esac
}

# The lists for one trace: calls (less the start-up ones), ioctl requests,
# the /proc, /sys, /dev and /etc paths named to path calls (relative ones
# resolved against the last chdir), and the calls that failed.
summary() {
	awk -v base="$BASE" -v name="$1" '
	BEGIN { n = split(base, b, " "); for (i = 1; i <= n; i++) skip[b[i]] = 1 }
	match($0, /^[0-9]+ +[a-z_0-9]+\(/) {
		call = substr($0, RSTART, RLENGTH - 1); sub(/^[0-9]+ +/, "", call)
		if (!(call in skip)) calls[call] = 1
		rest = substr($0, RSTART + RLENGTH)
		if (call == "ioctl" && match(rest, /^[0-9]+, [A-Z_0-9]+( or [A-Z_0-9]+)?/)) {
			req = substr(rest, RSTART, RLENGTH); sub(/^[0-9]+, /, "", req); sub(/.* or /, "", req)
			ioctls[req] = 1
		}
		if (call ~ /^(openat|open|newfstatat|stat|lstat|statx|access|faccessat|faccessat2|readlink|readlinkat|statfs|chdir|execve|mount|umount2)$/ &&
		    match(rest, /^(AT_FDCWD, )?"[^"]*"/)) {
			path = substr(rest, RSTART, RLENGTH); sub(/^(AT_FDCWD, )?"/, "", path); sub(/"$/, "", path)
			if (path !~ /^\// && cwd != "") path = cwd "/" path
			if (call == "chdir" && $0 ~ /= 0$/) cwd = path
			gsub(/\/[0-9]+\//, "/N/", path); sub(/\/[0-9]+$/, "/N", path)
			if (path ~ /^\/(proc|sys|dev|etc)(\/|$)/) files[path] = 1
		}
		if (match($0, /= -1 [A-Z]+/)) { e = substr($0, RSTART + 5, RLENGTH - 5); failed[call " " e] = 1 }
	}
	function list(a,   k, out, m, i, keys) {
		m = 0; for (k in a) keys[++m] = k
		for (i = 2; i <= m; i++) { k = keys[i]; j = i - 1; while (j > 0 && keys[j] > k) { keys[j + 1] = keys[j]; j-- } keys[j + 1] = k }
		out = ""; for (i = 1; i <= m; i++) out = out (i > 1 ? ", " : "") keys[i]
		return out
	}
	END {
		print name ":"
		print "  calls: " list(calls)
		print "  ioctls: " list(ioctls)
		print "  files: " list(files)
		print "  failed: " list(failed)
	}' "$W/$1.trace"
}

mkdir -p x
APPLETS=${*:-"ash ls cat cp mv rm mkdir grep sed awk sort find xargs ps top kill mount umount df du free uptime dmesg lspci vi less tar gzip date sleep"}
for a in $APPLETS; do
	if ! "$BB" --list | grep -qx "$a"; then
		echo "$a: not in $BB"
		continue
	fi
	run "$a"; [ -f "$W/$a.trace" ] && summary "$a"
done
