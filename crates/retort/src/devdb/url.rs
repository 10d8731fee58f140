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

/// Every byte but RFC 3986's unreserved characters (letters, digits, `-`, `.`, `_`, `~`).
const NOT_UNRESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes every byte but RFC 3986's unreserved characters.
pub(super) fn percent_encode(bytes: &[u8]) -> String {
    percent_encoding::percent_encode(bytes, NOT_UNRESERVED).to_string()
}
