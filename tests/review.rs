//! Review content: at a `rebase` checkpoint, the branch's range-diff, as `git range-diff`
//! shows the same branch rebased by `git rebase`.

use crate::common::{file_with, TestRepo};

/// `main` and a stack `topic` <- `child`: of topic's three commits one is already on
/// main (dropped), one has its context changed by main (changed patch), one is
/// untouched; child has one commit of its own.
fn reviewed_stack() -> TestRepo {
    let repo = TestRepo::new();
    repo.commit(&[("a.txt", &file_with(&[]))], "initial");
    let fork = repo.rev("HEAD");
    repo.git(&["checkout", "-q", "-b", "topic", &fork]);
    repo.commit(&[("a.txt", &file_with(&[(2, "two")]))], "topic: two");
    repo.commit(
        &[("a.txt", &file_with(&[(2, "two"), (8, "eight")]))],
        "topic: eight",
    );
    repo.commit(&[("t.txt", "t\n")], "topic: add t.txt");
    repo.git(&["checkout", "-q", "-b", "child"]);
    repo.commit(&[("c.txt", "c\n")], "child: add c.txt");
    repo.checkout("main");
    repo.commit(&[("a.txt", &file_with(&[(2, "two")]))], "main: two");
    repo.commit(
        &[("a.txt", &file_with(&[(2, "two"), (10, "ten")]))],
        "main: ten",
    );
    repo
}

#[test]
fn status_at_a_rebase_checkpoint_shows_the_range_diff_git_shows() {
    let repo = reviewed_stack();
    let oracle = repo.copy();
    let (topic_before, child_before) = (repo.rev("topic"), repo.rev("child"));
    oracle.git(&["rebase", "-q", "--update-refs", "main", "child"]);
    let expected_topic = oracle.git_all(&[
        "range-diff",
        "--no-color",
        &format!("main..{topic_before}"),
        "main..topic",
    ]);
    let expected_child = oracle.git_all(&[
        "range-diff",
        "--no-color",
        &format!("{topic_before}..{child_before}"),
        "topic..child",
    ]);
    assert!(
        expected_topic.contains("<")
            && expected_topic.contains("!")
            && expected_topic.contains("="),
        "the fixture has a dropped, a changed and an unchanged commit:\n{expected_topic}"
    );

    repo.align_expect(&["--onto", "main", "--pause-after", "rebase"], 3);
    let status = repo.align_expect(&["status"], 0);
    assert_eq!(repo.status_json()["current"], "topic");
    assert!(
        status.contains(&expected_topic),
        "{status}\nwanted:\n{expected_topic}"
    );
    assert_eq!(
        repo.status_json()["branches"][0]["new"],
        oracle.rev("topic").as_str()
    );

    repo.align_expect(&["continue"], 3);
    let status = repo.align_expect(&["status"], 0);
    assert_eq!(repo.status_json()["current"], "child");
    assert!(
        status.contains(&expected_child),
        "{status}\nwanted:\n{expected_child}"
    );
    repo.align_expect(&["continue"], 0);
    assert_eq!(repo.branches(), oracle.branches());
}
