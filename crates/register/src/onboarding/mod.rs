//! Onboarding (issue: the county register): a county's members arrive as the spreadsheet they
//! have kept for years. `sheet` reads xlsx/CSV into cells, `columns` is the registration form's
//! column table, `import` checks and writes rows with the members' own rules, `xlsx` writes
//! the template and exports, `export` keeps the approval trail of exports, `api` is the HTTP side.

pub mod api;
pub mod columns;
pub mod export;
pub mod import;
pub mod layout;
pub mod mapping;
pub mod mapping_api;
pub mod normalise;
pub mod orgs;
pub mod places;
pub mod report;
mod shared_strings;
pub mod sheet;
pub mod xlsx;
