//! `corridor serve`: the web application.

use std::process::ExitCode;

use anyhow::{Context as _, bail};
use corridor_domain::{Scope, UserRole};
use corridor_store::NewUser;
use corridor_web::notices::{Gateway, NoticeSender};
use corridor_web::{AppState, Clock, Config, Server, generate_password, hash_password};

use crate::commands::demo;
use crate::context::Context;
use crate::flags::serve::ServeArgs;

/// The first account's name.
const FIRST_ADMIN: &str = "admin";
/// How long the sender waits for a gateway's answer.
const NOTICES_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);
/// Sets the first admin's password instead of generating one.
const ADMIN_PASSWORD_VARIABLE: &str = "CORRIDOR_ADMIN_PASSWORD";

pub async fn run(context: &Context, args: &ServeArgs) -> anyhow::Result<ExitCode> {
    // The sender's settings are checked before anything is loaded.
    let gateway = Gateway::from_settings(
        &args.notices_channel,
        args.notices_url.as_deref(),
        args.notices_token.as_deref(),
        args.notices_secret.as_deref(),
    )
    .map_err(anyhow::Error::msg)?;
    let channel = gateway.channel();
    if args.demo {
        demo::load(context, &args.demo_args).await?;
    }
    let first_password = create_first_admin(context).await?;
    let state = AppState {
        store: context.store.clone(),
        clock: Clock {
            fixed_today: context.fixed_today,
        },
        forecasts: Default::default(),
        secure_cookies: args.secure_cookies,
        notices_secret: args
            .notices_secret
            .as_deref()
            .map(str::trim)
            .filter(|secret| !secret.is_empty())
            .map(str::to_string),
    };
    let server = Server::bind(
        &Config {
            address: args.address,
        },
        state,
    )
    .await
    .with_context(|| {
        format!(
            "cannot listen on {}; is another program using the port? Choose another with --address",
            args.address
        )
    })?
    .with_notices(NoticeSender::new(gateway, NOTICES_TIMEOUT));
    let address = server.address()?;
    println!(
        "corridor is serving {} at http://{address}/ — open it in a browser. Stop with Ctrl-C.",
        corridor_store::redact(&context.database_url)
    );
    println!(
        "Notices to parties leave through the {channel} channel{}.",
        if channel == corridor_domain::NoticeChannel::Log {
            " (a log line each; the call list is how parties are reached)"
        } else {
            ""
        }
    );
    match first_password {
        Some(FirstPassword::Generated(password)) => println!(
            "First run: sign in as '{FIRST_ADMIN}' with the password {password}\n\
             It is shown only this once. Create accounts for your team under Users."
        ),
        Some(FirstPassword::FromEnvironment) => println!(
            "First run: sign in as '{FIRST_ADMIN}' with the password from {ADMIN_PASSWORD_VARIABLE}."
        ),
        None => {}
    }
    server.run().await.context("the server stopped")?;
    Ok(ExitCode::SUCCESS)
}

enum FirstPassword {
    Generated(String),
    FromEnvironment,
}

/// Creates the account `admin` when the database has no account at all.
async fn create_first_admin(context: &Context) -> anyhow::Result<Option<FirstPassword>> {
    if context.store.count_users().await? > 0 {
        return Ok(None);
    }
    let (password, first) = match std::env::var(ADMIN_PASSWORD_VARIABLE) {
        Ok(password) if !password.trim().is_empty() => {
            if let Err(invalid) = corridor_domain::check_password(&password, FIRST_ADMIN) {
                bail!(
                    "{ADMIN_PASSWORD_VARIABLE}: the password {}",
                    invalid.problem
                );
            }
            (password, FirstPassword::FromEnvironment)
        }
        _ => {
            let password = generate_password(FIRST_ADMIN);
            (password.clone(), FirstPassword::Generated(password))
        }
    };
    let password_hash = hash_password(&password).map_err(anyhow::Error::msg)?;
    context
        .store
        .create_user(
            &NewUser {
                username: FIRST_ADMIN.to_string(),
                display_name: "Administrator".to_string(),
                role: UserRole::Admin,
                scope: Scope::All,
                organisation: None,
                password_hash,
            },
            context.now,
            &context.actor,
        )
        .await?;
    Ok(Some(first))
}
