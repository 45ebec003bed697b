/* Linux's terminal interface on x86-64: the termios layout TCGETS and
 * TCSETS* move (the kernel's, with 19 control characters, not the C
 * library's), its flags and control-character slots, struct winsize, and
 * the terminal ioctl numbers. */
#ifndef COSMOS_ABI_TERMIOS_H
#define COSMOS_ABI_TERMIOS_H

#include <stdint.h>

#define NCCS 19

struct termios {
	uint32_t c_iflag;
	uint32_t c_oflag;
	uint32_t c_cflag;
	uint32_t c_lflag;
	uint8_t c_line;
	uint8_t c_cc[NCCS];
};

struct winsize {
	uint16_t ws_row;
	uint16_t ws_col;
	uint16_t ws_xpixel;
	uint16_t ws_ypixel;
};

/* c_cc slots */
#define VINTR    0
#define VQUIT    1
#define VERASE   2
#define VKILL    3
#define VEOF     4
#define VTIME    5
#define VMIN     6
#define VSWTC    7
#define VSTART   8
#define VSTOP    9
#define VSUSP    10
#define VEOL     11
#define VREPRINT 12
#define VDISCARD 13
#define VWERASE  14
#define VLNEXT   15
#define VEOL2    16

/* c_iflag */
#define IGNBRK  0x0001
#define BRKINT  0x0002
#define IGNPAR  0x0004
#define PARMRK  0x0008
#define INPCK   0x0010
#define ISTRIP  0x0020
#define INLCR   0x0040
#define IGNCR   0x0080
#define ICRNL   0x0100
#define IUCLC   0x0200
#define IXON    0x0400
#define IXANY   0x0800
#define IXOFF   0x1000
#define IMAXBEL 0x2000
#define IUTF8   0x4000

/* c_oflag */
#define OPOST   0x0001
#define OLCUC   0x0002
#define ONLCR   0x0004
#define OCRNL   0x0008
#define ONOCR   0x0010
#define ONLRET  0x0020
#define OFILL   0x0040
#define OFDEL   0x0080
#define TABDLY  0x1800
#define XTABS   0x1800

/* c_cflag */
#define CBAUD   0x0000100f
#define B9600   0x0000000d
#define B38400  0x0000000f
#define B115200 0x00001002
#define CSIZE   0x00000030
#define CS8     0x00000030
#define CSTOPB  0x00000040
#define CREAD   0x00000080
#define PARENB  0x00000100
#define HUPCL   0x00000400
#define CLOCAL  0x00000800

/* c_lflag */
#define ISIG    0x00001
#define ICANON  0x00002
#define XCASE   0x00004
#define ECHO    0x00008
#define ECHOE   0x00010
#define ECHOK   0x00020
#define ECHONL  0x00040
#define NOFLSH  0x00080
#define TOSTOP  0x00100
#define ECHOCTL 0x00200
#define ECHOPRT 0x00400
#define ECHOKE  0x00800
#define FLUSHO  0x01000
#define PENDIN  0x04000
#define IEXTEN  0x08000
#define EXTPROC 0x10000

/* TCFLSH's and TCXONC's arguments */
#define TCIFLUSH  0
#define TCOFLUSH  1
#define TCIOFLUSH 2
#define TCOOFF    0
#define TCOON     1
#define TCIOFF    2
#define TCION     3

/* ioctl numbers: argument kind and size in sys/ioctl.c's table */
#define TCGETS     0x5401      /* out struct termios */
#define TCSETS     0x5402      /* in struct termios */
#define TCSETSW    0x5403      /* in struct termios: after output drains */
#define TCSETSF    0x5404      /* in struct termios: drain, then flush input */
#define TCSBRK     0x5409      /* int by value: tcdrain when non-zero */
#define TCXONC     0x540a      /* int by value */
#define TCFLSH     0x540b      /* int by value */
#define TIOCSCTTY  0x540e      /* int by value: steal when non-zero (root) */
#define TIOCGPGRP  0x540f      /* out int32 */
#define TIOCSPGRP  0x5410      /* in int32 */
#define TIOCOUTQ   0x5411      /* out int32 */
#define TIOCSTI    0x5412      /* in char: input as if typed */
#define TIOCGWINSZ 0x5413      /* out struct winsize */
#define TIOCINQ    0x541b      /* out int32: Linux's other name for FIONREAD */
#define TIOCSWINSZ 0x5414      /* in struct winsize */
#define TIOCNOTTY  0x5422      /* none */
#define TIOCGSID   0x5429      /* out int32 */

#endif
