//! Reusable UI pieces.

pub mod captcha;
pub mod change_password;
pub mod contact_editor;
pub mod device_list;
pub mod field;
pub mod form_alert;
pub mod form_errors;
pub mod header;
pub mod send_code;
pub mod session_keeper;
pub mod submit_button;
