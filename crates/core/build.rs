// The migrations are embedded at compile time (`db::migrate`); a new migration directory must
// rebuild this crate, which cargo does not notice on its own (diesel_migrations' advice).
fn main() {
    println!("cargo:rerun-if-changed=../../migrations");
}
