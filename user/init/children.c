/* init's children: collecting their exits (its own programs and every
 * orphan the kernel hands to pid 1), waiting for them with deadlines, and
 * the respawn schedule with its rate limit. SIGCHLD is blocked in init, so
 * a child that ends between a waitpid and the next sigtimedwait leaves the
 * signal pending and the wait returns at once: nothing is missed. */
#include "init.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

/* A respawned program that ends sooner than this after it started exited
 * "quickly". The first quick exit restarts it at once (a shell left with
 * `exit` soon after login is normal); from the second in a row on, each
 * start waits 1 s, 2 s, 4 s ... up to a minute, so a program that crashes
 * at once costs next to nothing. A run longer than this resets the count. */
#define QUICK_EXIT_MS  5000
#define MAX_DELAY_MS   60000

static struct action *find(pid_t pid)
{
	for (int i = 0; i < init.tab.count; i++)
		if (init.tab.action[i].pid == pid)
			return &init.tab.action[i];
	return NULL;
}

static void describe(int status, char *buf, size_t size)
{
	if (WIFEXITED(status))
		snprintf(buf, size, "status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, size, "killed by signal %d, %s", WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		snprintf(buf, size, "wait status %#x", (unsigned)status);
}

static void schedule_respawn(struct action *a, const char *how)
{
	int64_t now = now_ms();
	int64_t delay = 0;

	if (now - a->started_ms < QUICK_EXIT_MS)
		a->quick_exits++;
	else
		a->quick_exits = 0;
	if (a->quick_exits >= 2) {
		unsigned shift = a->quick_exits - 2 > 6 ? 6 : a->quick_exits - 2;
		delay = 1000LL << shift;
		if (delay > MAX_DELAY_MS)
			delay = MAX_DELAY_MS;
	}
	a->restart_pending = true;
	a->restart_at_ms = now + delay;
	if (delay)
		say("%s on %s exited (%s), %u times in a row within %d s of starting; next start in %lld s",
		    action_command(a), action_where(a), how, a->quick_exits, QUICK_EXIT_MS / 1000, (long long)(delay / 1000));
	else
		say("%s on %s exited (%s); starting it again", action_command(a), action_where(a), how);
}

static void child_exited(pid_t pid, int status)
{
	char how[64];
	struct action *a = find(pid);

	describe(status, how, sizeof how);
	if (!a) {
		if (init.verbose)
			say("reaped orphan pid %d (%s)", (int)pid, how);
		return;
	}
	a->pid = 0;
	if (a->kind == ACT_RESPAWN && !init.shutting_down)
		schedule_respawn(a, how);
	else if (a->kind == ACT_ONCE || status != 0)
		say("%s (%s) ended: %s", action_command(a), action_name(a->kind), how);
}

bool reap(void)
{
	for (;;) {
		int status;
		pid_t pid = waitpid(-1, &status, WNOHANG);
		if (pid > 0) {
			child_exited(pid, status);
			continue;
		}
		if (pid < 0 && errno == EINTR)
			continue;
		return !(pid < 0 && errno == ECHILD);
	}
}

/* Sleeps until a child changes state or timeout_ms passes (-1: no limit).
 * Other signals stay pending for the main loop. */
static void wait_sigchld(int64_t timeout_ms)
{
	sigset_t set;
	struct timespec ts = { .tv_sec = timeout_ms / 1000, .tv_nsec = (timeout_ms % 1000) * 1000000 };

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigtimedwait(&set, NULL, timeout_ms < 0 ? NULL : &ts);
}

/* Time left until deadline (-1: none); 0 when it has passed. */
static int64_t left_until(int64_t deadline)
{
	if (deadline < 0)
		return -1;
	int64_t left = deadline - now_ms();
	return left > 0 ? left : 0;
}

bool wait_action(struct action *a, int64_t timeout_ms)
{
	int64_t deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;

	for (;;) {
		reap();
		if (a->pid == 0)
			return true;
		int64_t left = left_until(deadline);
		if (left == 0)
			return false;
		wait_sigchld(left);
	}
}

bool wait_no_children(int64_t timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;

	for (;;) {
		if (!reap())
			return true;
		int64_t left = left_until(deadline);
		if (left == 0)
			return false;
		wait_sigchld(left);
	}
}

int64_t next_restart_in_ms(void)
{
	int64_t next = -1;

	for (int i = 0; i < init.tab.count; i++) {
		const struct action *a = &init.tab.action[i];
		if (a->restart_pending && (next < 0 || a->restart_at_ms < next))
			next = a->restart_at_ms;
	}
	return next < 0 ? -1 : left_until(next);
}

void start_due_respawns(void)
{
	int64_t now = now_ms();

	for (int i = 0; i < init.tab.count && !init.shutting_down; i++) {
		struct action *a = &init.tab.action[i];
		if (!a->restart_pending || a->restart_at_ms > now)
			continue;
		a->restart_pending = false;
		if (spawn(a) < 0) {             /* fork failed: try again in a second */
			a->restart_pending = true;
			a->restart_at_ms = now + 1000;
		}
	}
}

void run_in_order(enum action_kind kind, int64_t limit_ms)
{
	for (int i = 0; i < init.tab.count; i++) {
		struct action *a = &init.tab.action[i];
		if (a->kind != kind)
			continue;
		say("running %s", action_command(a));
		if (spawn(a) > 0 && !wait_action(a, limit_ms)) {
			say("%s still running after %lld s; killing it", action_command(a), (long long)(limit_ms / 1000));
			kill(a->pid, SIGKILL);
			wait_action(a, KILL_WAIT_MS);
		}
	}
}
