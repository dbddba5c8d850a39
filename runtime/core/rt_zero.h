/*
 * rt_zero.h — is a 4 KiB page all zero? The check behind resetting and recycling guest
 * memory without a system call: on machines where one costs a microsecond, reading the
 * pages a guest may have written is the cheaper way to find them. Shared by the core and
 * the http host (its second core header, after rt_error.h).
 */
#ifndef HWASM_RT_ZERO_H
#define HWASM_RT_ZERO_H

#include <stdbool.h>

#define RT_ZERO_PAGE 4096u

/* page: RT_ZERO_PAGE bytes, any alignment. Reads the whole page, writes nothing. */
bool rt_page_is_zero(const void *page);

#endif /* HWASM_RT_ZERO_H */
