//! Just enough HTTP/1.1 for the review page, over std's TCP listener: one request per
//! connection, handled one at a time, each bounded in size (head, body) and in time, so
//! that a client (with or without the token) can neither exhaust memory nor hold the
//! server. (tiny_http, considered first, drains a declared body with a buffer of the
//! declared size on the serving thread: one request could stop the server.)

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

/// The largest request head read.
const MOST_HEAD_BYTES: usize = 16 << 10;
/// The largest request body read.
pub const MOST_BODY_BYTES: usize = 64 << 10;
/// How long a client has to send its request.
const REQUEST_TIME: Duration = Duration::from_secs(5);

/// A request read whole.
pub struct Request {
    pub method: String,
    /// The path, without a query.
    pub path: String,
    headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    /// A header's value, by name in any case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A response: status, headers, body.
pub struct Response {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

/// The listening socket.
pub struct Listener {
    listener: TcpListener,
}

impl Listener {
    /// Listens on 127.0.0.1:`port` (0: a free port).
    pub fn bind(port: u16) -> io::Result<Listener> {
        let listener = TcpListener::bind(("127.0.0.1", port))?;
        listener.set_nonblocking(true)?;
        Ok(Listener { listener })
    }

    /// The port it listens on.
    pub fn port(&self) -> io::Result<u16> {
        Ok(self.listener.local_addr()?.port())
    }

    /// The next connection, waiting at most `wait`.
    pub fn accept(&self, wait: Duration) -> io::Result<Option<TcpStream>> {
        match self.listener.accept() {
            Ok((stream, _)) => {
                stream.set_nonblocking(false)?;
                Ok(Some(stream))
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                std::thread::sleep(wait);
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }
}

/// Reads a request from `stream`; an answer to send instead when it is not one this
/// server takes (too large, too slow, malformed).
pub fn read_request(stream: &mut TcpStream) -> Result<Request, Response> {
    let deadline = Instant::now() + REQUEST_TIME;
    let mut raw = Vec::new();
    let head_end = loop {
        let end = raw.windows(4).position(|w| w == b"\r\n\r\n");
        if end.unwrap_or(raw.len()) > MOST_HEAD_BYTES {
            return Err(plain(431, "request head too large"));
        }
        if let Some(end) = end {
            break end;
        }
        read_some(stream, &mut raw, deadline)?;
    };
    let head = std::str::from_utf8(&raw[..head_end]).map_err(|_| plain(400, "bad request"))?;
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or("").split(' ');
    let (Some(method), Some(target)) = (first.next(), first.next()) else {
        return Err(plain(400, "bad request"));
    };
    let mut headers = Vec::new();
    for line in lines {
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| plain(400, "bad header"))?;
        headers.push((name.trim().to_string(), value.trim().to_string()));
    }
    let mut request = Request {
        method: method.to_string(),
        path: target.split('?').next().unwrap_or("").to_string(),
        headers,
        body: Vec::new(),
    };
    if request.header("Transfer-Encoding").is_some() {
        return Err(plain(411, "a body needs a Content-Length"));
    }
    let length = match request.header("Content-Length") {
        None => 0,
        Some(text) => text
            .parse::<usize>()
            .map_err(|_| plain(400, "bad length"))?,
    };
    if length > MOST_BODY_BYTES {
        return Err(plain(413, "request body too large"));
    }
    let mut body = raw.split_off(head_end + 4);
    while body.len() < length {
        read_some(stream, &mut body, deadline)?;
    }
    body.truncate(length);
    request.body = body;
    Ok(request)
}

/// Reads what has arrived, before `deadline`.
fn read_some(
    stream: &mut TcpStream,
    into: &mut Vec<u8>,
    deadline: Instant,
) -> Result<(), Response> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
        return Err(plain(408, "request timeout"));
    }
    let mut buf = [0u8; 8192];
    match stream.read(&mut buf) {
        Ok(0) => Err(plain(400, "the request ended early")),
        Ok(n) => {
            into.extend_from_slice(&buf[..n]);
            Ok(())
        }
        Err(_) => Err(plain(408, "request timeout")),
    }
}

/// Sends `response` and closes the connection (a client that went away needs none).
pub fn send(mut stream: TcpStream, response: &Response) {
    let _ = stream.set_write_timeout(Some(REQUEST_TIME));
    let mut head = format!(
        "HTTP/1.1 {} {}\r\n",
        response.status,
        reason(response.status)
    );
    for (name, value) in &response.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        response.body.len()
    ));
    let _ = stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(&response.body));
    let _ = stream.shutdown(std::net::Shutdown::Both);
}

/// A text answer for a request this server does not take.
fn plain(status: u16, message: &str) -> Response {
    Response {
        status,
        headers: vec![("Content-Type", "text/plain; charset=utf-8".into())],
        body: format!("{message}\n").into_bytes(),
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        411 => "Length Required",
        413 => "Content Too Large",
        431 => "Request Header Fields Too Large",
        _ => "Internal Server Error",
    }
}
