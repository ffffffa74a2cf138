//! The review page in a real browser (headless Chromium through ChromeDriver): approve
//! (with the keyboard), revise with feedback, skip, and cancel after a confirmation,
//! each checked in the repository's refs and recorded decisions.

use serde_json::json;

use crate::common::serve::{decisions, Served};
use crate::common::webdriver::{Browser, ENTER};
use crate::common::{have_tool, TestRepo};
use crate::core::fixture;

/// Where the README's picture of the card is kept.
const SCREENSHOT: &str = "docs/review-card.png";

/// The fixture's topics, paused at the `rebase` review of the first.
fn paused_at_review() -> TestRepo {
    let repo = fixture();
    repo.align_expect(
        &[
            "--onto",
            "main",
            "--pause-after",
            "rebase",
            "feat-a",
            "feat-b",
            "p",
        ],
        3,
    );
    repo
}

/// A script that is true once the card shows a pause of `branch` with `decisions`
/// decisions listed.
fn card_of(branch: &str, decisions: usize) -> String {
    format!(
        "const card = document.getElementById('card'); \
         return !card.hidden && card.dataset.branch === '{branch}' \
           && !document.getElementById('approve').disabled \
           && document.querySelectorAll('#decisions li').length === {decisions};"
    )
}

fn decision(
    what: &str,
    step: &str,
    branch: &str,
    feedback: &str,
) -> (String, String, String, String) {
    (what.into(), step.into(), branch.into(), feedback.into())
}

#[test]
fn a_person_approves_revises_skips_and_cancels_in_the_page() {
    if !have_tool("chromedriver", "chromium-driver") {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI installs chromium-driver"
        );
        return;
    }
    let repo = paused_at_review();
    let before_run = fixture().branches();
    let oracle = repo.copy();
    oracle.git(&["rebase", "-q", "main", "feat-a"]);
    let served = Served::start(&repo);
    let browser = Browser::start();
    browser.go(&served.address);

    // The card: what paused, the range-diff, how long ago; the token left the address.
    browser.wait_until("the card of feat-a", &card_of("feat-a", 0));
    assert_eq!(
        browser.find("#card-title").text(),
        "Review: rebase of feat-a"
    );
    let content = browser.find("#card-content").text();
    assert!(
        content.contains("feat-a:") && content.contains(" = "),
        "{content}"
    );
    assert_eq!(browser.find("#card-when").text(), "paused just now");
    let address = browser.script("return location.href", json!([]));
    assert!(!address.as_str().unwrap().contains("token"), "{address}");
    let row = browser.find("#branches tr[data-branch='feat-a']").text();
    assert!(row.contains("current"), "{row}");
    let screenshot = browser.screenshot();
    assert_eq!(&screenshot[..8], b"\x89PNG\r\n\x1a\n");
    if std::env::var_os("GIT_ALIGN_UPDATE_GENERATED").is_some() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(SCREENSHOT);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, &screenshot).unwrap();
    }

    // Readable in light and dark.
    let background = "return getComputedStyle(document.body).backgroundColor";
    assert_eq!(browser.script(background, json!([])), "rgb(255, 255, 255)");
    browser.prefer_color_scheme("dark");
    assert_eq!(browser.script(background, json!([])), "rgb(13, 17, 23)");
    browser.prefer_color_scheme("light");

    // Approve, with the keyboard.
    browser.find("#approve").type_text(ENTER);
    browser.wait_until("the card of feat-b", &card_of("feat-b", 1));
    assert_eq!(
        repo.rev("feat-a"),
        oracle.rev("feat-a"),
        "feat-a moved as git rebase moves it"
    );
    assert_eq!(
        decisions(&repo.status_json()),
        [decision("approve", "rebase", "feat-a", "")]
    );

    // Revise with feedback: the step is done again, the branch not moved yet.
    browser.find("#revise").click();
    browser.find("#feedback").type_text("keep b.txt as it is");
    browser.find("#send-revise").click();
    browser.wait_until("the revised card of feat-b", &card_of("feat-b", 2));
    assert_eq!(
        decisions(&repo.status_json())[1],
        decision("revise", "rebase", "feat-b", "keep b.txt as it is")
    );
    assert_eq!(repo.rev("feat-b"), before_run["feat-b"]);

    // Skip: feat-b stays where it was.
    browser.find("#skip").click();
    browser.wait_until("the card of p", &card_of("p", 3));
    assert_eq!(repo.rev("feat-b"), before_run["feat-b"]);
    assert_eq!(repo.status_json()["branches"][1]["status"], "skipped");
    assert_eq!(
        decisions(&repo.status_json())[2],
        decision("skip", "rebase", "feat-b", "")
    );

    // Cancel asks first: keeping the run changes nothing.
    browser.find("#cancel").click();
    assert_eq!(
        browser.script(
            "return document.getElementById('confirm-cancel').open",
            json!([])
        ),
        true
    );
    browser.find("#confirm-no").click();
    assert_eq!(
        browser.script(
            "return document.getElementById('confirm-cancel').open",
            json!([])
        ),
        false
    );
    assert_eq!(repo.status_json()["state"], "paused");
    assert_eq!(decisions(&repo.status_json()).len(), 3);

    browser.find("#cancel").click();
    browser.find("#confirm-yes").click();
    browser.wait_until(
        "the cancelled run",
        "return document.getElementById('run').textContent.endsWith(': cancelled') \
           && document.getElementById('card').hidden \
           && document.getElementById('polling').textContent.includes('not polling')",
    );
    assert_eq!(repo.branches(), before_run, "every branch is back");
    assert_eq!(
        decisions(&repo.status_json())[3],
        decision("cancel", "rebase", "p", "")
    );
    repo.assert_fsck();
    assert_eq!(served.stop(), Some(0));
}
