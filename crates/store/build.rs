// `sqlx::migrate!` embeds the migration folders at compile time; a new file
// in them must rebuild the crate.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
