//! # File read by the configuration that does not exist
//!
//! ## What it does
//! Reports `file()`, `templatefile()`, `filebase64()` and the file hash functions called
//! with a literal path (`"${path.module}/user_data.sh"`, `"./policy.json"`) to a file
//! that is not in the workspace and that no block of the module makes (`local_file`,
//! `archive_file`, a provisioner's build step); and the `source_file` or `source_dir` of
//! an `archive_file` data source (what a Lambda package is zipped from) that is not
//! there: no such file, or no file in that folder. Zip packages are left to
//! `lambda-package-missing`; in a child module, only `${path.module}` paths are checked
//! (the others are read from the root module's folder). In a task
//! folder, a file the answer shows in a code block of its own (under a
//! `## user_data.sh` heading, say) counts as present.
//!
//! In a task folder's answer nothing else will provide the file, and the finding is
//! high; in a repository a build step may generate it, so the finding is medium there.
//!
//! ## Why is this bad?
//! Terraform reads the file while it plans and stops when it is not there. Answers
//! name a user-data script, a policy document or a Lambda handler to zip, and never
//! write it.
//!
//! ## Error
//! ```text
//! Error: Invalid function argument
//!
//! Invalid value for "path" parameter: no file exists at "./user_data.sh"; this function
//! works only with files that are distributed as part of the configuration source code.
//! ```
//! and for an `archive_file`:
//! ```text
//! Error: Archive creation error
//!
//! error creating archive: error archiving file: could not archive missing file: ./lambda/index.py
//! ```
//!
//! ## Example
//! ```hcl
//! resource "aws_instance" "web" {
//!   user_data = templatefile("${path.module}/user_data.sh", { port = 8080 })
//! }
//! ```
//! Use instead a script that is part of the configuration (write `user_data.sh` beside
//! the `.tf` files), or the script inline in a heredoc.
//!
//! ## Fix safety
//! No fix: the file's content has to be written.
//!
//! ## Root cause
//! A file was named but never written.
//!
//! ## Impact
//! Deployment blocker: the plan fails.
//!
//! ## References
//! https://developer.hashicorp.com/terraform/language/functions/templatefile
//! https://developer.hashicorp.com/terraform/language/functions/file

use std::ops::Range;

use hcl_edit::expr::{Expression, FuncCall};
use hcl_edit::visit::{self, Visit};

use super::{Class, Rule};
use crate::finding::{Finding, Severity};
use crate::model::expr::{span_of, string_like};
use crate::model::{BlockKind, Model, Module};

pub struct TemplateFileMissing;

/// The functions that read a file of the configuration.
const READERS: [&str; 9] = [
    "file",
    "templatefile",
    "filebase64",
    "filemd5",
    "filesha1",
    "filesha256",
    "filesha512",
    "filebase64sha256",
    "filebase64sha512",
];

impl Rule for TemplateFileMissing {
    fn id(&self) -> &'static str {
        "template-file-missing"
    }

    fn severity(&self) -> Severity {
        Severity::High
    }

    fn class(&self) -> Class {
        Class::Error
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        for module in &model.modules {
            let mut reported = std::collections::HashSet::new();
            for b in &module.blocks {
                if b.kind == BlockKind::Terraform {
                    continue;
                }
                let src = model.src(b.file);
                let mut calls = Calls::default();
                calls.visit_body(&b.block.body);
                // What an `archive_file` zips is read as well.
                if b.kind == BlockKind::Data && b.label(0) == "archive_file" {
                    for key in ["source_file", "source_dir"] {
                        if let Some(a) = b.attr(key) {
                            calls
                                .found
                                .push((key.to_string(), (a.value.clone(), span_of(&a.value))));
                        }
                    }
                }
                for (function, path_expr) in calls.found {
                    let Some((path, own_folder)) = module_relative(src, &path_expr.0) else {
                        continue;
                    };
                    // `${path.root}/x` and a bare `x` are read from the root module's
                    // folder: only known here for the root module itself.
                    if !own_folder && module.is_child {
                        continue;
                    }
                    let name = path.rsplit('/').next().unwrap_or(&path).to_string();
                    let folder = function == "source_dir";
                    let present = if folder {
                        exists_dir(model, module, &path)
                    } else {
                        exists(model, module, &path)
                    };
                    if name.is_empty()
                        || present
                        || written(
                            model,
                            module,
                            b.file,
                            &b.span,
                            if folder { &path } else { &name },
                        )
                        || !reported.insert(path.clone())
                    {
                        continue;
                    }
                    let message = match function.as_str() {
                        "source_file" => format!(
                            "`{}` zips `{path}` (`source_file`), but the workspace has no such file and nothing in the module writes it: the plan stops with \"could not archive missing file\"",
                            b.address
                        ),
                        "source_dir" => format!(
                            "`{}` zips the folder `{path}` (`source_dir`), but the workspace has no file in it and nothing in the module writes there: the plan stops with \"could not archive missing directory\"",
                            b.address
                        ),
                        _ => format!(
                            "`{}` reads `{path}` with `{function}()`, but the workspace has no such file and nothing in the module writes it: Terraform stops with \"no file exists at\"",
                            b.address
                        ),
                    };
                    let mut f = self.finding(
                        b.file,
                        path_expr.1.clone(),
                        format!("`{path}` does not exist"),
                        message,
                    );
                    f.address = Some(b.address.clone());
                    f.key = path;
                    if !model.ws.task {
                        f.severity = Severity::Medium;
                        f.message
                            .push_str("; unless a build step before the plan creates it");
                    }
                    out.push(f);
                }
            }
        }
    }
}

