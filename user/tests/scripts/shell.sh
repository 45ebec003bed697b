#!/bin/sh
# The shell-script test: what the userland issue asks of scripts (a loop
# creating and removing 100 files, a pipeline of five programs,
# redirections, command substitution, exit codes) plus a few shell basics,
# each checked by the script itself, printed as KTAP. Runs under busybox sh
# on a Linux host (`make shell-test-host`) and on CosmOS
# (/usr/share/cosmos/tests/shell.sh in the initramfs). Exit status 0 when
# everything passed.
#
#     sh shell.sh [DIR]      (works in a fresh directory under DIR, default $TMPDIR or /tmp)

. "$(dirname "$0")/ktap.sh"

BASE=${1:-${TMPDIR:-/tmp}}
W=$BASE/shell-test.$$
mkdir "$W" || { echo "Bail out! cannot make $W"; exit 1; }
trap 'rm -rf "$W"' EXIT
cd "$W" || exit 1

PLAN=9
echo "KTAP version 1"
echo "1..$PLAN"


loop_100_files() {
	mkdir files || fail "mkdir"
	i=1
	while [ $i -le 100 ]; do
		echo "file $i" > files/f$i || fail "cannot create files/f$i"
		i=$((i + 1))
	done
	same "files made" "$(ls files | wc -l | tr -d ' ')" 100
	same "content of f57" "$(cat files/f57)" "file 57"
	same "sum of the numbers in them" "$(cat files/f* | awk '{ s += $2 } END { print s }')" 5050
	for f in files/f*; do
		rm "$f" || fail "cannot remove $f"
	done
	same "files left" "$(ls files | wc -l | tr -d ' ')" 0
	rmdir files || fail "rmdir: the directory is not empty"
	[ ! -e files ] || fail "files still exists"
}

pipeline_of_five() {
	got=$(seq 1 100 | grep 7 | sort -rn | head -n 5 | tr '\n' ' ')
	same "seq | grep | sort | head | tr" "$got" "97 87 79 78 77 "
	got=$(printf 'b 2\na 1\nc 3\n' | sort | cut -d' ' -f2 | sed 's/^/n/' | xargs echo)
	same "printf | sort | cut | sed | xargs" "$got" "n1 n2 n3"
	# Every stage of a pipeline runs, even when a later one ends first.
	got=$(yes | head -n 1000 | wc -l | tr -d ' ')
	same "yes | head | wc" "$got" 1000
}

redirections() {
	echo one > f
	echo two >> f
	same "> and >>" "$(cat f)" "one
two"
	echo three > f
	same "> truncates" "$(cat f)" three
	same "<" "$(tr a-z A-Z < f)" THREE
	ls /nonexistent-dir 2> err > out
	[ -s err ] || fail "2> caught nothing"
	[ ! -s out ] || fail "stdout of a failed ls is not empty"
	same "2>&1 order" "$( (echo out; echo err >&2) 2>&1 >/dev/null)" err
	cat > here <<-EOF
	line $((1 + 1))
	EOF
	same "here-document" "$(cat here)" "line 2"
	exec 3> fd3
	echo via3 >&3
	exec 3>&-
	same "exec 3>" "$(cat fd3)" via3
	exec 4< fd3
	read -r line <&4
	exec 4<&-
	same "exec 4<" "$line" via3
	: > empty
	[ -f empty ] && [ ! -s empty ] || fail ": > did not make an empty file"
	echo x >> /dev/null || fail "cannot append to /dev/null"
}

command_substitution() {
	same '$()' "$(echo hello)" hello
	same 'nested $()' "$(echo "$(echo in)side")" inside
	same 'backquotes' "`echo old`" old
	same 'trailing newlines stripped' "$(printf 'a\n\n\n')" a
	same 'arithmetic' "$(( (7 * 6) % 10 + 2 ** 3 ))" 10
	v=$(echo a; echo b)
	same 'two lines' "$v" "a
b"
	n=$(ls / | wc -l)
	[ "$n" -gt 3 ] || fail "ls / listed only $n names"
	same 'word splitting of $()' "$(set -- $(echo x y z); echo $#)" 3
}

exit_codes() {
	true; same true $? 0
	false; same false $? 1
	sh -c 'exit 42'; same "exit 42" $? 42
	! false; same "! false" $? 0
	false || t=or; same "||" "$t" or
	true && t=and; same "&&" "$t" and
	false | true; same "pipeline is its last command" $? 0
	true | false; same "pipeline is its last command" $? 1
	no-such-command-anywhere 2>/dev/null; same "missing command" $? 127
	echo 'echo hi' > noexec
	chmod 644 noexec
	./noexec 2>/dev/null; same "not executable" $? 126
	sh -c 'kill -TERM $$'; same "killed by SIGTERM" $? 143
	(exit 3); same "subshell" $? 3
	f() { return 5; }
	f; same "function return" $? 5
}

variables_and_quoting() {
	a="two words"
	set -- $a
	same "unquoted splits" $# 2
	set -- "$a"
	same "quoted does not" $# 1
	same "default" "${unset_var:-dflt}" dflt
	b=file.tar.gz
	same "suffix removal" "${b%.gz}" file.tar
	same "prefix removal" "${b#*.}" tar.gz
	same "length" "${#b}" 11
	export EXPORTED=yes
	same "export reaches children" "$(sh -c 'echo $EXPORTED')" yes
	same "single quotes" 'a$b' 'a$b'
}

control_flow() {
	s=0
	for i in 1 2 3 4; do s=$((s + i)); done
	same "for" $s 10
	i=0
	while [ $i -lt 5 ]; do i=$((i + 1)); [ $i -eq 3 ] && break; done
	same "while with break" $i 3
	case "hello.c" in
	*.h) k=header ;;
	*.c) k=source ;;
	*) k=other ;;
	esac
	same "case" $k source
	n=0
	printf 'a\nb\nc\n' > lines
	while read -r l; do n=$((n + 1)); done < lines
	same "while read < file" $n 3
}

background_jobs() {
	sleep 10 &
	pid=$!
	kill -0 "$pid" || fail "the background job is not running"
	kill "$pid"
	wait "$pid"
	same "wait for a killed job" $? 143
	(echo done > bg.out) &
	wait $!
	same "wait for a job" "$(cat bg.out)" done
}

files_and_tools() {
	mkdir -p a/b/c && echo deep > a/b/c/f
	same "find" "$(find a -type f)" a/b/c/f
	cp -r a a2 && same "cp -r" "$(cat a2/b/c/f)" deep
	mv a2 a3 && [ ! -e a2 ] && same "mv" "$(cat a3/b/c/f)" deep
	tar cf t.tar a && rm -r a && tar xf t.tar && same "tar" "$(cat a/b/c/f)" deep
	gzip -k t.tar && gunzip -c t.tar.gz | cmp -s - t.tar || fail "gzip round trip"
	same "du -s" "$(du -s a | cut -f2)" a
	same "grep -c" "$(printf 'x\ny\nx\n' | grep -c x)" 2
	same "sed" "$(echo hello | sed 's/l/L/g')" heLLo
	[ "$(date +%s)" -gt 0 ] || fail "date +%s is not a positive number"
}

check loop_100_files
check pipeline_of_five
check redirections
check command_substitution
check exit_codes
check variables_and_quoting
check control_flow
check background_jobs
check files_and_tools

echo "# shell-test: $((N - FAILED)) passed, $FAILED failed"
[ "$FAILED" -eq 0 ] && [ "$N" -eq "$PLAN" ]
