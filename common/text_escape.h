/*
 * text_escape.h — the one escaper of text hwasm prints as one line (text_escape.c): what a
 * module's name section or imports, a guest, a file or a path put in a message. hwasmd
 * escapes its messages and guests' log text with it, hwasmc every line it writes on stderr,
 * so a name reads the same from either. Depends on nothing.
 */
#ifndef HWASM_TEXT_ESCAPE_H
#define HWASM_TEXT_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

/* The length of the well-formed UTF-8 sequence at s[0..n) (n > 0; RFC 3629: no overlongs,
 * no surrogates, nothing past U+10FFFF), or 0. */
size_t utf8_len(const unsigned char *s, size_t n);
/* How the text at s[0..n) (n > 0) begins: returns how many bytes of s the unit takes and
 * sets *width to what it takes on the line: the same when they are kept as they are (a
 * tab, printable ASCII, one well-formed UTF-8 character other than a C1 control
 * U+0080..U+009F), 4 when the one byte is written as the escape \xHH left in esc (a
 * control byte, DEL, a C1 control, a byte not part of well-formed UTF-8). */
size_t text_unit(const unsigned char *s, size_t n, char esc[4], size_t *width);
/* s[0..n) on f, each unit as text_unit says: one line whatever its bytes, with no terminal
 * escape and nothing a log reader chokes on. */
void text_write_escaped(FILE *f, const char *s, size_t n);

#endif /* HWASM_TEXT_ESCAPE_H */
