//! `corridor users …`: accounts of the web application, for the operator
//! who runs the server (first accounts, scripts, a lost admin password).
//!
//! Passwords and tokens are printed once and stored only as hashes. `users
//! token` prints only the token on standard output, so that a script can
//! capture it: `TOKEN=$(corridor users token bench --label bench)`.

use std::io::Write as _;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use clap::{Args, Subcommand};
use corridor_domain::{
    AccountRequest, Organisation, Scope, UserRole, check_password, parse_token_label,
    parse_username,
};
use corridor_store::NewUser;
use corridor_web::{generate_password, generate_token, hash_password};

use crate::context::Context;
use crate::output::table;

/// Sets the password of `users add` and `users reset-password` instead of
/// generating one.
pub const NEW_PASSWORD_VARIABLE: &str = "CORRIDOR_NEW_PASSWORD";

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Create an account; its password is generated and printed once, or taken from CORRIDOR_NEW_PASSWORD.
    #[command(
        after_help = "Examples:\n  corridor users add amal --role coordinator --display-name \"Amal H.\"\n  corridor users add omar --role referrer --organisation nasser-medical-complex\n  CORRIDOR_NEW_PASSWORD='olive grove at dusk' corridor users add bench --role coordinator\n\nRoles: referrer, coordinator, clearance-liaison, crossing-officer,\nreceiving-liaison, logistics-officer, analyst, admin. The scope defaults to\nthe role's: organisation for referrers (then --organisation is needed: the\nid of an organisation, see `corridor organisations list`), all for the\nothers. User names are unique whatever their case. A password has at least\n12 characters, is not only spaces, does not contain the user name and is\nnot a common password."
    )]
    Add(AddUserArgs),
    /// List the accounts.
    List,
    /// Set a new password (generated and printed once, or from CORRIDOR_NEW_PASSWORD), clear the sign-in lock and end the account's sessions.
    #[command(after_help = "Example:\n  corridor users reset-password amal")]
    ResetPassword(UsernameArgs),
    /// Create an API token for an account; prints only the token on standard output.
    #[command(
        after_help = "Example:\n  TOKEN=$(corridor users token bench --label bench)\n  curl -H \"Authorization: Bearer $TOKEN\" http://127.0.0.1:8080/api/v1/me\n\nThe token acts with the account's role and scope. It is shown only once;\nrevoke it under API tokens in the web application."
    )]
    Token(TokenArgs),
}

#[derive(Debug, Args)]
pub struct AddUserArgs {
    /// 1 to 32 letters, digits, '-', '_' or '.'.
    pub username: String,
    #[arg(long)]
    pub role: String,
    /// own, organisation or all; default the role's.
    #[arg(long)]
    pub scope: Option<String>,
    /// The id of an organisation (`corridor organisations list`); needed with the scope organisation.
    #[arg(long)]
    pub organisation: Option<String>,
    /// Default: the user name.
    #[arg(long)]
    pub display_name: Option<String>,
}

#[derive(Debug, Args)]
pub struct UsernameArgs {
    pub username: String,
}

#[derive(Debug, Args)]
pub struct TokenArgs {
    pub username: String,
    /// What the token is for, shown in the list of tokens.
    #[arg(long)]
    pub label: String,
}

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

#[derive(Debug, Subcommand)]
pub enum OrganisationsCommand {
    /// Add an organisation: a referring facility, a receiving agency or a coordination cell.
    #[command(
        after_help = "Examples:\n  corridor organisations add nasser-medical-complex --name \"Nasser Medical Complex\" --kind referring-facility\n  corridor organisations add wfp --name WFP --kind receiving-agency\n\nAccounts (--organisation) and referrals (--referring-facility, the CSV\ncolumn referring_facility) name an organisation by its id."
    )]
    Add(AddOrganisationArgs),
    /// List the organisations.
    List,
}

#[derive(Debug, Args)]
pub struct AddOrganisationArgs {
    /// 1 to 32 letters, digits, '-', '_' or '.'.
    pub id: String,
    #[arg(long)]
    pub name: String,
    /// referring-facility, receiving-agency or coordination-cell.
    #[arg(long)]
    pub kind: String,
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
