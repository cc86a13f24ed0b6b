//! Onboarding (issue: the county register): a county's members arrive as the spreadsheet they
//! have kept for years. `sheet` reads xlsx/CSV into cells, `columns` is the registration form's
//! column table, `import` checks and writes rows with the members' own rules, `xlsx` writes
//! the template and exports, `export` keeps the approval trail of exports, `api` is the HTTP side.
//! A business register (经营主体名录) goes through the same reader, layout detection, mapping
//! and row reader (`reader`): `business_import` checks and writes it, `business_api` serves it.

pub mod api;
pub mod business_api;
pub mod business_import;
mod cell_refs;
pub mod columns;
pub mod export;
pub mod import;
pub mod layout;
pub mod mapping;
pub mod mapping_api;
pub mod normalise;
pub mod orgs;
pub mod places;
mod reader;
pub mod report;
mod shared_strings;
pub mod sheet;
pub mod survey_sheet;
pub mod xlsx;
