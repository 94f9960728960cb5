//! Writes a sample import file for `server import users`: every legacy
//! password scheme in turn, statuses, profiles and opening balances (see
//! `domain::import::sample`). For the 100,000-user benchmark:
//!
//! ```sh
//! cargo run --release -p server --example import_sample -- 100000 > users.jsonl
//! ```
//!
//! Row `i`'s password is `Legacy pass <i>`; the same count always writes the
//! same file.

use std::io::Write;

fn main() {
    let count = match std::env::args().nth(1).map(|a| a.parse::<u64>()) {
        None => 100_000,
        Some(Ok(n)) => n,
        Some(Err(_)) => {
            eprintln!("usage: import_sample [COUNT]   (default 100000)");
            std::process::exit(2);
        }
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let written = domain::import::sample::write(&mut out, count).and_then(|()| out.flush());
    if let Err(e) = written {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
