/* SPDX-License-Identifier: MIT */
/* text.c: text from a file is data: decoding its UTF-8 and telling which characters may
 * reach a terminal (shared by the viewer's screen and the analysis writers). */
#include "common/vtb.h"

wchar_t vtb_utf8_next(const unsigned char **p)
{
	static const uint32_t least[] = { 0, 0x80, 0x800, 0x10000 };
	const unsigned char *c = *p;
	int n = c[0] >= 0xf8 ? -1 : c[0] >= 0xf0 ? 3 : c[0] >= 0xe0 ? 2 : c[0] >= 0xc0 ? 1 : 0;
	uint32_t cp = n == 3 ? c[0] & 7 : n == 2 ? c[0] & 15 : n == 1 ? c[0] & 31 : c[0];

	if (n < 0 || (c[0] >= 0x80 && n == 0)) {
		*p = c + 1;
		return 0xfffd;
	}
	for (int i = 1; i <= n; i++) {
		if ((c[i] & 0xc0) != 0x80) {
			*p = c + 1;
			return 0xfffd;
		}
		cp = cp << 6 | (c[i] & 0x3f);
	}
	if (cp < least[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
		*p = c + 1;
		return 0xfffd;
	}
	*p = c + n + 1;
	return (wchar_t)cp;
}

/* Bidirectional controls reorder what follows them on the line (U+202E shows "exe.txt"
 * as "txt.exe"); line and paragraph separators break lines in some terminals. */
static int reorders(wchar_t ch)
{
	return ch == 0x061c || ch == 0x200e || ch == 0x200f || (ch >= 0x202a && ch <= 0x202e) ||
	       (ch >= 0x2066 && ch <= 0x2069) || ch == 0x2028 || ch == 0x2029;
}

int vtb_char_safe(wchar_t ch)
{
	return ch >= 0x20 && !(ch >= 0x7f && ch < 0xa0) && !reorders(ch);
}
