//! Views of an analysis for other programs and people: the `check` report as text and
//! JSON, and the review as Markdown.

pub mod json;
pub mod markdown;
pub mod text;
