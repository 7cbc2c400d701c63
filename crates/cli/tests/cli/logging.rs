//! `corridor serve` logs one line per request on standard error, as text or
//! as JSON lines: the method, the route (never the path or the query
//! string, which may hold a name), the status, the latency and the user.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

use crate::cli::support::Registry;

/// A server started for one test, stopped when dropped.
struct Server {
    child: Child,
    address: String,
    /// Kept open: the server prints more after its address, and a closed
    /// pipe would stop it.
    _stdout: BufReader<std::process::ChildStdout>,
}

impl Server {
    fn start(registry: &Registry, env: &[(&str, &str)]) -> Server {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("corridor"))
            .args([
                "--database-url",
                registry.url(),
                "serve",
                "--address",
                "127.0.0.1:0",
            ])
            .env_remove("RUST_LOG")
            .env_remove("CORRIDOR_LOG_FORMAT")
            .env("CORRIDOR_ADMIN_PASSWORD", "a long test password")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start corridor serve");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut line = String::new();
        let address = loop {
            line.clear();
            if stdout.read_line(&mut line).expect("read stdout") == 0 {
                let _ = child.kill();
                panic!("corridor serve stopped before it served");
            }
            if let Some(rest) = line.split("at http://").nth(1) {
                break rest.split('/').next().unwrap_or_default().to_string();
            }
        };
        Server {
            child,
            address,
            _stdout: stdout,
        }
    }

    /// Sends one GET and returns the status line.
    fn get(&self, path: &str) -> String {
        let mut stream = TcpStream::connect(&self.address).expect("connect");
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.address
        )
        .expect("send");
        let mut answer = String::new();
        stream.read_to_string(&mut answer).expect("read");
        answer.lines().next().unwrap_or_default().to_string()
    }

    /// Stops the server and returns what it wrote on standard error.
    fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let mut stderr = String::new();
        if let Some(mut pipe) = self.child.stderr.take() {
            pipe.read_to_string(&mut stderr).expect("read stderr");
        }
        stderr
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn every_request_is_one_json_line_with_the_route_and_no_query() {
    let registry = Registry::new();
    let server = Server::start(&registry, &[("CORRIDOR_LOG_FORMAT", "json")]);
    let status = server.get("/api/v1/people/P-000001?name=Amal%20Haddad");
    assert!(status.contains("401"), "{status}");
    let status = server.get("/no-such-page?name=Amal");
    assert!(status.contains("404"), "{status}");
    let log = server.stop();

    assert!(!log.contains("Amal"), "a query string was logged:\n{log}");
    assert!(!log.contains("P-000001"), "a raw path was logged:\n{log}");
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|line| {
            serde_json::from_str(line).unwrap_or_else(|_| panic!("not a JSON line: {line}"))
        })
        .collect();
    let access: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|line| line["message"] == "request")
        .collect();
    assert_eq!(access.len(), 2, "{log}");
    let person = access[0];
    assert_eq!(person["route"], "/api/v1/people/{id}", "{person}");
    assert_eq!(person["method"], "GET");
    assert_eq!(person["status"], 401);
    assert_eq!(person["user"], "-");
    assert!(person["latency_ms"].is_u64(), "{person}");
    assert_eq!(person["level"], "INFO");
    assert_eq!(access[1]["route"], "(unmatched)", "{}", access[1]);
    assert_eq!(access[1]["status"], 404);
}

#[test]
fn text_lines_by_default_and_rust_log_chooses_what_is_logged() {
    let registry = Registry::new();
    let server = Server::start(&registry, &[]);
    server.get("/sign-in");
    let log = server.stop();
    let line = log
        .lines()
        .find(|line| line.contains("route=/sign-in"))
        .unwrap_or_else(|| panic!("no access line:\n{log}"));
    assert!(line.contains("INFO"), "{line}");
    assert!(line.contains("status=200"), "{line}");
    assert!(line.contains("method=GET"), "{line}");

    let server = Server::start(&registry, &[("RUST_LOG", "warn")]);
    server.get("/sign-in");
    let log = server.stop();
    assert!(!log.contains("route=/sign-in"), "RUST_LOG=warn:\n{log}");
}
