//! The cluster's URL: the socket directory, percent-encoded, as the host.

use super::*;

/// `postgresql://postgres@<percent-encoded socket dir>:<port>/<database>`.
pub(super) fn socket_url(socket_dir: &Path, port: u16, database: &str) -> String {
    format!(
        "postgresql://{SUPERUSER}@{}:{port}/{}",
        percent_encode(socket_dir.as_os_str().as_bytes()),
        percent_encode(database.as_bytes())
    )
}

/// Percent-encodes every byte but RFC 3986's unreserved characters.
pub(super) fn percent_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
