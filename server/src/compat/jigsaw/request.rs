//! The fields of a call: a JSON object, or a form
//! (`application/x-www-form-urlencoded`), read leniently: a value may be a
//! string or a number (`"userNo": 12` and `"userNo": "12"` are the same),
//! blank means absent, and keys the trade does not use are ignored.

use super::envelope::Answer;
use serde_json::{Map, Value};

pub(super) struct Fields(Map<String, Value>);

impl Fields {
    /// Reads the body by its content type; an empty body has no fields.
    pub(super) fn parse(content_type: &str, body: &[u8]) -> Result<Fields, String> {
        let is_form = content_type
            .trim()
            .to_ascii_lowercase()
            .starts_with("application/x-www-form-urlencoded");
        if is_form {
            let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body)
                .map_err(|e| format!("The form could not be read: {e}."))?;
            return Ok(Fields(
                pairs
                    .into_iter()
                    .map(|(k, v)| (k, Value::String(v)))
                    .collect(),
            ));
        }
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Fields(Map::new()));
        }
        match serde_json::from_slice(body) {
            Ok(Value::Object(map)) => Ok(Fields(map)),
            Ok(_) => Err("The body must be a JSON object of the trade's fields.".into()),
            Err(e) => Err(format!("The body is not JSON: {e}.")),
        }
    }

    /// A field as trimmed text; `None` when absent, `null` or blank.
    pub(super) fn text(&self, key: &str) -> Result<Option<String>, Answer> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.trim().to_string())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(_) => Err(Answer::invalid(format!(
                "{key} must be a string (or a number)."
            ))),
        }
    }

    /// A field that must be there.
    pub(super) fn required(&self, key: &str) -> Result<String, Answer> {
        self.text(key)?.ok_or_else(|| Answer::missing(key))
    }

    /// `userNo`: the product's user id, digits.
    pub(super) fn user_no(&self) -> Result<Option<i64>, Answer> {
        match self.text("userNo")? {
            None => Ok(None),
            Some(raw) => raw
                .parse::<i64>()
                .ok()
                .filter(|n| *n > 0)
                .map(Some)
                .ok_or_else(|| Answer::invalid("userNo must be a user number (digits).")),
        }
    }
}
