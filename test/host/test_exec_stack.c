/* Host tests for kernel/exec/stack.c: the initial stack a program starts
 * with, laid out in a buffer that stands for the top of its stack, then
 * read back the way a C library does (argc, argv, envp, auxv). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <cosmos/abi/auxv.h>
#include <cosmos/errno.h>
#include <kernel/exec/stack.h>

#define TOP   0x7ffffffde000ull
#define SPAN  (64u << 10)       /* the part of the stack the test keeps */

static uint8_t mem[SPAN];

static uint8_t *at(uint64_t addr)
{
	assert_true(addr >= TOP - SPAN && addr < TOP);
	return mem + (addr - (TOP - SPAN));
}

static uint64_t word(uint64_t addr)
{
	uint64_t v;

	memcpy(&v, at(addr), sizeof(v));
	return v;
}

/* Builds the stack exec would for these strings (argv's then envp's,
 * back to back) and two auxv entries of the caller's. */
static int build(const char *strings, size_t len, size_t argc, size_t envc,
		 struct exec_stack_layout *l)
{
	static const uint64_t aux[2][2] = { { AT_PAGESZ, 4096 }, { AT_ENTRY, 0x401000 } };
	uint8_t *table;
	int err;

	memset(mem, 0xee, sizeof(mem));
	err = exec_stack_plan(TOP, len, argc, envc, strlen("/bin/prog"), strlen("x86_64"), 2,
			      SPAN, l);
	if (err)
		return err;
	table = malloc(l->table_size);
	assert_non_null(table);
	err = exec_stack_table(table, l, strings, len, argc, envc, aux, 2);
	if (!err) {
		memcpy(at(l->strings), strings, len);
		memcpy(at(l->execfn), "/bin/prog", 10);
		memcpy(at(l->platform), "x86_64", 7);
		memset(at(l->random), 0x42, EXEC_STACK_RANDOM);
		memcpy(at(l->sp), table, l->table_size);
	}
	free(table);
	return err;
}

static const char *str(uint64_t addr) { return (const char *)at(addr); }

static void test_layout_read_back(void **state)
{
	static const char s[] = "prog\0-v\0HOME=/\0PATH=/bin";
	struct exec_stack_layout l;
	uint64_t sp, envp, auxv, v;
	int seen_random = 0, seen_execfn = 0, seen_platform = 0, seen_pagesz = 0;

	(void)state;
	assert_int_equal(build(s, sizeof(s), 2, 2, &l), 0);
	sp = l.sp;
	assert_int_equal(sp % 16, 0);                 /* the ABI's alignment at entry */
	assert_true(sp + l.table_size <= l.random);   /* nothing overlaps */
	assert_true(l.random + EXEC_STACK_RANDOM <= l.platform);
	assert_true(l.platform < l.strings && l.strings + sizeof(s) <= l.execfn);
	assert_true(l.execfn + 10 <= TOP - 8);        /* the end marker stays free */
	assert_int_equal(word(sp), 2);
	assert_string_equal(str(word(sp + 8)), "prog");
	assert_string_equal(str(word(sp + 16)), "-v");
	assert_int_equal(word(sp + 24), 0);
	envp = sp + 32;
	assert_string_equal(str(word(envp)), "HOME=/");
	assert_string_equal(str(word(envp + 8)), "PATH=/bin");
	assert_int_equal(word(envp + 16), 0);
	for (auxv = envp + 24;; auxv += 16) {
		uint64_t key = word(auxv);

		v = word(auxv + 8);
		if (key == AT_NULL)
			break;
		if (key == AT_RANDOM) {
			seen_random++;
			assert_int_equal(*at(v), 0x42);
			assert_int_equal(*at(v + 15), 0x42);
		} else if (key == AT_EXECFN) {
			seen_execfn++;
			assert_string_equal(str(v), "/bin/prog");
		} else if (key == AT_PLATFORM) {
			seen_platform++;
			assert_string_equal(str(v), "x86_64");
		} else if (key == AT_PAGESZ) {
			seen_pagesz++;
			assert_int_equal(v, 4096);
		}
	}
	assert_int_equal(seen_random + seen_execfn + seen_platform + seen_pagesz, 4);
	assert_true(auxv + 16 == sp + l.table_size);  /* the table ends with AT_NULL */
}

