//! Standard output that a closed pipe does not break: `retort status | head -1` is a normal end
//! for a command line tool, not a panic (`println!` panics on `EPIPE`). Any other write error
//! is said once on stderr.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

static WARNED: AtomicBool = AtomicBool::new(false);

/// Write `args` to stdout; a closed pipe is ignored, another error said once on stderr.
pub fn write(args: std::fmt::Arguments<'_>) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_fmt(args) {
        if e.kind() != std::io::ErrorKind::BrokenPipe && !WARNED.swap(true, Ordering::Relaxed) {
            eprintln!("retort: cannot write the output: {e}");
        }
    }
}

/// `print!` through [`write`].
macro_rules! out {
    ($($t:tt)*) => { $crate::out::write(format_args!($($t)*)) };
}

/// `println!` through [`write`].
macro_rules! outln {
    () => { $crate::out::write(format_args!("\n")) };
    ($($t:tt)*) => { $crate::out::write(format_args!("{}\n", format_args!($($t)*))) };
}
