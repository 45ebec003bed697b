/* The program bench's fork+execve+wait case runs: it only exits. */
int main(void)
{
	return 0;
}
