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

mod accessibility;
mod arabic;
mod calls;
mod clearance;
mod companions;
mod day_of_crossing;
mod details;
mod exports;
mod forms;
mod gate;
mod journeys;
mod plan;
mod returnees;
mod search;
mod standby;

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
    /// A smaller, older tablet held upright (768×1024).
    SmallTablet,
}

impl Screen {
    fn size(self) -> (u32, u32) {
        match self {
            Screen::Laptop => (1366, 900),
            Screen::Tablet => (800, 1280),
            Screen::SmallTablet => (768, 1024),
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

    /// The value the field named `name` holds now (for a select, the
    /// value of its chosen option).
    pub async fn value_of(&self, name: &str) -> String {
        self.find(Locator::Css(&format!("[name=\"{name}\"]")))
            .await
            .prop("value")
            .await
            .unwrap_or_else(|error| panic!("read the field {name}: {error}"))
            .unwrap_or_default()
    }

    /// Waits for the message shown beside the field `field` of a refused
    /// form, and checks that it says `text` and that the field is the one
    /// marked invalid and focused, in view.
    pub async fn see_refused_field(&self, field: &str, text: &str) {
        let message = self
            .find(Locator::Css(&format!("#error-{field}")))
            .await
            .text()
            .await
            .unwrap_or_default();
        assert!(
            message.contains(text),
            "beside {field}: expected {text:?}, shown {message:?}"
        );
        let focused = self
            .client
            .execute(
                "const field = document.activeElement; \
                 const box = field.getBoundingClientRect(); \
                 return [field.name || '', field.getAttribute('aria-invalid') || '', \
                         box.top >= 0 && box.bottom <= window.innerHeight];",
                vec![],
            )
            .await
            .unwrap_or_else(|error| panic!("read the focused field: {error}"));
        assert_eq!(
            focused,
            serde_json::json!([field, "true", true]),
            "the refused field {field} is focused, marked invalid and in view"
        );
    }

    /// How many elements the page has that match the CSS selector, now.
    pub async fn shown_elements(&self, selector: &str) -> usize {
        self.client
            .find_all(Locator::Css(selector))
            .await
            .map(|found| found.len())
            .unwrap_or_else(|error| panic!("look for {selector}: {error}"))
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

    /// Ticks the checkbox named `name`.
    pub async fn tick(&self, name: &str) {
        self.find(Locator::Css(&format!(
            "input[type=\"checkbox\"][name=\"{name}\"]"
        )))
        .await
        .click()
        .await
        .unwrap_or_else(|error| panic!("tick {name}: {error}"));
    }

    /// Chooses the file at `path` in the file input named `name`.
    pub async fn attach(&self, name: &str, path: &Path) {
        self.find(Locator::Css(&format!(
            "input[type=\"file\"][name=\"{name}\"]"
        )))
        .await
        .send_keys(&path.display().to_string())
        .await
        .unwrap_or_else(|error| panic!("choose {} in {name}: {error}", path.display()));
    }

    /// The value chosen in the select named `name`.
    pub async fn chosen(&self, name: &str) -> String {
        self.find(Locator::Css(&format!("select[name=\"{name}\"]")))
            .await
            .prop("value")
            .await
            .ok()
            .flatten()
            .unwrap_or_default()
    }

    /// Fetches `path` within the browser's session (as a download link
    /// would): its status, content type and text.
    pub async fn fetch(&self, path: &str) -> (u64, String, String) {
        let answer = self
            .client
            .execute(
                "return fetch(arguments[0]).then(r => r.text().then(t => [r.status, r.headers.get('content-type'), t]));",
                vec![path.into()],
            )
            .await
            .unwrap_or_else(|error| panic!("fetch {path}: {error}"));
        let status = answer[0].as_u64().unwrap_or_default();
        let text = |i: usize| answer[i].as_str().unwrap_or_default().to_string();
        (status, text(1), text(2))
    }

    /// Scrolls the first element matching the CSS selector to the top of
    /// the window (e.g. a chart below a long table, for its screenshot).
    pub async fn scroll_to(&self, selector: &str) {
        self.find(Locator::Css(selector)).await;
        self.client
            .execute(
                "document.querySelector(arguments[0]).scrollIntoView();",
                vec![serde_json::json!(selector)],
            )
            .await
            .unwrap_or_else(|error| panic!("scroll to {selector}: {error}"));
    }

    /// The page is no wider than the window: nothing to scroll sideways.
    /// A failure names the outermost elements that reach past the window.
    pub async fn fits_the_width(&self) {
        let found = self
            .client
            .execute(
                "const width = document.documentElement.clientWidth;
                 const past = [...document.body.querySelectorAll('*')]
                   .filter((e) => e.getBoundingClientRect().right > width + 1)
                   .filter((e) => !(e.parentElement && e.parentElement.getBoundingClientRect().right > width + 1));
                 return [document.documentElement.scrollWidth, width,
                   past.slice(0, 5).map((e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                     + (e.className && e.className.baseVal === undefined ? '.' + e.className : '')
                     + ' ' + Math.round(e.getBoundingClientRect().right) + 'px')];",
                vec![],
            )
            .await
            .unwrap_or_else(|error| panic!("read the page's width: {error}"));
        let (page, window) = (found[0].as_u64().unwrap(), found[1].as_u64().unwrap());
        assert!(
            page <= window,
            "the page is {page} px wide in a window of {window} px: it scrolls sideways; past the window: {}",
            found[2]
        );
    }

    /// The ids of the elements matching `selector` whose content reaches
    /// past their right edge (a button or a choice cut off).
    pub async fn overflowing(&self, selector: &str) -> Vec<String> {
        let found = self
            .client
            .execute(
                "return [...document.querySelectorAll(arguments[0])]
                   .filter((box) => [...box.querySelectorAll('*')].some((inner) =>
                     inner.getBoundingClientRect().right > box.getBoundingClientRect().right + 1))
                   .map((box) => box.id || box.className);",
                vec![serde_json::json!(selector)],
            )
            .await
            .unwrap_or_else(|error| panic!("measure {selector}: {error}"));
        found
            .as_array()
            .map(|all| {
                all.iter()
                    .map(|id| id.as_str().unwrap_or_default().to_string())
                    .collect()
            })
            .unwrap_or_default()
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

/// Steps on the gate's cards (see `gate.rs`).
impl Browser {
    /// The field `name` of the form with the button `button` in the gate
    /// card of the party of `person`.
    async fn card_field(
        &self,
        person: &str,
        button: &str,
        name: &str,
    ) -> fantoccini::elements::Element {
        self.find(Locator::XPath(&format!(
            "{}//form[.//button[normalize-space()={}]]//*[@name={}]",
            card_xpath(person),
            xpath_literal(button),
            xpath_literal(name)
        )))
        .await
    }

    /// Types into that field, after clearing it.
    pub async fn fill_in_card(&self, person: &str, button: &str, name: &str, text: &str) {
        let field = self.card_field(person, button, name).await;
        field
            .clear()
            .await
            .unwrap_or_else(|error| panic!("clear {name} in the card of {person}: {error}"));
        field
            .send_keys(text)
            .await
            .unwrap_or_else(|error| panic!("type into {name} in the card of {person}: {error}"));
    }

    /// What that field holds.
    pub async fn value_in_card(&self, person: &str, button: &str, name: &str) -> String {
        self.card_field(person, button, name)
            .await
            .prop("value")
            .await
            .unwrap_or_else(|error| panic!("read {name} in the card of {person}: {error}"))
            .unwrap_or_default()
    }

    /// Chooses the option `value` in the select `name` of the form with
    /// the button `button` in the gate card of the party of `person`.
    pub async fn choose_in_card(&self, person: &str, button: &str, name: &str, value: &str) {
        self.card_field(person, button, name)
            .await
            .select_by_value(value)
            .await
            .unwrap_or_else(|error| panic!("choose {value} in {name} of {person}'s card: {error}"));
    }

    /// Whether the element with the id `id` (a card, a person's row) is
    /// on the page, its top within the window, and whether the focus is
    /// in it.
    pub async fn place_of(&self, id: &str) -> (bool, bool, bool) {
        let script = "const element = document.getElementById(arguments[0]);\
            if (!element) { return [false, false, false]; }\
            const top = element.getBoundingClientRect().top;\
            return [true, top >= 0 && top < window.innerHeight, element.contains(document.activeElement)];";
        let answer = self
            .client
            .execute(script, vec![serde_json::json!(id)])
            .await
            .unwrap_or_else(|error| panic!("find #{id}: {error}"));
        let flag = |at: usize| answer[at].as_bool().unwrap_or(false);
        (flag(0), flag(1), flag(2))
    }

    /// Opens the part of the card whose summary reads `summary`.
    pub async fn open_in_card(&self, person: &str, summary: &str) {
        self.click(&format!(
            "{}//summary[normalize-space()={}]",
            card_xpath(person),
            xpath_literal(summary)
        ))
        .await;
    }

    /// Whether the card with the element id `party-<person>` is on the
    /// page, its top within the window, and whether the focus is in it.
    pub async fn card_place(&self, person: &str) -> (bool, bool, bool) {
        let script = "const card = document.getElementById(arguments[0]);\
            if (!card) { return [false, false, false]; }\
            const top = card.getBoundingClientRect().top;\
            return [true, top >= 0 && top < window.innerHeight, card.contains(document.activeElement)];";
        let answer = self
            .client
            .execute(script, vec![serde_json::json!(format!("party-{person}"))])
            .await
            .unwrap_or_else(|error| panic!("find the card of {person}: {error}"));
        let flag = |at: usize| answer[at].as_bool().unwrap_or(false);
        (flag(0), flag(1), flag(2))
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
