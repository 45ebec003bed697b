/* Host tests of ChaCha20 against RFC 8439: the block-function vector of
 * §2.3.2, the encryption vector of §2.4.2 and the keystream vectors of
 * Appendix A.1, plus the counter-wrap rule of chacha20_xor. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <lib/chacha20.h>

static void unhex(const char *s, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		assert_int_equal(sscanf(s + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
	assert_int_equal(strlen(s), 2 * n);
}

static void check_block(const uint8_t key[32], uint32_t counter, const uint8_t nonce[12],
			const char *expect_hex)
{
	uint8_t out[64], want[64];

	unhex(expect_hex, want, 64);
	chacha20_block(key, counter, nonce, out);
	assert_memory_equal(out, want, 64);
}

/* §2.3.2: key 00..1f, nonce 00:00:00:09:00:00:00:4a:00:00:00:00, counter 1. */
static void test_block_rfc_2_3_2(void **state)
{
	uint8_t key[32], nonce[12];

	(void)state;
	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)i;
	unhex("000000090000004a00000000", nonce, 12);
	check_block(key, 1, nonce,
		    "10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4e"
		    "d2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e");
}

/* Appendix A.1, test vectors 1 to 5. */
static void test_block_rfc_a1(void **state)
{
	uint8_t key[32] = { 0 }, nonce[12] = { 0 };

	(void)state;
	check_block(key, 0, nonce,
		    "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7"
		    "da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586");
	check_block(key, 1, nonce,
		    "9f07e7be5551387a98ba977c732d080dcb0f29a048e3656912c6533e32ee7aed"
		    "29b721769ce64e43d57133b074d839d531ed1f28510afb45ace10a1f4b794d6f");
	key[31] = 1;
	check_block(key, 1, nonce,
		    "3aeb5224ecf849929b9d828db1ced4dd832025e8018b8160b82284f3c949aa5a"
		    "8eca00bbb4a73bdad192b5c42f73f2fd4e273644c8b36125a64addeb006c13a0");
	key[31] = 0;
	key[1] = 0xff;
	check_block(key, 2, nonce,
		    "72d54dfbf12ec44b362692df94137f328fea8da73990265ec1bbbea1ae9af0ca"
		    "13b25aa26cb4a648cb9b9d1be65b2c0924a66c54d545ec1b7374f4872e99f096");
	key[1] = 0;
	nonce[11] = 2;
	check_block(key, 0, nonce,
		    "c2c64d378cd536374ae204b9ef933fcd1a8b2288b3dfa49672ab765b54ee27c7"
		    "8a970e0e955c14f3a88e741b97c286f75f8fc299e8148362fa198a39531bed6d");
}

static const char sunscreen[] =
	"Ladies and Gentlemen of the class of '99: If I could offer you only one tip "
	"for the future, sunscreen would be it.";

static const char sunscreen_ct[] =
	"6e2e359a2568f98041ba0728dd0d6981e97e7aec1d4360c20a27afccfd9fae0b"
	"f91b65c5524733ab8f593dabcd62b3571639d624e65152ab8f530c359f0861d8"
	"07ca0dbf500d6a6156a38e088a22b65e52bc514d16ccf806818ce91ab7793736"
	"5af90bbf74a35be6b40b8eedf2785e42874d";

/* §2.4.2: 114 bytes, so the last block is partial. */
static void test_encrypt_rfc_2_4_2(void **state)
{
	uint8_t key[32], nonce[12], want[114], out[114];

	(void)state;
	assert_int_equal(strlen(sunscreen), 114);
	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)i;
	unhex("000000000000004a00000000", nonce, 12);
	unhex(sunscreen_ct, want, 114);
	assert_int_equal(chacha20_xor(key, 1, nonce, (const uint8_t *)sunscreen, out, 114), 114);
	assert_memory_equal(out, want, 114);

	/* in place, and back again */
	assert_int_equal(chacha20_xor(key, 1, nonce, out, out, 114), 114);
	assert_memory_equal(out, sunscreen, 114);
}

/* The keystream (in == NULL) is the concatenation of the blocks. */
static void test_keystream_is_blocks(void **state)
{
	uint8_t key[32], nonce[12] = { 1, 2, 3 }, ks[200], blk[64];

	(void)state;
	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)(7 * i);
	assert_int_equal(chacha20_xor(key, 5, nonce, NULL, ks, sizeof(ks)), sizeof(ks));
	for (unsigned b = 0; b * 64 < sizeof(ks); b++) {
		size_t n = sizeof(ks) - b * 64 < 64 ? sizeof(ks) - b * 64 : 64;

		chacha20_block(key, 5 + b, nonce, blk);
		assert_memory_equal(ks + b * 64, blk, n);
	}
}

/* The counter never wraps inside a call: block 0xffffffff is the last. */
static void test_counter_wrap_stops(void **state)
{
	uint8_t key[32] = { 0 }, nonce[12] = { 0 }, out[192], blk[64];

	(void)state;
	memset(out, 0xaa, sizeof(out));
	assert_int_equal(chacha20_xor(key, 0xffffffffu, nonce, NULL, out, sizeof(out)), 64);
	chacha20_block(key, 0xffffffffu, nonce, blk);
	assert_memory_equal(out, blk, 64);
	for (size_t i = 64; i < sizeof(out); i++)
		assert_int_equal(out[i], 0xaa);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_block_rfc_2_3_2),
		cmocka_unit_test(test_block_rfc_a1),
		cmocka_unit_test(test_encrypt_rfc_2_4_2),
		cmocka_unit_test(test_keystream_is_blocks),
		cmocka_unit_test(test_counter_wrap_stops),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
