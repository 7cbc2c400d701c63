//! `corridor users …`: accounts of the web application, for the operator
//! who runs the server (first accounts, scripts, a lost admin password).
//!
//! Passwords and tokens are printed once and stored only as hashes. `users
//! token` prints only the token on standard output, so that a script can
//! capture it: `TOKEN=$(corridor users token bench --label bench)`.

use std::io::Write as _;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use corridor_domain::{
    AccountRequest, Organisation, Scope, UserRole, check_password, parse_token_label,
    parse_username,
};
use corridor_store::NewUser;
use corridor_web::{generate_password, generate_token, hash_password};

use crate::context::Context;
use crate::flags::users::{
    AddUserArgs, OrganisationsCommand, TokenArgs, UsernameArgs, UsersCommand,
};
use crate::output::table;

/// Sets the password of `users add` and `users reset-password` instead of
/// generating one.
pub const NEW_PASSWORD_VARIABLE: &str = "CORRIDOR_NEW_PASSWORD";

pub async fn run(context: &Context, command: &UsersCommand) -> anyhow::Result<ExitCode> {
    match command {
        UsersCommand::Add(args) => add(context, args).await,
        UsersCommand::List => list(context).await,
        UsersCommand::ResetPassword(args) => reset_password(context, args).await,
        UsersCommand::Token(args) => token(context, args).await,
    }
}

/// The password for `username` from the environment, checked against the
/// password policy, or a generated one (`true`).
fn new_password(username: &str) -> anyhow::Result<(String, bool)> {
    match std::env::var(NEW_PASSWORD_VARIABLE) {
        Ok(password) if !password.is_empty() => {
            check_password(&password, username).map_err(|invalid| {
                anyhow::anyhow!("{NEW_PASSWORD_VARIABLE}: the password {}", invalid.problem)
            })?;
            Ok((password, false))
        }
        _ => Ok((generate_password(username), true)),
    }
}

async fn add(context: &Context, args: &AddUserArgs) -> anyhow::Result<ExitCode> {
    let role = UserRole::parse(&args.role)?;
    let scope = args.scope.as_deref().map(Scope::parse).transpose()?;
    let request = AccountRequest::parse(
        &args.username,
        args.display_name.as_deref(),
        role,
        scope,
        args.organisation.as_deref(),
    )?;
    let (password, generated) = new_password(&request.username)?;
    let password_hash = hash_password(&password).map_err(anyhow::Error::msg)?;
    let user = context
        .store
        .create_user(
            &NewUser {
                username: request.username,
                display_name: request.display_name,
                role: request.role,
                scope: request.scope,
                organisation: request.organisation,
                password_hash,
            },
            context.now,
            &context.actor,
        )
        .await?;
    println!(
        "Created the account '{}' ({}, scope {}{}).",
        user.username,
        user.role.label(),
        user.scope,
        user.organisation
            .as_ref()
            .map(|o| format!(", {o}"))
            .unwrap_or_default()
    );
    if generated {
        println!(
            "Its password is {password}\nIt is shown only this once: give it to the user, who can change it under Account."
        );
    } else {
        println!("Its password is the one in {NEW_PASSWORD_VARIABLE}.");
    }
    Ok(ExitCode::SUCCESS)
}

async fn list(context: &Context) -> anyhow::Result<ExitCode> {
    let users = context.store.users().await?;
    if users.is_empty() {
        println!(
            "No account yet. Create one with `corridor users add`, or start `corridor serve` to create 'admin'."
        );
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = users
        .iter()
        .map(|user| {
            vec![
                user.username.clone(),
                user.role.as_str().to_string(),
                user.scope.as_str().to_string(),
                user.organisation
                    .as_ref()
                    .map_or_else(|| "-".to_string(), ToString::to_string),
                if user.active { "active" } else { "disabled" }.to_string(),
                user.failed_sign_ins.to_string(),
                user.locked_until
                    .filter(|until| *until > context.now)
                    .map_or_else(|| "-".to_string(), |until| until.to_string()),
                user.display_name.clone(),
            ]
        })
        .collect();
    print!(
        "{}",
        table(
            &[
                "USERNAME",
                "ROLE",
                "SCOPE",
                "ORGANISATION",
                "STATUS",
                "FAILED",
                "LOCKED UNTIL",
                "NAME"
            ],
            &rows,
            &[5],
        )
    );
    Ok(ExitCode::SUCCESS)
}

async fn existing(
    context: &Context,
    username: &str,
) -> anyhow::Result<corridor_store::UserAccount> {
    let username = parse_username(username)?;
    match context.store.user(&username).await? {
        Some(user) => Ok(user),
        None => bail!("no account named '{username}'; see `corridor users list`"),
    }
}

async fn reset_password(context: &Context, args: &UsernameArgs) -> anyhow::Result<ExitCode> {
    let user = existing(context, &args.username).await?;
    let (password, generated) = new_password(&user.username)?;
    let hash = hash_password(&password).map_err(anyhow::Error::msg)?;
    context
        .store
        .set_password_hash(&user.username, &hash, None, context.now, &context.actor)
        .await?;
    if generated {
        println!(
            "The new password of '{}' is {password}\nIt is shown only this once. The lock from failed sign-ins is cleared and the account's sessions are ended.",
            user.username
        );
    } else {
        println!(
            "The password of '{}' is now the one in {NEW_PASSWORD_VARIABLE}. The lock from failed sign-ins is cleared and the account's sessions are ended.",
            user.username
        );
    }
    Ok(ExitCode::SUCCESS)
}

async fn token(context: &Context, args: &TokenArgs) -> anyhow::Result<ExitCode> {
    let user = existing(context, &args.username).await?;
    let label = parse_token_label(&args.label)?;
    let (token, hash) = generate_token();
    let row = context
        .store
        .create_api_token(
            &user.username,
            label.as_str(),
            &hash,
            context.now,
            &context.actor,
        )
        .await?;
    // Only the token on standard output, for `TOKEN=$(corridor users token …)`.
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{token}").context("cannot write the token to standard output")?;
    eprintln!(
        "Created the API token {} for '{}' ({}). It is shown only this once; send it as 'Authorization: Bearer <token>'.",
        row.id, user.username, row.label
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn organisations(
    context: &Context,
    command: &OrganisationsCommand,
) -> anyhow::Result<ExitCode> {
    match command {
        OrganisationsCommand::Add(args) => {
            let organisation = Organisation::parse(&args.id, &args.name, &args.kind)?;
            context
                .store
                .add_organisation(&organisation, context.now, &context.actor)
                .await?;
            println!(
                "Added the organisation '{}' ({}, {}).",
                organisation.id,
                organisation.name,
                organisation.kind.label().to_lowercase()
            );
        }
        OrganisationsCommand::List => {
            let organisations = context.store.organisations().await?;
            if organisations.is_empty() {
                println!(
                    "No organisation yet. Add one with `corridor organisations add`, or load the demo."
                );
                return Ok(ExitCode::SUCCESS);
            }
            let rows: Vec<Vec<String>> = organisations
                .iter()
                .map(|organisation| {
                    vec![
                        organisation.id.to_string(),
                        organisation.kind.as_str().to_string(),
                        organisation.name.to_string(),
                    ]
                })
                .collect();
            print!("{}", table(&["ID", "KIND", "NAME"], &rows, &[]));
        }
    }
    Ok(ExitCode::SUCCESS)
}
