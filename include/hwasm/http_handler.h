/*
 * http_handler.h — the constants of the http-wasm "http_handler" ABI, shared by libhwasm's
 * host and by guests written in C (include/hwasm/http_guest.h). Values come from the
 * http-wasm spec (see docs: http-wasm-abi.md §1.2); no declarations that need libc here,
 * so the header compiles both for the host and for --target=wasm32 -nostdlib.
 */
#ifndef HTTP_HANDLER_H
#define HTTP_HANDLER_H

/* The import module of every host function. */
#define HTTP_HANDLER_MODULE "http_handler"

/* header_kind: which field list a header call addresses; anything else traps. */
#define HTTP_HEADER_REQUEST 0
#define HTTP_HEADER_RESPONSE 1
#define HTTP_HEADER_REQUEST_TRAILERS 2
#define HTTP_HEADER_RESPONSE_TRAILERS 3

/* body_kind: which body read_body/write_body address; anything else traps. */
#define HTTP_BODY_REQUEST 0
#define HTTP_BODY_RESPONSE 1

/* features: i32 bit flags; enable_features returns the enabled set masked to these. */
#define HTTP_FEATURE_BUFFER_REQUEST 1u
#define HTTP_FEATURE_BUFFER_RESPONSE 2u
#define HTTP_FEATURE_TRAILERS 4u
#define HTTP_FEATURES_ALL 7u

/* log_level: signed, lower is more verbose; NONE disables logging. */
#define HTTP_LOG_DEBUG (-1)
#define HTTP_LOG_INFO 0
#define HTTP_LOG_WARN 1
#define HTTP_LOG_ERROR 2
#define HTTP_LOG_NONE 3

/* 64-bit results pack two u32, the high word first in meaning:
 *   handle_request -> ctx_next (hi = reqCtx, lo = next; only the low word decides "next"),
 *   get_header_names/values -> count_len (hi = count, lo = bytes incl. one NUL per entry),
 *   read_body -> eof_len (hi = 1 at end of body, lo = bytes written). */
#define HTTP_PACK(hi, lo) (((unsigned long long)(unsigned)(hi) << 32) | (unsigned)(lo))
#define HTTP_HI(v) ((unsigned)((unsigned long long)(v) >> 32))
#define HTTP_LO(v) ((unsigned)(unsigned long long)(v))

/* Status codes the host accepts in set_status_code; others trap. 1xx are interim
 * responses, never the final one: sent as the answer, 101 would switch the connection's
 * protocol and 100/102/103 make the client read the next answer as this one's. */
#define HTTP_STATUS_MIN 200
#define HTTP_STATUS_MAX 999

#endif /* HTTP_HANDLER_H */
