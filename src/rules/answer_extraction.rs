//! # How the answer's files were extracted
//!
//! ## What it does
//! Reports, for a model's answer in Markdown, how a code block was turned into a file
//! when that needed judgement: a block without a file name joined to the file before it,
//! a file written twice (the draft dropped, the last version kept), a fence opened inside
//! another, an answer truncated inside a fence, an answer without fences.
//!
//! ## Why is this bad?
//! The review is only as good as the files it reviews. When the answer does not say
//! which file a block belongs to, or says it twice, the reviewer should check that the
//! files tfreview built are the ones the answer meant.
//!
//! ## Example
//! ````markdown
//! ## main.tf
//! ```hcl
//! resource "aws_s3_bucket" "logs" {}
//! ```
//! And the policy:
//! ```hcl
//! resource "aws_s3_bucket_policy" "logs" {}
//! ```
//! ````
//! Use instead: name every file, once, in a heading such as `## File: lib/main.tf`.
//!
//! ## Fix safety
//! No automatic fix: the note says what was assumed.
//!
//! ## Root cause
//! The answer mixes prose and code without naming every file, repeats files between a
//! draft and the final answer, or was cut off.
//!
//! ## Impact
//! Files may be reviewed under the wrong name or with the wrong version; a truncated
//! answer cannot be deployed as written.
//!
//! ## References
//! https://spec.commonmark.org/0.31.2/#fenced-code-blocks

use super::{Class, Rule};
use crate::finding::{Finding, Severity};
use crate::model::Model;

pub struct AnswerExtraction;

impl Rule for AnswerExtraction {
    fn id(&self) -> &'static str {
        "answer-extraction"
    }

    fn severity(&self) -> Severity {
        Severity::Low
    }

    fn class(&self) -> Class {
        Class::Practice
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        // By path, once: an answer of thousands of blocks has thousands of notes.
        let by_path: std::collections::HashMap<&str, usize> = model
            .files
            .iter()
            .rev()
            .map(|&id| (model.ws.files[id].path.as_str(), id))
            .collect();
        for note in &model.ws.notes {
            let Some(&id) = by_path.get(note.path.as_str()) else {
                continue;
            };
            let file = &model.ws.files[id];
            // The first line of the file at or after the note's Markdown line.
            let line = file
                .origin_lines
                .iter()
                .position(|&l| l >= note.md_line)
                .map_or(1, |i| i + 1);
            let mut f = self.finding(
                id,
                file.line_range(line),
                format!(
                    "Check the extraction of `{}`",
                    note.path.rsplit('/').next().unwrap_or(&note.path)
                ),
                format!(
                    "{} (line {} of {})",
                    note.message, note.md_line, note.md_path
                ),
            );
            f.key = format!("{}:{}", note.md_line, note.message);
            out.push(f);
        }
    }
}
