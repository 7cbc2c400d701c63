//! Flags of `corridor users …` and `corridor organisations …`.

use clap::{Args, Subcommand};

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
