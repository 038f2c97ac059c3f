//! One analysis: read the workspace, parse every file in parallel, build the model, run
//! every rule, and return the findings in a stable order.

use std::path::Path;

use rayon::prelude::*;

use crate::finding::Finding;
use crate::model::Model;
use crate::rules;
use crate::workspace::Workspace;

/// The result of analysing a workspace: its files and the findings, sorted by path,
/// position and rule.
#[derive(Debug, Clone)]
pub struct Analysis {
    pub workspace: Workspace,
    pub findings: Vec<Finding>,
}

impl Analysis {
    /// The line and column (1-based) where a finding starts and ends.
    pub fn position(&self, finding: &Finding) -> ((usize, usize), (usize, usize)) {
        match self.workspace.files.get(finding.file) {
            Some(file) => (
                file.line_col(finding.span.start),
                file.line_col(finding.span.end),
            ),
            None => ((1, 1), (1, 1)),
        }
    }

    pub fn path(&self, finding: &Finding) -> &str {
        self.workspace
            .files
            .get(finding.file)
            .map_or("", |f| f.path.as_str())
    }
}

pub fn analyse_path(root: &Path) -> Result<Analysis, crate::Error> {
    Ok(analyse_workspace(Workspace::load(root)?))
}

pub fn analyse_workspace(workspace: Workspace) -> Analysis {
    let parsed = Model::parse_all(&workspace);
    let findings = {
        let model = Model::build(&workspace, &parsed);
        let mut findings: Vec<Finding> = rules::all()
            .par_iter()
            .flat_map_iter(|rule| {
                let mut out = Vec::new();
                rule.check(&model, &mut out);
                out
            })
            .collect();
        findings.sort_by(|a, b| {
            (a.file, a.span.start, a.rule, &a.key).cmp(&(b.file, b.span.start, b.rule, &b.key))
        });
        findings
    };
    Analysis {
        workspace,
        findings,
    }
}
