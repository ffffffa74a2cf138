//! Who may use the review page's API: a request that names this server as its host
//! (against DNS rebinding), comes from no other site's page (against cross-site
//! requests), and carries the page's token.

/// Why a request is turned away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// 403: the `Host` or `Origin` is not this server.
    Foreign,
    /// 401: no token, or not this server's.
    Unauthorized,
}

/// The checks of one server: its port and its token.
pub struct Guard {
    port: u16,
    token: String,
}

impl Guard {
    /// A guard for the server on 127.0.0.1:`port` with a fresh random token.
    pub fn new(port: u16) -> std::io::Result<Guard> {
        Ok(Guard {
            port,
            token: random_token()?,
        })
    }

    /// The token the page's address carries.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// Whether the `Host` (required) and `Origin` (when sent) headers name this server.
    pub fn same_site(&self, host: Option<&str>, origin: Option<&str>) -> Result<(), Refusal> {
        let ours = |authority: &str| {
            [
                format!("127.0.0.1:{}", self.port),
                format!("localhost:{}", self.port),
            ]
            .contains(&authority.to_ascii_lowercase())
        };
        if !host.is_some_and(ours) {
            return Err(Refusal::Foreign);
        }
        match origin {
            None => Ok(()),
            Some(origin) => match origin.strip_prefix("http://") {
                Some(authority) if ours(authority) => Ok(()),
                _ => Err(Refusal::Foreign),
            },
        }
    }

    /// Whether the `Authorization` header is `Bearer <this server's token>`.
    pub fn authorized(&self, authorization: Option<&str>) -> Result<(), Refusal> {
        let given = authorization
            .and_then(|value| value.strip_prefix("Bearer "))
            .unwrap_or("");
        match constant_time_eq(given.as_bytes(), self.token.as_bytes()) {
            true => Ok(()),
            false => Err(Refusal::Unauthorized),
        }
    }
}

/// 128 random bits from the kernel, in hex.
fn random_token() -> std::io::Result<String> {
    use std::io::Read;
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Equality whose time does not tell how much of the token a guess got right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard() -> Guard {
        Guard {
            port: 8123,
            token: "abc123".into(),
        }
    }

    #[test]
    fn only_this_server_is_same_site() {
        let g = guard();
        assert_eq!(g.same_site(Some("127.0.0.1:8123"), None), Ok(()));
        assert_eq!(
            g.same_site(Some("localhost:8123"), Some("http://localhost:8123")),
            Ok(())
        );
        assert_eq!(g.same_site(None, None), Err(Refusal::Foreign));
        assert_eq!(
            g.same_site(Some("evil.example:8123"), None),
            Err(Refusal::Foreign)
        );
        assert_eq!(
            g.same_site(Some("127.0.0.1:8124"), None),
            Err(Refusal::Foreign)
        );
        assert_eq!(
            g.same_site(Some("127.0.0.1:8123"), Some("http://evil.example")),
            Err(Refusal::Foreign)
        );
        assert_eq!(
            g.same_site(Some("127.0.0.1:8123"), Some("https://127.0.0.1:8123")),
            Err(Refusal::Foreign)
        );
        assert_eq!(
            g.same_site(Some("127.0.0.1:8123"), Some("null")),
            Err(Refusal::Foreign)
        );
    }

    #[test]
    fn only_the_token_authorizes() {
        let g = guard();
        assert_eq!(g.authorized(Some("Bearer abc123")), Ok(()));
        assert_eq!(
            g.authorized(Some("Bearer abc124")),
            Err(Refusal::Unauthorized)
        );
        assert_eq!(
            g.authorized(Some("Bearer abc1234")),
            Err(Refusal::Unauthorized)
        );
        assert_eq!(g.authorized(Some("abc123")), Err(Refusal::Unauthorized));
        assert_eq!(g.authorized(None), Err(Refusal::Unauthorized));
        assert_eq!(random_token().unwrap().len(), 32);
    }
}
