//! Flags of `corridor demo` and `corridor serve`.

use clap::Args;

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Seed of the generator: the same seed gives the same data set.
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
    /// Number of patients waiting in the generated list.
    #[arg(long, default_value_t = 20_000, value_name = "PATIENTS")]
    pub size: u32,
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "HOST:PORT")]
    pub address: std::net::SocketAddr,
    /// Load the generated demo data set first if the database holds nobody.
    #[arg(long)]
    pub demo: bool,
    /// Mark the session cookie Secure; use it when corridor is behind HTTPS.
    #[arg(long)]
    pub secure_cookies: bool,
    #[command(flatten)]
    pub demo_args: DemoArgs,
    /// How notices to parties leave: `log` (a log line without personal
    /// data; the call list is the channel), `rapidpro` or `webhook`.
    #[arg(
        long,
        env = "CORRIDOR_NOTICES_CHANNEL",
        default_value = "log",
        value_name = "CHANNEL"
    )]
    pub notices_channel: String,
    /// The gateway's address (http://, on the local network) for `rapidpro`
    /// and `webhook`.
    #[arg(long, env = "CORRIDOR_NOTICES_URL", value_name = "URL")]
    pub notices_url: Option<String>,
    /// The RapidPro API token.
    #[arg(
        long,
        env = "CORRIDOR_NOTICES_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub notices_token: Option<String>,
    /// The shared secret that signs webhook requests and the gateway's
    /// delivery reports (POST /api/v1/notices/delivery).
    #[arg(
        long,
        env = "CORRIDOR_NOTICES_SECRET",
        value_name = "SECRET",
        hide_env_values = true
    )]
    pub notices_secret: Option<String>,
}
