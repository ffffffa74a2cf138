//! `git align serve`: a local review page for this repository's run. The server listens
//! on 127.0.0.1 only, answers one request at a time (`http`), and turns away requests
//! that do not come from its own page (`guard`). The page polls `GET /api/state` (the
//! `status --json` document, with an ETag) and sends `POST /api/decision`, which takes
//! the decision by the command line's path (`background`).

mod answer;
mod background;
mod guard;
mod http;

use std::time::Duration;

use crate::commands::{status_document, Choice};
use crate::error::{Error, Result};
use crate::git::Repo;
use crate::signals;
use background::Background;
use guard::{Guard, Refusal};
use http::{Listener, Request, Response};

/// How long a decision waits for the last one's run to let go of the run when it has
/// just paused.
const ENDING_GRACE: Duration = Duration::from_millis(500);
/// How often the server looks for Ctrl-C between requests.
const STOP_CHECK: Duration = Duration::from_millis(50);

/// The page's files, built into the binary.
const PAGE: &str = include_str!("assets/index.html");
const SCRIPT: &str = include_str!("assets/app.js");
const STYLE: &str = include_str!("assets/app.css");

/// The review server of one repository.
pub struct ReviewServer<'r> {
    repo: &'r Repo,
    listener: Listener,
    port: u16,
    guard: Guard,
    background: Background,
}

impl<'r> ReviewServer<'r> {
    /// Listens on 127.0.0.1:`port` (0: a free port).
    pub fn bind(repo: &'r Repo, port: u16) -> Result<ReviewServer<'r>> {
        let cannot = |e| Error::io(format!("cannot listen on 127.0.0.1:{port}"), e);
        let listener = Listener::bind(port).map_err(cannot)?;
        let port = listener.port().map_err(cannot)?;
        let guard = Guard::new(port).map_err(|e| Error::io("cannot make a token", e))?;
        Ok(ReviewServer {
            repo,
            listener,
            port,
            guard,
            background: Background::default(),
        })
    }

    /// The page's address, with its token in the fragment (which browsers never send).
    pub fn address(&self) -> String {
        format!(
            "http://127.0.0.1:{}/#token={}",
            self.port,
            self.guard.token()
        )
    }

    /// Answers requests until Ctrl-C; then waits for a run a decision started, which
    /// pauses at its next safe point.
    pub fn serve(mut self) -> Result<()> {
        while !signals::stop_requested() {
            let connection = self
                .listener
                .accept(STOP_CHECK)
                .map_err(|e| Error::io("the review server stopped", e))?;
            if let Some(mut stream) = connection {
                let response = match http::read_request(&mut stream) {
                    Ok(request) => self.route(&request),
                    Err(refused) => refused,
                };
                http::send(stream, &response);
            }
        }
        self.background.wait();
        Ok(())
    }

    fn route(&mut self, request: &Request) -> Response {
        if let Err(refusal) = self
            .guard
            .same_site(request.header("Host"), request.header("Origin"))
        {
            return refused(refusal);
        }
        let file = |content_type: &str, text: &str| {
            answer::answer(200, content_type, text.as_bytes().to_vec())
        };
        match (request.method.as_str(), request.path.as_str()) {
            ("GET", "/") => file("text/html; charset=utf-8", PAGE),
            ("GET", "/app.js") => file("text/javascript; charset=utf-8", SCRIPT),
            ("GET", "/app.css") => file("text/css; charset=utf-8", STYLE),
            (method, path @ ("/api/state" | "/api/decision")) => {
                if let Err(refusal) = self.guard.authorized(request.header("Authorization")) {
                    return refused(refusal);
                }
                match (method, path) {
                    ("GET", "/api/state") => self.state(request.header("If-None-Match")),
                    ("POST", "/api/decision") => self.decision(request),
                    _ => answer::error(405, "method not allowed", None),
                }
            }
            _ => answer::error(404, "not found", None),
        }
    }

    /// The `status --json` document, with the failure of the last decision's run
    /// when it failed after being accepted.
    fn document(&self) -> Result<serde_json::Value> {
        let mut document = status_document(self.repo)?;
        if let Some(failure) = self.background.failure() {
            document["serve_error"] = failure;
        }
        Ok(document)
    }

    /// `GET /api/state`: the document; 304 when the page has it already.
    fn state(&self, if_none_match: Option<&str>) -> Response {
        let document = match self.document() {
            Ok(document) => document,
            Err(e) => return answer::refused_decision(&e),
        };
        let mut response = answer::json(200, &document);
        let etag = answer::etag_of(&response.body);
        if if_none_match == Some(etag.as_str()) {
            response.status = 304;
            response.body.clear();
        }
        response.headers.push(("ETag", etag));
        response
    }

    /// `POST /api/decision`: takes the decision; answers with the state once it is
    /// accepted, or with why not.
    fn decision(&mut self, request: &Request) -> Response {
        let (decision, checkpoint) = match read_decision(&request.body) {
            Ok(read) => read,
            Err(e) => return answer::error(400, &crate::ui::escape_line(&e.to_string()), None),
        };
        if self.background.busy(ENDING_GRACE) {
            return answer::error(
                409,
                "the run is going on after the last decision; wait for its next pause",
                None,
            );
        }
        if let Some(seen) = checkpoint {
            // The checkpoint alone: the whole document reconciles every branch's ref.
            let now = crate::state::Store::open(self.repo)
                .ok()
                .and_then(|store| store.head())
                .map(|oid| oid.to_string());
            if now.as_deref() != Some(seen.as_str()) {
                return answer::error(
                    409,
                    "the run has moved on since the page showed it; look at it again",
                    None,
                );
            }
        }
        if let Err(e) = self.background.take(decision) {
            return answer::refused_decision(&e);
        }
        match self.document() {
            Ok(document) => answer::json(200, &document),
            // Accepted all the same: the page's next poll shows where the run is.
            Err(_) => answer::json(202, &serde_json::json!({"accepted": true})),
        }
    }
}

fn refused(refusal: Refusal) -> Response {
    match refusal {
        Refusal::Foreign => answer::error(403, "this server answers only its own page", None),
        Refusal::Unauthorized => answer::error(401, "the page's token is missing or wrong", None),
    }
}

/// Reads `{"decision": ..., "feedback": ..., "checkpoint": ...}`: the decision, and
/// the checkpoint the page showed when it was taken (when it says).
fn read_decision(body: &[u8]) -> Result<(Choice, Option<String>)> {
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| Error::Usage(format!("the request body is not JSON: {e}")))?;
    let name = value["decision"]
        .as_str()
        .ok_or_else(|| Error::Usage("the request names no decision".into()))?;
    let choice = Choice::parse(name, value["feedback"].as_str())?;
    Ok((choice, value["checkpoint"].as_str().map(String::from)))
}