/* No environment, no arguments: the NULLs are still there. */
static void test_empty_vectors(void **state)
{
	struct exec_stack_layout l;

	(void)state;
	assert_int_equal(build("", 0, 0, 0, &l), 0);
	assert_int_equal(word(l.sp), 0);
	assert_int_equal(word(l.sp + 8), 0);          /* argv's NULL */
	assert_int_equal(word(l.sp + 16), 0);         /* envp's NULL */
	assert_int_equal(word(l.sp + 24), AT_PAGESZ);
}

/* Every alignment of the strings' total length gives an aligned sp. */
static void test_alignment(void **state)
{
	char s[64];
	struct exec_stack_layout l;

	(void)state;
	for (size_t n = 1; n < 40; n++) {
		memset(s, 'a', n);
		s[n] = 0;
		assert_int_equal(build(s, n + 1, 1, 0, &l), 0);
		assert_int_equal(l.sp % 16, 0);
		assert_string_equal(str(word(l.sp + 8)), s);
	}
}

/* Strings that do not match their counts, and plans beyond the bound. */
static void test_refusals(void **state)
{
	struct exec_stack_layout l;
	uint64_t table[64];

	(void)state;
	assert_int_equal(exec_stack_plan(TOP, 10, 1, 0, 3, 6, 0, SPAN, &l), 0);
	/* "abc" without its NUL where one string is promised */
	assert_int_equal(exec_stack_table(table, &l, "abcdefghij", 10, 1, 0, 0, 0), -EINVAL);
	/* two strings promised, one there */
	assert_int_equal(exec_stack_plan(TOP, 4, 2, 0, 3, 6, 0, SPAN, &l), 0);
	assert_int_equal(exec_stack_table(table, &l, "abc", 4, 2, 0, 0, 0), -EINVAL);
	/* one string promised, two there */
	assert_int_equal(exec_stack_plan(TOP, 6, 1, 0, 3, 6, 0, SPAN, &l), 0);
	assert_int_equal(exec_stack_table(table, &l, "ab\0cd", 6, 1, 0, 0, 0), -EINVAL);
	/* the bound: strings, counts and auxv that cannot fit */
	assert_int_equal(exec_stack_plan(TOP, SPAN, 1, 0, 3, 6, 0, SPAN, &l), -E2BIG);
	assert_int_equal(exec_stack_plan(TOP, 10, SPAN / 8, 0, 3, 6, 0, SPAN, &l), -E2BIG);
	assert_int_equal(exec_stack_plan(TOP, 10, 1, SIZE_MAX, 3, 6, 0, SPAN, &l), -E2BIG);
	assert_int_equal(exec_stack_plan(TOP, 10, 1, 0, SIZE_MAX, 6, 0, SPAN, &l), -E2BIG);
	assert_int_equal(exec_stack_plan(TOP, 10, 1, 0, 3, 6, SIZE_MAX / 16, SPAN, &l), -E2BIG);
	assert_int_equal(exec_stack_plan(100, 10, 1, 0, 3, 6, 0, SPAN, &l), -E2BIG);
	/* just fitting is fine */
	assert_int_equal(exec_stack_plan(TOP, SPAN - 256, 1, 0, 3, 6, 0, SPAN, &l), 0);
	assert_true(TOP - l.sp <= SPAN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_read_back),
		cmocka_unit_test(test_empty_vectors),
		cmocka_unit_test(test_alignment),
		cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests_name("exec_stack", tests, NULL, NULL);
}
