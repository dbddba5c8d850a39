// greet.ts — the example guest in AssemblyScript (the npm registry's `assemblyscript`
// compiler; Debian has none):
//   npm install assemblyscript
//   npx asc greet.ts -o greet.wasm -O3 --runtime stub --use abort=
// GET /hello is answered by the guest itself; every other request goes on to the next
// handler with a request header x-guest: assemblyscript, and comes back with the same
// response header. --runtime stub: no garbage collector (a guest lives per request);
// --use abort=: no env.abort import (hwasmd offers only http_handler and WASI).

@external("http_handler", "get_uri")
declare function get_uri(buf: usize, buf_limit: u32): u32;
@external("http_handler", "set_header_value")
declare function set_header_value(kind: u32, name: usize, name_len: u32, value: usize, value_len: u32): void;
@external("http_handler", "write_body")
declare function write_body(kind: u32, body: usize, body_len: u32): void;

const HEADER_REQUEST: u32 = 0;
const HEADER_RESPONSE: u32 = 1;
const BODY_RESPONSE: u32 = 1;
const uri = memory.data(64);

function setHeader(kind: u32, name: string, value: string): void {
  const n = String.UTF8.encode(name);
  const v = String.UTF8.encode(value);
  set_header_value(kind, changetype<usize>(n), n.byteLength, changetype<usize>(v), v.byteLength);
}

export function handle_request(): u64 {
  const n = get_uri(uri, 64);
  if (n <= 64 && String.UTF8.decodeUnsafe(uri, n) == "/hello") {
    setHeader(HEADER_RESPONSE, "content-type", "text/plain");
    const body = String.UTF8.encode("hello from assemblyscript\n");
    write_body(BODY_RESPONSE, changetype<usize>(body), body.byteLength);
    return 0; // answered here: the next handler does not run
  }
  setHeader(HEADER_REQUEST, "x-guest", "assemblyscript");
  setHeader(HEADER_RESPONSE, "x-guest", "assemblyscript");
  return 1; // next, with request context 0
}

export function handle_response(req_ctx: u32, is_error: u32): void {}
