//! Journeys through the screens in a real browser: headless Chromium
//! driven over WebDriver by Debian's chromedriver, against the real HTTP
//! server on a free port, on SQLite and (when CORRIDOR_TEST_POSTGRES_URL is
//! set) PostgreSQL.
//!
//! Nothing is downloaded: the test uses `/usr/bin/chromium` and
//! `/usr/bin/chromedriver` (`apt-get install chromium chromium-driver`, as
//! `.ci/run` does) and fails, saying so, when they are missing.
//!
//! Every screen visited is saved as a PNG to
//! `<target dir>/e2e-screenshots/<journey>-<backend>/<step>.png`
//! (e.g. `target/e2e-screenshots/coordinator-sqlite/03-waiting-list.png`).
//!
//! To add a step to a journey: act with `visit`, `click_link`,
//! `click_button`, `fill`, `select`; check what the user sees with `see`,
//! `heading_is`, `column`; then `screenshot("NN-what")`.

mod journeys;
mod plan;

use std::net::{SocketAddr, TcpListener};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use corridor_web::{Config, Server};
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use tokio::task::JoinHandle;

use crate::harness::{PASSWORD, TestApp};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// How long a page may take to show what a step expects.
const PATIENCE: Duration = Duration::from_secs(10);

/// The screen the browser window has, in CSS pixels.
#[derive(Clone, Copy)]
pub enum Screen {
    /// A coordinator's or analyst's laptop.
    Laptop,
    /// The tablet at the gate, held upright.
    Tablet,
}

impl Screen {
    fn size(self) -> (u32, u32) {
        match self {
            Screen::Laptop => (1366, 900),
            Screen::Tablet => (800, 1280),
        }
    }
}

/// Runs one journey against the app's real server in a fresh browser
/// session, and closes the session, the browser, chromedriver and the
/// server whatever happens — then reports the journey's failure, if any.
pub async fn journey<F, Fut>(app: &TestApp, name: &str, screen: Screen, steps: F)
where
    F: FnOnce(Browser) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let server = RunningServer::start(app).await;
    let folder = screenshots_folder(&format!("{name}-{}", app.backend.to_lowercase()));
    let driver = ChromeDriver::start(&folder.join("chromedriver.log"));
    let browser = Browser::open(&driver, server.address, screen, folder).await;
    let session = browser.client.clone();
    // In its own task, so that a failed assertion still lets us close the
    // browser session before reporting it.
    let outcome = tokio::spawn(steps(browser)).await;
    let _ = session.close().await;
    drop(driver);
    drop(server);
    if let Err(failure) = outcome {
        match failure.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(error) => panic!("the {name} journey did not finish: {error}"),
        }
    }
}

/// `<target dir>/e2e-screenshots/<name>/`, emptied.
fn screenshots_folder(name: &str) -> PathBuf {
    let folder = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("the target directory")
        .join("e2e-screenshots")
        .join(name);
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).expect("create the screenshots folder");
    folder
}

/// The corridor server on a free port of 127.0.0.1, stopped when dropped.
struct RunningServer {
    address: SocketAddr,
    task: JoinHandle<std::io::Result<()>>,
}

