//! Views of an analysis for other programs and people: the `check` report as text and
//! JSON.

pub mod json;
pub mod text;