/// The path relative to the module of a literal path argument (`${path.module}/x`,
/// `./x`, `${path.root}/x` or `x`), and whether it names the module's own folder
/// (`${path.module}`); `None` for anything computed.
pub(super) fn module_relative(src: &str, expr: &Expression) -> Option<(String, bool)> {
    if !matches!(expr, Expression::String(_) | Expression::StringTemplate(_)) {
        return None;
    }
    let (path, own_folder) = crate::model::module_file_path(&string_like(src, expr));
    // Absolute, home (`~`, which `file` expands) and parent paths are outside the
    // workspace; zip packages are `lambda-package-missing`'s.
    (!path.contains("${")
        && !path.starts_with(['/', '~'])
        && !path.starts_with("../")
        && !path.contains('*')
        && !path.ends_with(".zip"))
    .then_some((path, own_folder))
}

/// Whether `path` (relative to the module) is a file of the workspace, or one the
/// answer shows.
fn exists(model: &Model<'_>, module: &Module<'_>, path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    model.has_file(module, path)
        // An answer's script shown under its name, wherever its folder.
        || (model.ws.task
            && model
                .ws
                .assets
                .iter()
                .any(|a| module.holds(a) && a.rsplit('/').next() == Some(name)))
}

/// Whether the folder `path` (relative to the module) holds a file of the workspace, or
/// one the answer shows (in a task, a script shown in a folder of that name).
fn exists_dir(model: &Model<'_>, module: &Module<'_>, path: &str) -> bool {
    let path = path.trim_end_matches('/');
    let name = path.rsplit('/').next().unwrap_or(path);
    model.has_dir(module, path)
        || (model.ws.task
            && model
                .ws
                .assets
                .iter()
                .any(|a| module.holds(a) && a.contains(&format!("/{name}/"))))
}

/// Whether another block of the module that can make a file names it: a `local_file`,
/// an `archive_file` output, a build step in a provisioner (`null_resource`,
/// `terraform_data`). Another block that reads the same file does not make it.
fn written(
    model: &Model<'_>,
    module: &Module<'_>,
    own_file: usize,
    own: &Range<usize>,
    name: &str,
) -> bool {
    module.blocks.iter().any(|other| {
        let own_block = other.file == own_file && other.span == *own;
        let can_write = other.is_resource("local_file")
            || other.is_resource("local_sensitive_file")
            || other.is_resource("null_resource")
            || other.is_resource("terraform_data")
            || (other.kind == BlockKind::Data && other.label(0) == "archive_file");
        !own_block
            && can_write
            && model
                .src(other.file)
                .get(other.span.clone())
                .is_some_and(|t| t.contains(name))
    })
}

/// The calls of the file-reading functions in a body: the function and its first
/// argument with its span.
#[derive(Default)]
struct Calls {
    found: Vec<(String, (Expression, Range<usize>))>,
}

impl Visit for Calls {
    fn visit_func_call(&mut self, node: &FuncCall) {
        let name = node.name.name.as_str();
        if node.name.namespace.is_empty()
            && READERS.contains(&name)
            && let Some(first) = node.args.iter().next()
        {
            self.found
                .push((name.to_string(), (first.clone(), span_of(first))));
        }
        visit::visit_func_call(self, node);
    }
}