impl RunningServer {
    async fn start(app: &TestApp) -> RunningServer {
        let config = Config {
            address: "127.0.0.1:0".parse().unwrap(),
        };
        let server = Server::bind(&config, app.state.clone()).await.unwrap();
        let address = server.address().unwrap();
        RunningServer {
            address,
            task: tokio::spawn(server.run()),
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// chromedriver on a free port, in its own process group with the Chromium
/// it starts; the whole group is killed when this is dropped.
struct ChromeDriver {
    process: Child,
    url: String,
}

impl ChromeDriver {
    fn start(log: &Path) -> ChromeDriver {
        for program in [CHROMIUM, CHROMEDRIVER] {
            assert!(
                Path::new(program).exists(),
                "{program} is not installed; the browser tests drive Chromium through chromedriver. \
                 .ci/run installs them (apt-get install chromium chromium-driver)"
            );
        }
        let port = free_port();
        let process = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", log.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("start chromedriver");
        let driver = ChromeDriver {
            process,
            url: format!("http://127.0.0.1:{port}"),
        };
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < PATIENCE,
                "chromedriver did not listen on port {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        driver
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        // The group of chromedriver (its id) holds the browser it started.
        let _ = Command::new("kill")
            .args(["-s", "KILL", "--", &format!("-{}", self.process.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port")
}

/// A browser session on the corridor server, with the steps a user takes.
/// Each step fails the test with what was expected and where the browser was.
pub struct Browser {
    client: Client,
    base: String,
    screenshots: PathBuf,
}

impl Browser {
    async fn open(
        driver: &ChromeDriver,
        server: SocketAddr,
        screen: Screen,
        screenshots: PathBuf,
    ) -> Browser {
        let (width, height) = screen.size();
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".to_string(),
            serde_json::json!({
                "binary": CHROMIUM,
                "args": [
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--hide-scrollbars",
                    format!("--window-size={width},{height}"),
                ],
            }),
        );
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&driver.url)
            .await
            .expect("a Chromium session from chromedriver");
        Browser {
            client,
            base: format!("http://{server}"),
            screenshots,
        }
    }

    /// Opens a path of the application, like typing it in the address bar.
    pub async fn visit(&self, path: &str) {
        let url = format!("{}{path}", self.base);
        self.client
            .goto(&url)
            .await
            .unwrap_or_else(|error| panic!("open {url}: {error}"));
    }

    /// Signs in through the form as the account `username` (the harness's
    /// password), and waits for the signed-in page.
    pub async fn sign_in(&self, username: &str) {
        self.visit("/sign-in").await;
        self.fill("username", username).await;
        self.fill("password", PASSWORD).await;
        self.click_button("Sign in").await;
        self.see("Sign out").await;
    }

    /// Types into the input or text area named `name`, after clearing it.
    pub async fn fill(&self, name: &str, text: &str) {
        let field = self.find(Locator::Css(&format!("[name=\"{name}\"]"))).await;
        field
            .clear()
            .await
            .unwrap_or_else(|error| panic!("clear the field {name}: {error}"));
        field
            .send_keys(text)
            .await
            .unwrap_or_else(|error| panic!("type into the field {name}: {error}"));
    }

    /// Chooses the option with this value in the select named `name`.
    pub async fn select(&self, name: &str, value: &str) {
        self.find(Locator::Css(&format!("select[name=\"{name}\"]")))
            .await
            .select_by_value(value)
            .await
            .unwrap_or_else(|error| panic!("choose {value} in {name}: {error}"));
    }

    /// Clicks the button labelled `label` (and waits for the next page).
    pub async fn click_button(&self, label: &str) {
        self.click(&format!(
            "//button[normalize-space()={}]",
            xpath_literal(label)
        ))
        .await;
    }

    /// Clicks the link labelled `label` (and waits for the next page).
    pub async fn click_link(&self, label: &str) {
        self.click(&format!("//a[normalize-space()={}]", xpath_literal(label)))
            .await;
    }

    async fn click(&self, xpath: &str) {
        self.find(Locator::XPath(xpath))
            .await
            .click()
            .await
            .unwrap_or_else(|error| panic!("click {xpath}: {error}"));
    }

    /// Waits until the page shows `text` (in its visible text).
    pub async fn see(&self, text: &str) {
        let started = Instant::now();
        loop {
            let shown = self.visible_text().await;
            if shown.contains(text) {
                return;
            }
            if started.elapsed() > PATIENCE {
                let url = self.client.current_url().await.map(|u| u.to_string());
                panic!("expected to see {text:?} on {url:?}, the page shows:\n{shown}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the address of the page contains `part`.
    pub async fn url_contains(&self, part: &str) {
        let started = Instant::now();
        loop {
            let url = self
                .client
                .current_url()
                .await
                .map(|url| url.to_string())
                .unwrap_or_default();
            if url.contains(part) {
                return;
            }
            if started.elapsed() > PATIENCE {
                panic!("expected an address with {part:?}, the browser is at {url:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the page's heading (`h1`) is `title`.
    pub async fn heading_is(&self, title: &str) {
        let started = Instant::now();
        loop {
            let heading = match self.client.find(Locator::Css("h1")).await {
                Ok(h1) => h1.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if heading == title {
                return;
            }
            if started.elapsed() > PATIENCE {
                panic!("expected the heading {title:?}, the page has {heading:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The visible texts of column `column` (from 1) of the table body
    /// matched by the CSS selector `table`.
    pub async fn column(&self, table: &str, column: usize) -> Vec<String> {
        let cells = self
            .client
            .find_all(Locator::Css(&format!(
                "{table} tbody tr td:nth-child({column})"
            )))
            .await
            .unwrap_or_else(|error| panic!("read column {column} of {table}: {error}"));
        let mut texts = Vec::with_capacity(cells.len());
        for cell in cells {
            texts.push(cell.text().await.unwrap_or_default().trim().to_string());
        }
        texts
    }

    /// Sets a date input (typing into one depends on the browser's locale).
    pub async fn set_date(&self, name: &str, date: &str) {
        self.find(Locator::Css(&format!("input[name=\"{name}\"]")))
            .await;
        self.client
            .execute(
                "document.querySelector('input[name=\"' + arguments[0] + '\"]').value = arguments[1];",
                vec![name.into(), date.into()],
            )
            .await
            .unwrap_or_else(|error| panic!("set the date {name}: {error}"));
    }

    /// The page's heading (`h1`).
    pub async fn heading(&self) -> String {
        self.find(Locator::Css("h1"))
            .await
            .text()
            .await
            .unwrap_or_default()
    }

    /// The number shown in the dashboard card whose label is `label`.
    pub async fn figure(&self, label: &str) -> u64 {
        let card = self
            .find(Locator::XPath(&format!(
                "//div[contains(@class, 'card')][contains(normalize-space(), {})]",
                xpath_literal(label)
            )))
            .await;
        let text = card.text().await.unwrap_or_default();
        let digits: String = text
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        digits
            .parse()
            .unwrap_or_else(|_| panic!("a number in the card {label:?}: {text:?}"))
    }

    /// Clicks the button `label` on the gate card of the party of `person`.
    pub async fn click_button_in_card(&self, person: &str, label: &str) {
        self.click(&format!(
            "{}//button[normalize-space()={}]",
            card_xpath(person),
            xpath_literal(label)
        ))
        .await;
    }

    /// Waits until the gate card of the party of `person` shows `text`.
    pub async fn see_in_card(&self, person: &str, text: &str) {
        let started = Instant::now();
        loop {
            let shown = match self.client.find(Locator::XPath(&card_xpath(person))).await {
                Ok(card) => card.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if shown.contains(text) {
                return;
            }
            if started.elapsed() > PATIENCE {
                panic!("expected the card of {person} to show {text:?}, it shows:\n{shown}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Sets the window to another screen size.
    pub async fn resize(&self, screen: Screen) {
        let (width, height) = screen.size();
        self.client
            .set_window_size(width, height)
            .await
            .unwrap_or_else(|error| panic!("resize the window: {error}"));
    }

    /// Saves what the window shows to `<screenshots>/<step>.png`.
    pub async fn screenshot(&self, step: &str) {
        let png = self
            .client
            .screenshot()
            .await
            .unwrap_or_else(|error| panic!("screenshot {step}: {error}"));
        assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
        let path = self.screenshots.join(format!("{step}.png"));
        std::fs::write(&path, png)
            .unwrap_or_else(|error| panic!("write {}: {error}", path.display()));
    }

    async fn visible_text(&self) -> String {
        match self.client.find(Locator::Css("body")).await {
            Ok(body) => body.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    async fn find(&self, locator: Locator<'_>) -> fantoccini::elements::Element {
        let started = Instant::now();
        loop {
            match self.client.find(locator).await {
                Ok(element) => return element,
                Err(error) if started.elapsed() > PATIENCE => {
                    let url = self.client.current_url().await.map(|u| u.to_string());
                    panic!("expected {locator:?} on {url:?}: {error}");
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }
}

/// The gate card of the party whose head is `person`.
fn card_xpath(person: &str) -> String {
    format!(
        "//section[contains(@class, 'party-card')][.//span[normalize-space()={}]]",
        xpath_literal(person)
    )
}

/// `text` as an XPath string literal (labels have no double quotes).
fn xpath_literal(text: &str) -> String {
    assert!(!text.contains('"'), "a label without double quotes: {text}");
    format!("\"{text}\"")
}
