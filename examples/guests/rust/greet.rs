//! greet.rs — the example guest in Rust without crates or cargo: `#![no_std]`, the
//! http_handler imports declared by hand. Build with Debian's rustc and
//! libstd-rust-dev-wasm32 (which brings `core` for wasm32-unknown-unknown):
//!   rustc --target wasm32-unknown-unknown --crate-type cdylib -O -C panic=abort -o greet.wasm greet.rs
//! GET /hello is answered by the guest itself; every other request goes on to the next
//! handler with a request header x-guest: rust, and comes back with the same response header.
#![no_std]

const HEADER_REQUEST: u32 = 0;
const HEADER_RESPONSE: u32 = 1;
const BODY_RESPONSE: u32 = 1;

#[link(wasm_import_module = "http_handler")]
extern "C" {
    fn get_uri(buf: *mut u8, buf_limit: u32) -> u32;
    fn set_header_value(kind: u32, name: *const u8, name_len: u32, value: *const u8, value_len: u32);
    fn write_body(kind: u32, body: *const u8, body_len: u32);
}

fn set_header(kind: u32, name: &[u8], value: &[u8]) {
    unsafe { set_header_value(kind, name.as_ptr(), name.len() as u32, value.as_ptr(), value.len() as u32) }
}

#[no_mangle]
pub extern "C" fn handle_request() -> u64 {
    let mut uri = [0u8; 64];
    let n = unsafe { get_uri(uri.as_mut_ptr(), uri.len() as u32) } as usize;
    if n <= uri.len() && &uri[..n] == b"/hello" {
        set_header(HEADER_RESPONSE, b"content-type", b"text/plain");
        let body = b"hello from rust\n";
        unsafe { write_body(BODY_RESPONSE, body.as_ptr(), body.len() as u32) };
        return 0; // answered here: the next handler does not run
    }
    set_header(HEADER_REQUEST, b"x-guest", b"rust");
    set_header(HEADER_RESPONSE, b"x-guest", b"rust");
    1 // next, with request context 0
}

#[no_mangle]
pub extern "C" fn handle_response(_req_ctx: u32, _is_error: u32) {}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable() // a trap: hwasmd answers that request with its policy
}
