//! The contract between the browser and the server.
//!
//! Everything here compiles for both `wasm32` and the server, so the sign-up form
//! and the server agree on what is valid and on what every error means. The
//! `server` feature adds what only the server needs in full (the
//! common-password list, the country table and names); the browser's forms
//! skip those checks and the server makes them.

pub mod activation;
pub mod admin;
#[cfg(feature = "server")]
pub mod countries;
pub mod currency;
pub mod dto;
pub mod error;
#[cfg(test)]
mod fuzz_tests;
pub mod identity;
pub mod media;
pub mod money;
pub mod notifications;
pub mod privacy;
pub mod profile;
pub mod service;
pub mod validate;
pub mod wallet;

pub use error::{AppError, ErrorCode, Field, LoginFailures, RowError};

/// How many cases each decoder fuzz test (the `fuzz_…` proptests of
/// `shared`, `domain` and `server`) runs: `UC_FUZZ_CASES`, else 256, the
/// count `cargo test` runs; `scripts/reliability` asks for 100,000.
#[doc(hidden)]
pub fn fuzz_cases() -> u32 {
    std::env::var("UC_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}
