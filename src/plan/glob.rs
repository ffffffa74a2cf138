//! Shell-style globs for branch selection.

/// Shell-style glob: `*` matches any run of characters (`/` included), `?` one character,
/// `[abc]` one of a set.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    glob_at(&p, &t)
}

fn glob_at(p: &[char], t: &[char]) -> bool {
    match p.first() {
        None => t.is_empty(),
        Some('*') => (0..=t.len()).any(|i| glob_at(&p[1..], &t[i..])),
        Some('?') => !t.is_empty() && glob_at(&p[1..], &t[1..]),
        Some('[') => match p.iter().position(|c| *c == ']') {
            Some(end) if !t.is_empty() => {
                p[1..end].contains(&t[0]) && glob_at(&p[end + 1..], &t[1..])
            }
            _ => false,
        },
        Some(c) => t.first() == Some(c) && glob_at(&p[1..], &t[1..]),
    }
}
