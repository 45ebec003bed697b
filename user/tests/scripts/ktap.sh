# KTAP helpers shared by the shell-script tests (shell.sh, applets.sh),
# sourced from the directory the test script is in.

N=0
FAILED=0

# check NAME: runs the function NAME in a subshell; it fails by printing
# "why" lines and returning non-zero.
check() {
	N=$((N + 1))
	out=$( ("$1") 2>&1 )
	rc=$?
	if [ "$rc" -eq 0 ]; then
		echo "ok $N $1"
	else
		printf '%s\n' "$out" | sed 's/^/# /'
		echo "# (status $rc)"
		echo "not ok $N $1"
		FAILED=$((FAILED + 1))
	fi
}
fail() {
	echo "$*"
	exit 1
}
same() {  # same WHAT GOT WANT
	[ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
}
