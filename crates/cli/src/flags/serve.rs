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
}
