//! The contract between the browser and the server.
//!
//! Everything here compiles for both `wasm32` and the server, so the sign-up form
//! and the server agree on what is valid and on what every error means.

pub mod activation;
pub mod admin;
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
