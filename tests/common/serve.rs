//! A `git align serve` started for a test: its port and token, read from the address it
//! prints first; stopped (Ctrl-C) when dropped.

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdout, Stdio};

use super::http::{request, Reply};
use super::TestRepo;

/// A running `git align serve`.
pub struct Served {
    child: Child,
    /// Kept open: the server's later lines must not meet a closed pipe.
    _stdout: BufReader<ChildStdout>,
    pub port: u16,
    pub token: String,
    pub address: String,
}

impl Served {
    /// Starts the server in `repo` on a free port.
    pub fn start(repo: &TestRepo) -> Served {
        Served::start_with(repo, &["serve"], &[])
    }

    /// Starts `git align ARGS` (serve and its options) with `envs` added.
    pub fn start_with(repo: &TestRepo, args: &[&str], envs: &[(&str, &str)]) -> Served {
        let mut child = repo
            .align_cmd(args)
            .envs(envs.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        stdout.read_line(&mut first).unwrap();
        let address = first.trim().to_string();
        let rest = address
            .strip_prefix("http://127.0.0.1:")
            .unwrap_or_else(|| panic!("not the page's address: {address:?}"));
        let (port, fragment) = rest
            .split_once("/#token=")
            .expect("a token in the fragment");
        Served {
            child,
            _stdout: stdout,
            port: port.parse().unwrap(),
            token: fragment.to_string(),
            address,
        }
    }

    /// `GET /api/state` with the token.
    pub fn state(&self) -> serde_json::Value {
        let reply = self.get("/api/state", &[]);
        assert_eq!(reply.status, 200, "{}", reply.body);
        reply.json()
    }

    /// A GET with the token and `headers`.
    pub fn get(&self, path: &str, headers: &[(&str, &str)]) -> Reply {
        let bearer = format!("Bearer {}", self.token);
        let mut all = vec![("Authorization", bearer.as_str())];
        all.extend_from_slice(headers);
        request(self.port, "GET", path, &all, None)
    }

    /// `POST /api/decision` with the token and `body`.
    pub fn decide(&self, body: &str) -> Reply {
        let bearer = format!("Bearer {}", self.token);
        request(
            self.port,
            "POST",
            "/api/decision",
            &[("Authorization", bearer.as_str())],
            Some(body),
        )
    }

    /// Stops the server with Ctrl-C, as a person would; returns its exit code.
    pub fn stop(mut self) -> Option<i32> {
        self.interrupt();
        self.child.wait().unwrap().code()
    }

    fn interrupt(&mut self) {
        // SAFETY: a plain kill(2) of our own child.
        unsafe {
            libc::kill(self.child.id() as i32, libc::SIGINT);
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.interrupt();
            let _ = self.child.wait();
        }
    }
}

/// The decisions a state document records, without their times: (decision, step,
/// branch, feedback).
pub fn decisions(state: &serde_json::Value) -> Vec<(String, String, String, String)> {
    state["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let text = |key: &str| d[key].as_str().unwrap_or("").to_string();
            (
                text("decision"),
                text("step"),
                text("branch"),
                text("feedback"),
            )
        })
        .collect()
}
