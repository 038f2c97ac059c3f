//! CloudFront: a cache behaviour that routes to an origin group (origin failover) may
//! allow only `GET`, `HEAD` and `OPTIONS`. CloudFront refuses the distribution
//! otherwise: "InvalidArgument: The parameter AllowedMethods cannot include POST, PUT,
//! PATCH, or DELETE for a cached behavior associated with an origin group."

use super::{Cx, Problem};
use crate::finding::Related;
use crate::model::BlockInfo;
use crate::model::expr::{span_of, static_str, string_list};

const WRITES: &[&str] = &["POST", "PUT", "PATCH", "DELETE"];

impl<'a> Cx<'a> {
    pub(super) fn origin_group_methods(&self, b: &BlockInfo<'a>, found: &mut Vec<Problem>) {
        let body = b.body();
        let groups: Vec<(String, &hcl_edit::structure::Block)> = body
            .get_blocks("origin_group")
            .filter_map(|g| {
                let id = static_str(&g.body.get_attribute("origin_id")?.value)?;
                Some((id, g))
            })
            .collect();
        if groups.is_empty() {
            return;
        }
        let src = self.model.src(b.file);
        let behaviours = body
            .get_blocks("default_cache_behavior")
            .chain(body.get_blocks("ordered_cache_behavior"));
        for behaviour in behaviours {
            let Some(target) = behaviour
                .body
                .get_attribute("target_origin_id")
                .and_then(|a| static_str(&a.value))
            else {
                continue;
            };
            let Some((_, group)) = groups.iter().find(|(id, _)| *id == target) else {
                continue;
            };
            let Some(methods) = behaviour.body.get_attribute("allowed_methods") else {
                continue;
            };
            let writes: Vec<String> = string_list(src, &methods.value)
                .into_iter()
                .filter(|m| WRITES.contains(&m.to_ascii_uppercase().as_str()))
                .collect();
            if writes.is_empty() {
                continue;
            }
            let mut p = self.problem(
                b,
                methods,
                "allowed_methods",
                format!("origin group `{target}` behind a behaviour that allows {}", writes.join(", ")),
                format!(
                    "`{}` routes a cache behaviour that allows {} to the origin group `{target}`: CloudFront fails over only reads, and refuses the distribution (\"InvalidArgument: The parameter AllowedMethods cannot include POST, PUT, PATCH, or DELETE for a cached behavior associated with an origin group\"); allow `GET`, `HEAD` (and `OPTIONS`) there, and send writes to a single origin with another behaviour",
                    b.address,
                    writes.join(", ")
                ),
            );
            p.related.push(Related {
                file: b.file,
                span: span_of(*group),
                message: format!("the origin group `{target}`"),
            });
            found.push(p);
        }
    }
}
