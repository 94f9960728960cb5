//! Reusable UI pieces.

pub mod avatar_editor;
pub mod balance_chart;
pub mod captcha;
pub mod change_password;
pub mod close_account;
pub mod consent;
pub mod contact_editor;
pub mod device_list;
pub mod field;
pub mod forgot_pin;
pub mod form_alert;
pub mod form_errors;
pub mod header;
pub mod notification_prefs;
pub mod profile_forms;
pub mod send_code;
pub mod session_keeper;
pub mod submit_button;
pub mod upload;
pub mod wallet_history;
pub mod wallet_pin;
pub mod wallet_transfer;
