//! One module per page.

pub mod activate;
pub mod admin;
pub mod forgot;
pub mod home;
pub mod login;
pub mod not_found;
pub mod profile;
pub mod security;
pub mod signup;
pub mod wallet;
