//! Database URLs: `Endpoint::parse` on a URL holding a known password, in each place a password
//! can be written (userinfo, `?password=`, key=value), with any text around it. No panic, and
//! the password appears in no error message, no masked URL and no `Debug` output.
#![no_main]

use libfuzzer_sys::fuzz_target;
use retort::db::{mask_url, Endpoint};

const PASSWORD: &str = "s3cr3tPWxyz";

fuzz_target!(|data: &[u8]| {
    let Some((&form, rest)) = data.split_first() else {
        return;
    };
    let Ok(rest) = std::str::from_utf8(rest) else {
        return;
    };
    // The fuzzer learns the password from comparisons; a password it typed itself is not a leak.
    // Also percent-encoded (`%73` for `s`): test only a part no encoding of it contains.
    if rest.contains(PASSWORD) || rest.contains("cr3tPW") {
        return;
    }
    let (user, tail) = rest.split_once('\u{0}').unwrap_or(("alice", rest));
    if !user.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return;
    }
    let url = match form % 4 {
        0 => format!("postgres://{user}:{PASSWORD}@{tail}"),
        1 => format!("postgresql://{tail}?password={PASSWORD}"),
        2 => format!("postgres://{tail}?sslmode=disable&password={PASSWORD}"),
        _ => format!("user={user} password={PASSWORD} {tail}"),
    };
    let masked = mask_url(&url);
    // Text after the password may itself look like a password to the masking; the password
    // must be gone whatever follows.
    assert!(!masked.contains(PASSWORD), "mask_url leaks: {masked:?}");
    match Endpoint::parse(&url) {
        Ok(t) => {
            assert!(!t.masked.contains(PASSWORD));
            assert!(!format!("{t:?}").contains(PASSWORD));
            assert!(!t.describe().contains(PASSWORD));
        }
        Err(e) => {
            let shown = format!("{e} {e:?}");
            assert!(
                !shown.contains(PASSWORD),
                "error leaks the password: {shown}"
            );
        }
    }
});
