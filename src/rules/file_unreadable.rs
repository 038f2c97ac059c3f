//! # File that cannot be analysed
//!
//! ## What it does
//! Reports a `.tf` or `.tfvars` file that could not be analysed: it is not UTF-8, it is
//! larger than 6 MB, or reading it failed.
//!
//! ## Why is this bad?
//! Terraform reads every `.tf` file of a folder. A file that cannot be read as UTF-8 text
//! stops Terraform, and a file tfreview skips is a part of the configuration nobody
//! reviewed.
//!
//! ## Example
//! A `main.tf` saved as UTF-16 by an editor, or a generated file of 40 MB.
//!
//! Use instead: save the file as UTF-8; keep generated data out of `.tf` files.
//!
//! ## Fix safety
//! No automatic fix.
//!
//! ## Root cause
//! An editor or a generator wrote the file in another encoding, or the file is not
//! Terraform at all.
//!
//! ## Impact
//! The configuration cannot be planned, and the file's contents are not reviewed.
//!
//! ## References
//! https://developer.hashicorp.com/terraform/language/files

use super::{Class, Rule};
use crate::finding::{Finding, Severity};
use crate::model::Model;

pub struct FileUnreadable;

impl Rule for FileUnreadable {
    fn id(&self) -> &'static str {
        "file-unreadable"
    }

    fn severity(&self) -> Severity {
        Severity::High
    }

    fn class(&self) -> Class {
        Class::Error
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for &id in &model.files {
            let file = &model.ws.files[id];
            let Some(problem) = &file.problem else {
                continue;
            };
            let mut f = self.finding(
                id,
                0..0,
                format!("File `{}` could not be analysed", file.path),
                format!("`{}` {problem}; it was not analysed", file.path),
            );
            f.key = file.path.clone();
            out.push(f);
        }
    }
}
