//! Reusable UI pieces.

pub mod field;
pub mod form_alert;
pub mod header;
pub mod session_keeper;
pub mod submit_button;
