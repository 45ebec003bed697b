/* ETXTBSY (Linux): a program file that some process runs cannot be opened
 * for writing or truncated, and a file open for writing cannot be run. The
 * running copy here is this binary copied to "prog", started with a helper
 * that says it is up and then waits for its standard input to end. */
#include "tests.h"

/* txtbsy_wait: writes one byte to standard output, then reads standard
 * input until end of file and exits 0. */
HELPER(txtbsy_wait)
{
	(void)argc;
	(void)argv;
	char buf[64];
	CHECK_EQ(write(1, "r", 1), 1);
	while (read(0, buf, sizeof buf) > 0)
		;
	return 0;
}

/* txtbsy_fork_wait: as txtbsy_wait, but in a child it forks; the helper
 * itself exits at once, so only the fork's copy of the image runs on. */
HELPER(txtbsy_fork_wait)
{
	char buf[64];
	pid_t pid = fork();
	if (pid < 0)
		return 1;
	if (pid > 0)
		return 0;
	(void)argc;
	(void)argv;
	CHECK_EQ(write(1, "r", 1), 1);
	while (read(0, buf, sizeof buf) > 0)
		;
	return 0;
}

/* Starts "prog -H helper" with its standard input and output on pipes;
 * returns the pid once the helper (or its fork) has written its byte.
 * *in: the write end of its input; *out: the read end of its output. */
static pid_t start_prog(const char *helper, int *in, int *out)
{
	int i[2], o[2];
	char c;
	CHECK_OK(pipe(i));
	CHECK_OK(pipe(o));
	pid_t pid = xfork();
	if (pid == 0) {
		dup2(i[0], 0);
		dup2(o[1], 1);
		close(i[0]);
		close(i[1]);
		close(o[0]);
		close(o[1]);
		char *argv[] = { "prog", "-H", (char *)helper, NULL };
		execve("prog", argv, NULL);
		_exit(126);
	}
	CHECK_OK(close(i[0]));
	CHECK_OK(close(o[1]));
	CHECK_EQ(read(o[0], &c, 1), 1);
	*in = i[1];
	*out = o[0];
	return pid;
}

/* Ends what start_prog started: its input ends, and its output's end of
 * file says every process holding it (the program's runners) is gone. */
static void stop_prog(int in, int out)
{
	char c;
	CHECK_OK(close(in));
	CHECK_EQ(read(out, &c, 1), 0);
	CHECK_OK(close(out));
}

static void expect_busy(const char *path)
{
	struct stat st;
	CHECK_ERR(open(path, O_WRONLY), ETXTBSY);
	CHECK_ERR(open(path, O_RDWR), ETXTBSY);
	CHECK_ERR(open(path, O_WRONLY | O_TRUNC), ETXTBSY);
	CHECK_ERR(truncate(path, 0), ETXTBSY);
	CHECK_OK(stat(path, &st));
	CHECK(st.st_size > 0);                  /* nothing truncated it */
	int fd = open(path, O_RDONLY);          /* reading is fine */
	CHECK(fd >= 0);
	CHECK_OK(close(fd));
}

TEST(exec_txtbsy_running_program_not_writable)
{
	int in, out;
	copy_file(self_exe(), "prog", 0755);
	pid_t pid = start_prog("txtbsy_wait", &in, &out);
	expect_busy("prog");
	/* a hard link is the same file */
	CHECK_OK(link("prog", "prog2"));
	CHECK_ERR(open("prog2", O_WRONLY), ETXTBSY);
	stop_prog(in, out);
	wait_exit(pid, 0);
	/* once nothing runs it, it opens for writing again */
	int fd = open("prog", O_WRONLY);
	CHECK(fd >= 0);
	CHECK_OK(close(fd));
	CHECK_OK(truncate("prog2", 0));
}

/* fork's copy of a running image keeps the file busy after the process
 * that ran exec has ended. */
TEST(exec_txtbsy_fork_copy_keeps_file_busy)
{
	int in, out;
	copy_file(self_exe(), "prog", 0755);
	pid_t pid = start_prog("txtbsy_fork_wait", &in, &out);
	wait_exit(pid, 0);                      /* the helper is gone, its fork runs on */
	expect_busy("prog");
	stop_prog(in, out);
	int fd = open("prog", O_WRONLY);
	CHECK(fd >= 0);
	CHECK_OK(close(fd));
}

/* A file open for writing, here or in another process, cannot be run; a
 * failed exec leaves nothing behind, so it runs once the writer closes. */
TEST(exec_txtbsy_open_for_writing_not_runnable)
{
	char *argv[] = { "prog", "-H", "exit_with", "7", NULL };
	copy_file(self_exe(), "prog", 0755);
	int fd = open("prog", O_RDWR);
	CHECK(fd >= 0);
	CHECK_ERR(execve("prog", argv, NULL), ETXTBSY);
	CHECK_ERR(execve("./prog", argv, NULL), ETXTBSY);
	/* a script whose file is open for writing: the same */
	char line[PATH_MAX + 16];
	snprintf(line, sizeof line, "#!%s -H\n", self_exe());
	write_file("exit_with", line, strlen(line), 0755);
	int sfd = open("exit_with", O_WRONLY | O_APPEND);
	CHECK(sfd >= 0);
	CHECK_ERR(execve("exit_with", argv, NULL), ETXTBSY);
	CHECK_OK(close(sfd));
	/* held open by a child only */
	pid_t pid = xfork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	CHECK_OK(close(fd));
	CHECK_ERR(execve("prog", argv, NULL), ETXTBSY);
	CHECK_OK(kill(pid, SIGKILL));
	wait_signal(pid, SIGKILL);
	/* every writer gone: it runs */
	char out[64];
	CHECK_EQ(run_capture("prog", argv, NULL, false, out, sizeof out), 7);
}

/* maps_text_inode: prints the inode number /proc/self/maps gives for the
 * executable mapping that holds this function, or 0. */
HELPER(maps_text_inode)
{
	(void)argc;
	(void)argv;
	char line[512];
	unsigned long here = (unsigned long)&helper_maps_text_inode, lo, hi, ino = 0, found = 0;
	FILE *m = fopen("/proc/self/maps", "r");
	if (!m)
		return 1;
	while (fgets(line, sizeof line, m)) {
		char perms[8];
		unsigned long off;
		char dev[16];
		if (sscanf(line, "%lx-%lx %7s %lx %15s %lu", &lo, &hi, perms, &off, dev, &ino) == 6 &&
		    here >= lo && here < hi && perms[2] == 'x') {
			found = ino;
			break;
		}
	}
	fclose(m);
	printf("%lu\n", found);
	return 0;
}

/* A program's text is a mapping of its file (as Linux), not a private
 * copy: /proc/pid/maps names the file's inode for it, so every process
 * running the program can share the file's frames. */
TEST(exec_text_maps_the_program_file)
{
	struct stat st;
	char out[64], want[32];
	char *argv[] = { "prog", "-H", "maps_text_inode", NULL };
	copy_file(self_exe(), "prog", 0755);
	CHECK_OK(stat("prog", &st));
	CHECK_EQ(run_capture("prog", argv, NULL, false, out, sizeof out), 0);
	snprintf(want, sizeof want, "%lu\n", (unsigned long)st.st_ino);
	CHECK_STR(out, want);
}
