//! The request's fields, wherever the client put them.
//!
//! yonyou's document shows JSON bodies for most calls, a form body
//! (`userCode=…&userMobile=…`) for adding a user, and query strings for the
//! GETs; its SDK is not consistent about the case of some names either
//! (`sysId`, `sysid`, `systId`). So every handler reads one bag of fields:
//! the query string, overlaid by the body, which is JSON when it says so (or
//! looks like it) and form-urlencoded otherwise. Values are taken leniently:
//! a number where a string is documented is read as its text, `"true"` as a
//! boolean, and surrounding white space is dropped.

use serde_json::{Map, Value};

/// The fields of one request.
#[derive(Debug, Default)]
pub(super) struct Params {
    map: Map<String, Value>,
}

/// Why a request could not be read; its message goes into `msg`.
#[derive(Debug)]
pub(super) struct Unreadable(pub(super) &'static str);

impl Params {
    /// Reads the query string and the body (the body wins on a name both have).
    pub(super) fn parse(
        content_type: Option<&str>,
        query: Option<&str>,
        body: &[u8],
    ) -> Result<Params, Unreadable> {
        let mut params = Params::default();
        if let Some(query) = query {
            params.add_form(query.as_bytes());
        }
        let text = std::str::from_utf8(body).map_err(|_| Unreadable("请求体不是 UTF-8 文本"))?;
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Ok(params);
        }
        // JSON when it looks like it, or says so and does not look like a
        // form (an SDK may label its form body as JSON, or send no type).
        let says_json = content_type.is_some_and(|c| c.to_ascii_lowercase().contains("json"));
        if trimmed.starts_with('{') || (says_json && !trimmed.contains('=')) {
            match serde_json::from_str::<Value>(trimmed) {
                Ok(Value::Object(object)) => params.map.extend(object),
                _ => return Err(Unreadable("请求体不是合法的 JSON 对象")),
            }
        } else {
            params.add_form(trimmed.as_bytes());
        }
        Ok(params)
    }

    /// Adds `a=b&c=d` pairs; a repeated name (or `name[]`) becomes a list.
    fn add_form(&mut self, form: &[u8]) {
        for (name, value) in form_urlencoded::parse(form) {
            let name = name.strip_suffix("[]").unwrap_or(&name).to_string();
            let value = Value::String(value.into_owned());
            match self.map.get_mut(&name) {
                Some(Value::Array(list)) => list.push(value),
                Some(first) => {
                    let first = first.take();
                    self.map.insert(name, Value::Array(vec![first, value]));
                }
                None => {
                    self.map.insert(name, value);
                }
            }
        }
    }

    /// The raw value of the first of `names` present.
    pub(super) fn value(&self, names: &[&str]) -> Option<&Value> {
        names.iter().find_map(|n| self.map.get(*n))
    }

    /// A text field: a string or a number, trimmed; `None` when absent,
    /// blank or another type (a list's first element counts, as a form's
    /// repeated field would).
    pub(super) fn text(&self, names: &[&str]) -> Option<String> {
        let text = match self.value(names)? {
            Value::String(s) => s.trim().to_string(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Array(list) => match list.first()? {
                Value::String(s) => s.trim().to_string(),
                Value::Number(n) => n.to_string(),
                _ => return None,
            },
            _ => return None,
        };
        (!text.is_empty()).then_some(text)
    }

    /// A flag: `true`, `"true"`, `1` or `"1"`; `false` otherwise, `None`
    /// when absent.
    pub(super) fn flag(&self, names: &[&str]) -> Option<bool> {
        Some(match self.value(names)? {
            Value::Bool(b) => *b,
            Value::Number(n) => n.as_i64() == Some(1),
            Value::String(s) => matches!(s.trim(), "true" | "TRUE" | "True" | "1"),
            _ => false,
        })
    }

    /// A list of texts: a JSON array, a repeated form field, or one string
    /// of comma-separated items. Blank items are dropped.
    pub(super) fn list(&self, names: &[&str]) -> Vec<String> {
        let item = |v: &Value| match v {
            Value::String(s) => Some(s.trim().to_string()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        };
        let items: Vec<String> = match self.value(names) {
            None => Vec::new(),
            Some(Value::Array(list)) => list.iter().filter_map(item).collect(),
            Some(Value::String(s)) => s.split(',').map(|i| i.trim().to_string()).collect(),
            Some(other) => item(other).into_iter().collect(),
        };
        items.into_iter().filter(|i| !i.is_empty()).collect()
    }

    /// One field as its own bag of fields: a JSON object, or a string
    /// holding one (a form's `jsonStr=…`).
    pub(super) fn object(&self, names: &[&str]) -> Option<Params> {
        match self.value(names)? {
            Value::Object(map) => Some(Params { map: map.clone() }),
            Value::String(s) => match serde_json::from_str::<Value>(s.trim()).ok()? {
                Value::Object(map) => Some(Params { map }),
                _ => None,
            },
            _ => None,
        }
    }

    /// A list of objects: a JSON array of objects, or a string holding one.
    /// `None` when the field is absent or not a list; non-objects in the
    /// list become empty bags (and fail their own checks).
    pub(super) fn objects(&self, names: &[&str]) -> Option<Vec<Params>> {
        let list = match self.value(names)? {
            Value::Array(list) => list.clone(),
            Value::String(s) => match serde_json::from_str::<Value>(s.trim()).ok()? {
                Value::Array(list) => list,
                Value::Object(mut map) => match map.remove("users") {
                    Some(Value::Array(list)) => list,
                    _ => return None,
                },
                _ => return None,
            },
            _ => return None,
        };
        Some(
            list.into_iter()
                .map(|v| match v {
                    Value::Object(map) => Params { map },
                    _ => Params::default(),
                })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_form_and_query_are_one_bag() {
        let p = Params::parse(
            Some("application/json"),
            Some("userId=7&x=q"),
            br#"{"x":" body ","n":12,"reset":"true","pks":["a", 5, ""]}"#,
        )
        .unwrap();
        assert_eq!(p.text(&["userId"]).as_deref(), Some("7"));
        assert_eq!(p.text(&["x"]).as_deref(), Some("body"));
        assert_eq!(p.text(&["n"]).as_deref(), Some("12"));
        assert_eq!(p.flag(&["reset"]), Some(true));
        assert_eq!(p.list(&["pks"]), vec!["a", "5"]);

        // The document's form body, line break and all.
        let p = Params::parse(
            None,
            None,
            b"userCode=\ntanyh1&userMobile=13811394460&userPassword=tanyh*123&userName=tanyh",
        )
        .unwrap();
        assert_eq!(p.text(&["userCode"]).as_deref(), Some("tanyh1"));
        assert_eq!(p.text(&["userPassword"]).as_deref(), Some("tanyh*123"));
        // Labelled JSON, written as a form: read as the form it is.
        let p = Params::parse(Some("application/json"), None, b"userCode=a&userName=b").unwrap();
        assert_eq!(p.text(&["userName"]).as_deref(), Some("b"));

        let p = Params::parse(None, Some("pks=1&pks=2&ids[]=3&ids[]=4&c=5,6"), b"").unwrap();
        assert_eq!(p.list(&["pks"]), vec!["1", "2"]);
        assert_eq!(p.list(&["ids"]), vec!["3", "4"]);
        assert_eq!(p.list(&["c"]), vec!["5", "6"]);
        assert_eq!(p.text(&["missing", "c"]).as_deref(), Some("5,6"));
    }

    #[test]
    fn junk_is_refused_with_a_reason() {
        assert!(Params::parse(Some("application/json"), None, b"{oops").is_err());
        assert!(Params::parse(Some("application/json"), None, b"[1]").is_err());
        assert!(Params::parse(None, None, &[0xff, 0xfe]).is_err());
        let p =
            Params::parse(Some("application/json"), None, br#"{"a":{"b":1},"c":null}"#).unwrap();
        assert_eq!(p.text(&["a"]), None);
        assert_eq!(p.text(&["c"]), None);
        assert_eq!(p.flag(&["a"]), Some(false));
    }

    #[test]
    fn nested_users_as_json_or_as_a_string() {
        let p = Params::parse(None, None, br#"{"users":[{"userCode":"a"},3]}"#).unwrap();
        let rows = p.objects(&["users"]).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].text(&["userCode"]).as_deref(), Some("a"));
        assert_eq!(rows[1].text(&["userCode"]), None);
        let p = Params::parse(
            None,
            None,
            b"sysId=ipu&jsonStr=%7B%22users%22%3A%5B%7B%22userCode%22%3A%22b%22%7D%5D%7D",
        )
        .unwrap();
        let rows = p.objects(&["jsonStr"]).unwrap();
        assert_eq!(rows[0].text(&["userCode"]).as_deref(), Some("b"));
        assert!(p.object(&["jsonStr"]).is_some());
    }
}
