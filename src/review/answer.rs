//! The review server's answers: the page's files, JSON documents and errors, each with
//! the headers that keep a browser from framing, sniffing or caching them.

use super::http::Response;
use crate::error::Error;

/// What every answer carries: no caching, no framing, no sniffing, no referrer, and a
/// policy that lets the page load only its own script and style and talk only to this
/// server.
const SECURITY_HEADERS: [(&str, &str); 5] = [
    ("Cache-Control", "no-store"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
    (
        "Content-Security-Policy",
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
    ),
];

/// An answer with `status`, `content_type` and `body`.
pub fn answer(status: u16, content_type: &str, body: Vec<u8>) -> Response {
    let mut headers: Vec<(&'static str, String)> = SECURITY_HEADERS
        .iter()
        .map(|(name, value)| (*name, value.to_string()))
        .collect();
    headers.push(("Content-Type", content_type.to_string()));
    Response {
        status,
        headers,
        body,
    }
}

/// A JSON document.
pub fn json(status: u16, document: &serde_json::Value) -> Response {
    let body = serde_json::to_vec_pretty(document).expect("json serialises");
    answer(status, "application/json", body)
}

/// `{"error": ..., "hint": ...}` with `status`.
pub fn error(status: u16, message: &str, hint: Option<String>) -> Response {
    json(status, &serde_json::json!({"error": message, "hint": hint}))
}

/// A decision a command refused or could not carry out: 409 where the run (or the
/// repository) is not in a state it applies to, 500 where reading or writing failed.
pub fn refused_decision(error: &Error) -> Response {
    let status = match error {
        Error::Git { .. }
        | Error::Io { .. }
        | Error::BadObject(_)
        | Error::MissingObject(_)
        | Error::CorruptState(_)
        | Error::NewerSchema(_) => 500,
        _ => 409,
    };
    let message = crate::ui::escape_lines(&error.to_string());
    self::error(status, &message, error.hint())
}

/// The state document's strong ETag.
pub fn etag_of(body: &[u8]) -> String {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    body.hash(&mut hasher);
    format!("\"{:016x}\"", hasher.finish())
}
