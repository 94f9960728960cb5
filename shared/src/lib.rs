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
pub mod identity;
pub mod media;
pub mod money;
pub mod notifications;
pub mod profile;
pub mod service;
pub mod validate;
pub mod wallet;

pub use error::{AppError, ErrorCode, Field, LoginFailures, RowError};
