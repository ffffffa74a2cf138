//! `git align serve`: a local review page for this repository's run. The server listens
//! on 127.0.0.1 only, answers one request at a time, and turns away requests that do not
//! come from its own page (`guard`). The page polls `GET /api/state` (the `status --json`
//! document, with an ETag) and sends `POST /api/decision`, which takes the decision by
//! the command line's path (`decide`).

mod decide;
mod guard;

use std::io::Read;
use std::time::Duration;

use tiny_http::{Header, Method, Request, Response, Server};

use crate::commands::{status_document, Choice};
use crate::error::{Error, Result};
use crate::git::Repo;
use crate::signals;
use decide::Background;
use guard::{Guard, Refusal};

/// The largest decision body read.
const MOST_BODY_BYTES: u64 = 64 << 10;
/// How long a decision waits for the last one's run to let go of the run when it has
/// just paused.
const ENDING_GRACE: Duration = Duration::from_millis(500);
/// How often the server looks for Ctrl-C between requests.
const STOP_CHECK: Duration = Duration::from_millis(100);

/// The page's files, built into the binary.
const PAGE: &str = include_str!("assets/index.html");
const SCRIPT: &str = include_str!("assets/app.js");
const STYLE: &str = include_str!("assets/app.css");

/// The review server of one repository.
pub struct ReviewServer<'r> {
    repo: &'r Repo,
    server: Server,
    guard: Guard,
    background: Background,
}

/// A response: status, content type, body, and an ETag for the state.
struct Answer {
    status: u16,
    content_type: &'static str,
    body: String,
    etag: Option<String>,
}

impl<'r> ReviewServer<'r> {
    /// Listens on 127.0.0.1:`port` (0: a free port).
    pub fn bind(repo: &'r Repo, port: u16) -> Result<ReviewServer<'r>> {
        let server = Server::http(("127.0.0.1", port)).map_err(|e| {
            Error::io(
                format!("cannot listen on 127.0.0.1:{port}"),
                std::io::Error::other(e.to_string()),
            )
        })?;
        let port = server
            .server_addr()
            .to_ip()
            .map(|address| address.port())
            .unwrap_or(port);
        let guard = Guard::new(port).map_err(|e| Error::io("cannot make a token", e))?;
        Ok(ReviewServer {
            repo,
            server,
            guard,
            background: Background::default(),
        })
    }

    /// The page's address, with its token in the fragment (which browsers never send).
    pub fn address(&self) -> String {
        let port = self.server.server_addr().to_ip().map(|a| a.port());
        format!(
            "http://127.0.0.1:{}/#token={}",
            port.unwrap_or_default(),
            self.guard.token()
        )
    }

    /// Answers requests until Ctrl-C; then waits for a run a decision started, which
    /// pauses at its next safe point.
    pub fn serve(mut self) -> Result<()> {
        while !signals::stop_requested() {
            let request = self
                .server
                .recv_timeout(STOP_CHECK)
                .map_err(|e| Error::io("the review server stopped", e))?;
            if let Some(request) = request {
                self.answer(request);
            }
        }
        self.background.wait();
        Ok(())
    }

    fn answer(&mut self, mut request: Request) {
        let answer = self.route(&mut request);
        let mut response = Response::from_string(answer.body)
            .with_status_code(answer.status)
            .with_header(header("Content-Type", answer.content_type))
            .with_header(header("Cache-Control", "no-store"))
            .with_header(header("X-Content-Type-Options", "nosniff"))
            .with_header(header("Referrer-Policy", "no-referrer"))
            .with_header(header("X-Frame-Options", "DENY"))
            .with_header(header(
                "Content-Security-Policy",
                "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
            ));
        if let Some(etag) = answer.etag {
            response = response.with_header(header("ETag", &etag));
        }
        // A client that went away needs no answer.
        let _ = request.respond(response);
    }

    fn route(&mut self, request: &mut Request) -> Answer {
        if let Err(refusal) = self.guard.same_site(
            header_value(request, "Host"),
            header_value(request, "Origin"),
        ) {
            return refused(refusal);
        }
        let path = request.url().split('?').next().unwrap_or("").to_string();
        let method = request.method().clone();
        match (method, path.as_str()) {
            (Method::Get, "/") => Answer::file("text/html; charset=utf-8", PAGE),
            (Method::Get, "/app.js") => Answer::file("text/javascript; charset=utf-8", SCRIPT),
            (Method::Get, "/app.css") => Answer::file("text/css; charset=utf-8", STYLE),
            (method, "/api/state" | "/api/decision") => {
                if let Err(refusal) = self
                    .guard
                    .authorized(header_value(request, "Authorization"))
                {
                    return refused(refusal);
                }
                match (method, path.as_str()) {
                    (Method::Get, "/api/state") => {
                        self.state(header_value(request, "If-None-Match"))
                    }
                    (Method::Post, "/api/decision") => self.decision(request),
                    _ => Answer::error(405, "method not allowed"),
                }
            }
            _ => Answer::error(404, "not found"),
        }
    }

    /// `GET /api/state`: the `status --json` document; 304 when the page has it already.
    fn state(&self, if_none_match: Option<&str>) -> Answer {
        let document = match status_document(self.repo) {
            Ok(document) => document,
            Err(e) => return Answer::from_error(&e),
        };
        let body = serde_json::to_string_pretty(&document).expect("json serialises");
        let etag = etag_of(&body);
        if if_none_match == Some(etag.as_str()) {
            return Answer {
                status: 304,
                content_type: "application/json",
                body: String::new(),
                etag: Some(etag),
            };
        }
        Answer {
            status: 200,
            content_type: "application/json",
            body,
            etag: Some(etag),
        }
    }

    /// `POST /api/decision`: takes the decision; answers with the state once it is
    /// accepted, or with why not.
    fn decision(&mut self, request: &mut Request) -> Answer {
        let decision = match read_decision(request) {
            Ok(decision) => decision,
            Err(e) => return Answer::from_error(&e),
        };
        if self.background.busy(ENDING_GRACE) {
            return Answer::error(
                409,
                "the run is going on after the last decision; wait for its next pause",
            );
        }
        match self.background.take(decision) {
            Ok(()) => self.state(None),
            Err(e) => Answer::from_error(&e),
        }
    }
}

impl Answer {
    fn file(content_type: &'static str, body: &str) -> Answer {
        Answer {
            status: 200,
            content_type,
            body: body.to_string(),
            etag: None,
        }
    }

