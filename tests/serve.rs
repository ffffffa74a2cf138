//! `git align serve`'s API: the token, Host and Origin checks, the state's ETag, and
//! decisions taken by the command line's path (same refs, same recorded decisions),
//! refused with 409 where the run is not paused for them.

use crate::common::http::request;
use crate::common::serve::{decisions, Served};
use crate::common::{file_with, TestRepo};
use crate::core::fixture;

/// The fixture's independent topics, paused at the `rebase` review of the first.
const TOPICS: [&str; 3] = ["feat-a", "feat-b", "p"];

fn paused_at_review() -> TestRepo {
    let repo = fixture();
    let mut args = vec!["--onto", "main", "--pause-after", "rebase"];
    args.extend(TOPICS);
    repo.align_expect(&args, 3);
    repo
}

/// Waits until the state the server gives satisfies `done` (the run goes on behind it).
#[track_caller]
fn wait_for(
    served: &Served,
    what: &str,
    done: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let state = served.state();
        if done(&state) {
            return state;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "never {what}: {state:#}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

fn paused_at(state: &serde_json::Value, branch: &str) -> bool {
    state["state"] == "paused" && state["live"] == false && state["current"] == branch
}

#[test]
fn the_api_answers_only_its_own_page_with_the_token() {
    let repo = paused_at_review();
    let served = Served::start(&repo);
    let port = served.port;
    let own_host = format!("127.0.0.1:{port}");
    let own_origin = format!("http://localhost:{port}");
    let bearer = format!("Bearer {}", served.token);
    let wrong = format!("Bearer {}", "0".repeat(32));

    let page = request(port, "GET", "/", &[], None);
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("<script src=\"/app.js\""),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains(&served.token),
        "the page itself holds no token"
    );
    assert!(page
        .header("Content-Security-Policy")
        .unwrap()
        .contains("default-src 'none'"));
    assert_eq!(request(port, "GET", "/app.js", &[], None).status, 200);

    let status =
        |headers: &[(&str, &str)]| request(port, "GET", "/api/state", headers, None).status;
    assert_eq!(status(&[]), 401, "no token");
    assert_eq!(status(&[("Authorization", &wrong)]), 401, "a wrong token");
    assert_eq!(
        status(&[("Authorization", served.token.as_str())]),
        401,
        "not a bearer token"
    );
    assert_eq!(status(&[("Authorization", &bearer)]), 200);
    assert_eq!(
        status(&[("Authorization", &bearer), ("Host", "attacker.example:80")]),
        403,
        "DNS rebinding: another host name"
    );
    assert_eq!(
        status(&[
            ("Authorization", &bearer),
            ("Host", &own_host),
            ("Origin", "http://attacker.example")
        ]),
        403,
        "another site's page"
    );
    assert_eq!(
        status(&[("Authorization", &bearer), ("Origin", &own_origin)]),
        200
    );
    let before = (repo.refs(), repo.state_json());
    let forged = request(
        port,
        "POST",
        "/api/decision",
        &[
            ("Authorization", &bearer),
            ("Origin", "http://attacker.example"),
        ],
        Some(r#"{"decision":"cancel"}"#),
    );
    assert_eq!(forged.status, 403);
    let tokenless = request(
        port,
        "POST",
        "/api/decision",
        &[],
        Some(r#"{"decision":"cancel"}"#),
    );
    assert_eq!(tokenless.status, 401);
    assert_eq!(
        (repo.refs(), repo.state_json()),
        before,
        "a refused request changes nothing"
    );
    assert_eq!(request(port, "GET", "/nothing", &[], None).status, 404);
    assert_eq!(served.stop(), Some(0), "Ctrl-C stops the server");
}

#[test]
fn the_state_is_status_json_with_an_etag() {
    let repo = paused_at_review();
    let served = Served::start(&repo);
    let first = served.get("/api/state", &[]);
    assert_eq!(first.status, 200);
    let mut expected = repo.status_json();
    let mut given = first.json();
    for doc in [&mut expected, &mut given] {
        doc.as_object_mut().unwrap().remove("live");
    }
    assert_eq!(given, expected, "the same document as status --json");
    assert_eq!(first.json()["live"], false);
    let etag = first.header("ETag").expect("an ETag").to_string();
    let again = served.get("/api/state", &[("If-None-Match", &etag)]);
    assert_eq!(again.status, 304);
    assert_eq!(again.body, "");

    repo.align_expect(&["continue"], 3);
    let changed = served.get("/api/state", &[("If-None-Match", &etag)]);
    assert_eq!(changed.status, 200, "a new checkpoint is a new document");
    assert_ne!(changed.header("ETag").unwrap(), etag);
}

#[test]
fn decisions_through_the_api_do_what_the_command_line_does() {
    let repo = paused_at_review();
    let by_cli = repo.copy();
    let served = Served::start(&repo);

    let approved = served.decide(r#"{"decision":"approve"}"#);
    assert_eq!(approved.status, 200, "{}", approved.body);
    wait_for(&served, "paused at feat-b", |s| paused_at(s, "feat-b"));
    by_cli.align_expect(&["continue"], 3);

    let revised = served.decide(r#"{"decision":"revise","feedback":"keep b.txt short"}"#);
    assert_eq!(revised.status, 200, "{}", revised.body);
    let state = wait_for(&served, "revised", |s| {
        paused_at(s, "feat-b") && s["decisions"].as_array().unwrap().len() == 2
    });
    by_cli.align_expect(&["continue", "--revise", "keep b.txt short"], 3);

    let skipped = served.decide(r#"{"decision":"skip"}"#);
    assert_eq!(skipped.status, 200, "{}", skipped.body);
    let state_after_skip = wait_for(&served, "paused at p", |s| paused_at(s, "p"));
    by_cli.align_expect(&["skip"], 3);

    assert_eq!(repo.branches(), by_cli.branches(), "the same refs");
    assert_eq!(
        decisions(&state_after_skip),
        decisions(&by_cli.status_json())
    );
    assert_eq!(
        decisions(&state)[1],
        (
            "revise".into(),
            "rebase".into(),
            "feat-b".into(),
            "keep b.txt short".into()
        )
    );

    let before_run = fixture().branches();
    let cancelled = served.decide(r#"{"decision":"cancel"}"#);
    assert_eq!(cancelled.status, 200, "{}", cancelled.body);
    assert_eq!(cancelled.json()["state"], "cancelled");
    assert_eq!(repo.branches(), before_run, "cancel restores every branch");
    by_cli.align_expect(&["cancel"], 0);
    assert_eq!(decisions(&served.state()), decisions(&by_cli.status_json()));
    repo.assert_fsck();
}

#[test]
fn decisions_that_do_not_apply_are_refused_with_409_and_change_nothing() {
    let repo = TestRepo::new();
    repo.commit(&[("a.txt", &file_with(&[]))], "initial");
    repo.git(&["checkout", "-q", "-b", "topic"]);
    repo.commit(&[("a.txt", &file_with(&[(5, "topic")]))], "topic: five");
    repo.checkout("main");
    repo.commit(&[("a.txt", &file_with(&[(5, "main")]))], "main: five");
    let served = Served::start(&repo);

    let none = served.decide(r#"{"decision":"approve"}"#);
    assert_eq!(none.status, 409, "no run: {}", none.body);
    assert!(none.json()["error"]
        .as_str()
        .unwrap()
        .contains("no alignment run"));

    repo.align_expect(&["--onto", "main", "topic"], 3);
    let before = (repo.refs(), repo.state_json());
    let revise = served.decide(r#"{"decision":"revise","feedback":"try again"}"#);
    assert_eq!(revise.status, 409, "revise at a conflict: {}", revise.body);
    let unresolved = served.decide(r#"{"decision":"approve"}"#);
    assert_eq!(
        unresolved.status, 409,
        "the conflict is not resolved: {}",
        unresolved.body
    );
    for bad in [
        r#"{"decision":"revise"}"#,
        r#"{"decision":"revise","feedback":"   "}"#,
        r#"{"decision":"merge"}"#,
        "not json",
    ] {
        assert_eq!(served.decide(bad).status, 400, "{bad}");
    }
    assert_eq!((repo.refs(), repo.state_json()), before, "nothing changed");
    let skipped = served.decide(r#"{"decision":"skip"}"#);
    assert_eq!(skipped.status, 200, "{}", skipped.body);
    wait_for(&served, "finished", |s| {
        s["state"] == "finished" && s["live"] == false
    });
}

#[test]
fn a_command_from_elsewhere_never_runs_from_the_page() {
    let repo = paused_at_review();
    let marker = repo.tmp_dir().join("../ran");
    repo.align_expect(&["cancel"], 0);
    let check = format!("touch {}", marker.display());
    let mut args = vec![
        "--onto",
        "main",
        "--pause-after",
        "rebase",
        "--exec",
        &check,
    ];
    args.extend(TOPICS);
    repo.align_expect(&args, 3);
    // As if the run came from another machine: nobody here gave or confirmed the check.
    std::fs::remove_file(repo.path.join(".git/align/trusted-exec")).unwrap();
    let served = Served::start(&repo);
    let before = repo.state_json();
    for decision in ["approve", "skip"] {
        let refused = served.decide(&format!(r#"{{"decision":"{decision}"}}"#));
        assert_eq!(refused.status, 409, "{}", refused.body);
        let hint = refused.json()["hint"].as_str().unwrap().to_string();
        assert!(hint.contains("--trust-exec"), "{hint}");
    }
    assert!(!marker.exists(), "the command did not run");
    assert_eq!(repo.state_json(), before);
}

#[test]
fn open_hands_the_address_to_the_browser() {
    let repo = paused_at_review();
    let opened = repo.tmp_dir().join("../opened");
    let browser = repo.tmp_dir().join("../browser.sh");
    // The stand-in keeps the page it was given, then says where it was.
    let script = format!(
        "#!/bin/sh\ncat \"$1\" > {0}.page\necho \"$1\" > {0}\n",
        opened.display()
    );
    std::fs::write(&browser, script).unwrap();
    std::fs::set_permissions(
        &browser,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let browser_var = browser.display().to_string();
    let served = Served::start_with(&repo, &["serve", "--open"], &[("BROWSER", &browser_var)]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !std::fs::read_to_string(&opened).is_ok_and(|text| text.ends_with('\n')) {
        assert!(
            std::time::Instant::now() < deadline,
            "the browser was never opened"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let given = std::fs::read_to_string(&opened).unwrap();
    assert!(
        !given.contains("token"),
        "the token stays off command lines: {given}"
    );
    let page = std::fs::read_to_string(opened.with_extension("page")).unwrap();
    assert!(page.contains(&format!("url={}", served.address)), "{page}");
}

#[test]
fn ctrl_c_on_the_server_pauses_the_run_a_decision_started_at_a_safe_point() {
    let repo = TestRepo::generated(&crate::common::small_synth());
    let clean = repo.copy();
    clean.align_expect(&["--onto", "main"], 0);
    let child = crate::common::start_slow(&repo, &["--onto", "main"], 40);
    repo.align_expect(&["pause"], 0);
    crate::common::wait_for_exit(child, 3);
    assert_eq!(repo.status_json()["pause_reason"], "request");

    let served = Served::start_with(&repo, &["serve"], &[("GIT_ALIGN_TEST_DELAY_MS", "200")]);
    let approved = served.decide(r#"{"decision":"approve"}"#);
    assert_eq!(approved.status, 200, "{}", approved.body);
    assert_eq!(
        approved.json()["live"],
        true,
        "the run goes on behind the answer"
    );
    let busy = served.decide(r#"{"decision":"skip"}"#);
    assert_eq!(busy.status, 409, "one decision at a time: {}", busy.body);
    assert!(busy.json()["error"]
        .as_str()
        .unwrap()
        .contains("wait for its next pause"));
    assert_eq!(served.stop(), Some(0));

    let status = repo.status_json();
    assert_eq!(status["state"], "paused", "{status:#}");
    assert_eq!(status["pause_reason"], "signal");
    assert_eq!(status["live"], false);
    crate::common::assert_status_truthful(&repo);
    repo.align_expect(&["continue"], 0);
    assert_eq!(repo.branches(), clean.branches());
    repo.assert_fsck();
}

#[test]
fn a_port_in_use_is_one_clear_line() {
    let repo = paused_at_review();
    let taken = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = repo.align_expect(&["serve", "--port", &port], 1);
    assert!(
        out.starts_with(&format!("error: cannot listen on 127.0.0.1:{port}: ")),
        "{out}"
    );
    assert_eq!(
        out.lines().filter(|l| l.starts_with("error:")).count(),
        1,
        "{out}"
    );
}

#[test]
fn a_decision_on_a_pause_the_page_no_longer_shows_is_refused() {
    let repo = paused_at_review();
    let served = Served::start(&repo);
    let seen = served.state()["checkpoint"].as_str().unwrap().to_string();
    repo.align_expect(&["continue"], 3);
    let before = (repo.refs(), repo.state_json());
    let stale = served.decide(&format!(
        r#"{{"decision":"approve","checkpoint":"{seen}"}}"#
    ));
    assert_eq!(stale.status, 409, "{}", stale.body);
    assert!(stale.json()["error"].as_str().unwrap().contains("moved on"));
    assert_eq!((repo.refs(), repo.state_json()), before);
    let now = served.state()["checkpoint"].as_str().unwrap().to_string();
    let current = served.decide(&format!(r#"{{"decision":"skip","checkpoint":"{now}"}}"#));
    assert_eq!(current.status, 200, "{}", current.body);
}

#[test]
fn oversized_slow_and_broken_requests_do_not_hold_the_server() {
    use std::io::Write;
    let repo = paused_at_review();
    let served = Served::start(&repo);
    let port = served.port;
    let huge = request(
        port,
        "POST",
        "/api/decision",
        &[("Content-Length", "18446744073709551615")],
        None,
    );
    assert_eq!(huge.status, 413);
    let long_head = "x".repeat(20_000);
    let big_head = request(port, "GET", "/", &[("X-Filler", &long_head)], None);
    assert_eq!(big_head.status, 431);
    // A client that says it sends a body and then sends nothing: answered when its
    // time is up, while the next client waits at most that long.
    let mut silent = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    let head = format!(
        "POST /api/decision HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 2000\r\n\r\n"
    );
    silent.write_all(head.as_bytes()).unwrap();
    let started = std::time::Instant::now();
    assert_eq!(
        served.get("/api/state", &[]).status,
        200,
        "the server answers others"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(15));
    drop(silent);
    assert_eq!(served.stop(), Some(0));
}

#[test]
fn feedback_with_terminal_codes_is_kept_escaped_and_the_run_stays_readable() {
    let repo = paused_at_review();
    let served = Served::start(&repo);
    let revised = served.decide(r#"{"decision":"revise","feedback":"red \u001b[31m here\u0007"}"#);
    assert_eq!(revised.status, 200, "{}", revised.body);
    let state = wait_for(&served, "revised", |s| {
        paused_at(s, "feat-a") && s["decisions"].as_array().unwrap().len() == 1
    });
    let feedback = decisions(&state)[0].3.clone();
    assert!(!feedback.chars().any(|c| c.is_control()), "{feedback:?}");
    assert!(
        feedback.starts_with("red ") && feedback.contains("[31m here"),
        "{feedback:?}"
    );
    repo.align_expect(&["status"], 0);
    repo.align_expect(&["cancel"], 0);
}
