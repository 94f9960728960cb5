//! The fields of one request, wherever the app put them.
//!
//! The document lists fields as `*name=value` lines and writes the token
//! into the path as ThinkPHP does (`…/verification/token/{token}`: the rest
//! of the path is `key/value` pairs), or into the query
//! (`get_user_details?token=`). So a field is looked up in the path's pairs,
//! then the body (form-urlencoded, or a JSON object), then the query string;
//! the first non-blank value wins. Names match without regard to ASCII case
//! (`RegistrationID`, `registrationId`). Nothing is merged across sources:
//! one field, one source, so a request cannot carry one user's token in the
//! path and be served with another's from the body.

use serde_json::Value;

/// The request's fields, in lookup order.
#[derive(Clone, Debug, Default)]
pub(super) struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    /// Reads the path's `key/value` segments after the action, the body and
    /// the raw query. A body that cannot be read as its content type
    /// contributes nothing (its fields then count as missing).
    pub(super) fn parse(
        rest: Option<&str>,
        body: &[u8],
        content_type: Option<&str>,
        query: Option<&str>,
    ) -> Params {
        let mut pairs = Vec::new();
        if let Some(rest) = rest {
            let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
            for pair in segments.chunks(2) {
                let value = pair.get(1).copied().unwrap_or_default();
                pairs.push((pair[0].to_string(), value.to_string()));
            }
        }
        pairs.extend(body_pairs(body, content_type));
        if let Some(query) = query {
            pairs.extend(
                serde_urlencoded::from_str::<Vec<(String, String)>>(query).unwrap_or_default(),
            );
        }
        Params { pairs }
    }

    /// The first non-blank value of `name`, as sent (not trimmed: a
    /// password keeps its spaces).
    pub(super) fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(key, value)| key.eq_ignore_ascii_case(name) && !value.trim().is_empty())
            .map(|(_, value)| value.as_str())
    }

    /// The first of several names that is present.
    pub(super) fn any_of(&self, names: &[&str]) -> Option<&str> {
        names.iter().find_map(|name| self.get(name))
    }
}

/// A JSON object's scalar members, or a form's fields.
fn body_pairs(body: &[u8], content_type: Option<&str>) -> Vec<(String, String)> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Vec::new();
    }
    let content_type = content_type.unwrap_or_default().to_ascii_lowercase();
    let looks_json = body
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|&b| b == b'{');
    if content_type.contains("json") || (content_type.is_empty() && looks_json) {
        let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) else {
            return Vec::new();
        };
        return map
            .into_iter()
            .filter_map(|(key, value)| {
                let text = match value {
                    Value::String(s) => s,
                    Value::Number(n) => n.to_string(),
                    Value::Bool(b) => b.to_string(),
                    _ => return None,
                };
                Some((key, text))
            })
            .collect();
    }
    if content_type.starts_with("multipart/") {
        // Not read: the document's fields are all short texts.
        return Vec::new();
    }
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_body_and_query_in_that_order() {
        let p = Params::parse(
            Some("token/fromPath/"),
            b"token=fromBody&name=%E5%BC%A0%E4%B8%89&empty=",
            Some("application/x-www-form-urlencoded"),
            Some("token=fromQuery&cardno=1&empty=q"),
        );
        assert_eq!(p.get("token"), Some("fromPath"));
        assert_eq!(p.get("TOKEN"), Some("fromPath"));
        assert_eq!(p.get("name"), Some("张三"));
        assert_eq!(p.get("cardno"), Some("1"));
        // Blank counts as missing, so a later source may fill it.
        assert_eq!(p.get("empty"), Some("q"));
        assert_eq!(p.get("nope"), None);
    }

    #[test]
    fn json_bodies_and_odd_inputs() {
        let p = Params::parse(
            None,
            br#"{"phone": 13800000000, "password": " pw ", "x": {"y": 1}}"#,
            None,
            None,
        );
        assert_eq!(p.get("phone"), Some("13800000000"));
        assert_eq!(p.get("password"), Some(" pw "));
        assert_eq!(p.get("x"), None);
        for (body, ct) in [
            (&b"{not json"[..], Some("application/json")),
            (&b"[1,2]"[..], Some("application/json")),
            (
                &b"--x\r\nContent-Disposition: form-data; name=\"phone\"\r\n\r\n1\r\n"[..],
                Some("multipart/form-data; boundary=x"),
            ),
        ] {
            assert_eq!(Params::parse(None, body, ct, None).get("phone"), None);
        }
        // A path with a key and no value, and a bad query, are harmless.
        let p = Params::parse(Some("token"), b"", None, Some("%%%"));
        assert_eq!(p.get("token"), None);
        assert_eq!(p.any_of(&["uuid", "token"]), None);
    }
}
