//! Disclosure control for the tables a provincial or platform user reads (placeholder).