    /// `{"error": ..., "hint": ...}` with `status`.
    fn error(status: u16, message: &str) -> Answer {
        Answer::json_error(status, message, None)
    }

    fn json_error(status: u16, message: &str, hint: Option<String>) -> Answer {
        let body = serde_json::json!({"error": message, "hint": hint});
        Answer {
            status,
            content_type: "application/json",
            body: body.to_string(),
            etag: None,
        }
    }

    /// A refused or failed decision: 400 for a bad request, 409 where the run (or the
    /// repository) is not in a state the decision applies to, 500 otherwise.
    fn from_error(error: &Error) -> Answer {
        let status = match error {
            Error::Usage(_) => 400,
            Error::NoRun
            | Error::WrongState { .. }
            | Error::Locked(_)
            | Error::LostRace
            | Error::RunInProgress { .. }
            | Error::Unresolved { .. }
            | Error::UntrustedExec(_)
            | Error::Dirty(_)
            | Error::RefMoved { .. }
            | Error::WorktreeGone(_)
            | Error::RefLocked { .. }
            | Error::NotRunning => 409,
            _ => 500,
        };
        let message = crate::ui::escape_lines(&error.to_string());
        Answer::json_error(status, &message, error.hint())
    }
}

fn refused(refusal: Refusal) -> Answer {
    match refusal {
        Refusal::Foreign => Answer::error(403, "this server answers only its own page"),
        Refusal::Unauthorized => Answer::error(401, "the page's token is missing or wrong"),
    }
}

/// Reads `{"decision": ..., "feedback": ...}` from the request body.
fn read_decision(request: &mut Request) -> Result<Choice> {
    let mut body = String::new();
    request
        .as_reader()
        .take(MOST_BODY_BYTES)
        .read_to_string(&mut body)
        .map_err(|_| Error::Usage("the request body is not UTF-8 text".into()))?;
    let value: serde_json::Value = serde_json::from_str(&body)
        .map_err(|e| Error::Usage(format!("the request body is not JSON: {e}")))?;
    let name = value["decision"]
        .as_str()
        .ok_or_else(|| Error::Usage("the request names no decision".into()))?;
    Choice::parse(name, value["feedback"].as_str())
}

fn header_value<'a>(request: &'a Request, name: &str) -> Option<&'a str> {
    request
        .headers()
        .iter()
        .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str())
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("a valid header")
}

/// A strong ETag of a state document.
fn etag_of(body: &str) -> String {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    body.hash(&mut hasher);
    format!("\"{:016x}\"", hasher.finish())
}
