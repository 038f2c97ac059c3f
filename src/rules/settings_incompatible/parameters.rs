//! RDS parameter groups: a static engine parameter (one the engine reads only when it
//! starts) set with the provider's default `apply_method`, `immediate`. RDS refuses the
//! change as soon as the group is written: "InvalidParameterCombination: cannot use
//! immediate apply method for static parameter" (hashicorp/terraform-provider-aws#216,
//! terraform-aws-modules/terraform-aws-rds#349).

use super::{Cx, Problem};
use crate::finding::{Applicability, Fix, Related};
use crate::model::BlockInfo;
use crate::model::expr::{span_of, static_str};

/// Parameters PostgreSQL (RDS and Aurora) reads only at start-up (`postmaster` context).
const POSTGRES_STATIC: &[&str] = &[
    "shared_buffers",
    "max_connections",
    "shared_preload_libraries",
    "max_worker_processes",
    "max_wal_senders",
    "max_replication_slots",
    "max_logical_replication_workers",
    "max_locks_per_transaction",
    "max_pred_locks_per_transaction",
    "max_prepared_transactions",
    "track_activity_query_size",
    "autovacuum_max_workers",
    "wal_buffers",
    "huge_pages",
    "rds.logical_replication",
];

/// Parameters MySQL (RDS and Aurora) reads only at start-up.
const MYSQL_STATIC: &[&str] = &[
    "performance_schema",
    "innodb_log_file_size",
    "innodb_read_io_threads",
    "innodb_write_io_threads",
    "innodb_buffer_pool_instances",
    "lower_case_table_names",
];

impl<'a> Cx<'a> {
    pub(super) fn static_parameters(&self, b: &BlockInfo<'a>, found: &mut Vec<Problem>) {
        let family = self
            .strings(b, "family")
            .into_iter()
            .map(|(f, _)| f)
            .collect::<Vec<_>>();
        let [family] = family.as_slice() else {
            return;
        };
        let statics = if family.starts_with("postgres") || family.starts_with("aurora-postgresql") {
            POSTGRES_STATIC
        } else if family.starts_with("mysql") || family.starts_with("aurora-mysql") {
            MYSQL_STATIC
        } else {
            return;
        };
        // The parameters written out (a `dynamic` block's are not known here).
        let mut immediate = Vec::new();
        for p in b.body().get_blocks("parameter") {
            let Some(name) = p.body.get_attribute("name") else {
                continue;
            };
            let Some(text) = static_str(&name.value) else {
                continue;
            };
            if !statics.contains(&text.to_ascii_lowercase().as_str()) {
                continue;
            }
            let method = p.body.get_attribute("apply_method");
            let immediate_here = match method {
                None => true,
                Some(m) => static_str(&m.value).as_deref() == Some("immediate"),
            };
            if immediate_here {
                immediate.push((p, name, text, method));
            }
        }
        let Some((_, first_name, ..)) = immediate.first() else {
            return;
        };
        let names: Vec<String> = immediate
            .iter()
            .map(|(.., t, _)| format!("`{t}`"))
            .collect();
        let written = immediate.iter().filter(|(.., m)| m.is_some()).count();
        let how = if written == 0 {
            "the provider's default `apply_method`, `immediate`"
        } else if written == immediate.len() {
            "`apply_method = \"immediate\"`"
        } else {
            "`apply_method` `immediate` (written out for some, the provider's default for the others)"
        };
        let mut problem = self.problem(
            b,
            first_name,
            "apply_method",
            format!(
                "static parameter {} applied immediately",
                names.join(", ")
            ),
            format!(
                "`{}` ({family}) sets {} with {how}; {} read only when the database starts, and RDS refuses the parameter group: \"InvalidParameterCombination: cannot use immediate apply method for static parameter\". Set `apply_method = \"pending-reboot\"`",
                b.address,
                names.join(", "),
                if names.len() == 1 { "it is" } else { "they are" }
            ),
        );
        problem.related = immediate
            .iter()
            .skip(1)
            .map(|(_, name, t, _)| Related {
                file: b.file,
                span: span_of(*name),
                message: format!("`{t}`, static too"),
            })
            .collect();
        let path = self.model.path(b.file);
        let src = self.model.src(b.file);
        let edits: Option<Vec<_>> = immediate
            .iter()
            .map(|(p, _, _, method)| {
                crate::edits::set_attribute(
                    path,
                    src,
                    span_of(*p),
                    *method,
                    "apply_method",
                    "\"pending-reboot\"",
                )
            })
            .collect();
        if let Some(edits) = edits {
            problem.fix = Some(Fix::new(
                "Apply the static parameters at the next reboot",
                Applicability::Safe,
                edits,
            ));
        }
        found.push(problem);
    }
}
