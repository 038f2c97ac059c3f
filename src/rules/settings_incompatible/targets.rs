//! What a resource is pointed at: a Shield Advanced protection's resource, and an S3
//! directory bucket's zone. AWS refuses both when the target is of the wrong kind.

use super::{Cx, Problem};
use crate::finding::Related;
use crate::model::BlockInfo;
use crate::model::eval::known;
use crate::model::expr::{RefCollector, Target, span_of};

/// The resource types Shield Advanced protects (CreateProtection's ResourceArn): Elastic
/// IPs, load balancers, CloudFront distributions, Route 53 hosted zones and Global
/// Accelerator accelerators.
const PROTECTABLE: &[&str] = &[
    "aws_eip",
    "aws_lb",
    "aws_alb",
    "aws_elb",
    "aws_cloudfront_distribution",
    "aws_route53_zone",
    "aws_globalaccelerator_accelerator",
];

/// What a Shield protection's ARN names when it is not one of those: Shield's own
/// word for the kind of resource, as its error names it.
fn shield_kind(ty: &str) -> Option<&'static str> {
    Some(match ty {
        "aws_instance" => "an EC2 instance",
        "aws_api_gateway_rest_api" | "aws_api_gateway_stage" => "an API Gateway API",
        "aws_apigatewayv2_api" | "aws_apigatewayv2_stage" => "an API Gateway API",
        "aws_s3_bucket" => "an S3 bucket",
        "aws_lambda_function" => "a Lambda function",
        "aws_db_instance" | "aws_rds_cluster" => "a database",
        "aws_nat_gateway" => "a NAT gateway",
        "aws_lb_target_group" => "a target group",
        "aws_ecs_service" => "an ECS service",
        "aws_autoscaling_group" => "an Auto Scaling group",
        _ => return None,
    })
}

impl<'a> Cx<'a> {
    /// A Shield Advanced protection whose `resource_arn` is the ARN of a resource Shield
    /// cannot protect (an EC2 instance: `InvalidResourceException: Unrecognized resource
    /// 'instance' of service 'ec2'`). Only a direct reference to a resource of the
    /// module counts.
    pub(super) fn shield_target(&self, b: &BlockInfo<'a>, found: &mut Vec<Problem>) {
        let Some(attr) = b.attr("resource_arn") else {
            return;
        };
        let mut refs = RefCollector::default();
        refs.expr(&attr.value);
        let [r] = refs.refs.as_slice() else { return };
        let Target::Resource { ty, .. } = &r.target else {
            return;
        };
        if PROTECTABLE.contains(&ty.as_str()) {
            return;
        }
        let (Some(kind), Some(target)) = (shield_kind(ty), self.module.block(&r.target.address()))
        else {
            return;
        };
        let mut p = self.problem(
            b,
            attr,
            "shield",
            format!("Shield Advanced cannot protect {kind}"),
            format!(
                "`{}` protects `{}`, {kind}: Shield Advanced protects only Elastic IPs, load balancers, CloudFront distributions, Route 53 hosted zones and Global Accelerator accelerators, and refuses the ARN (\"InvalidResourceException: Unrecognized resource\"); protect what is in front of it instead (its Elastic IP, its load balancer or CloudFront distribution)",
                b.address,
                target.address
            ),
        );
        p.related.push(Related {
            file: target.file,
            span: target.header(),
            message: format!("{kind}, which Shield cannot protect"),
        });
        found.push(p);
    }

    /// An S3 directory bucket placed by a zone *name* (`us-east-1a`) where AWS wants the
    /// zone *ID* (`use1-az4`), or whose name's `--<zone-id>--x-s3` suffix is another zone
    /// than its `location`: CreateBucket answers "InvalidBucketName".
    pub(super) fn directory_bucket_zone(&self, b: &BlockInfo<'a>, found: &mut Vec<Problem>) {
        let Some(location) = b.body().get_blocks("location").next() else {
            return;
        };
        let Some(name) = location.body.get_attribute("name") else {
            return;
        };
        let zone = known(self.module, &name.value);
        if !zone.complete {
            return;
        }
        let zone = zone.text;
        let at = crate::model::eval::written_at(self.model, self.module, b.file, &name.value);
        let mut related = Vec::new();
        if !at.own {
            related.push(Related {
                file: b.file,
                span: span_of(&name.value),
                message: format!("the location of `{}`", b.address),
            });
        }
        if zone_name(&zone) {
            found.push(Problem {
                file: at.file,
                span: at.span,
                key: "directory-zone",
                title: format!("Directory bucket zone `{zone}` is a zone name, not a zone ID"),
                message: format!(
                    "`{}` is placed in `{zone}`, an Availability Zone name: a directory bucket's `location.name` is the zone ID (`use1-az4`, the same in every account) that its name ends with (`--use1-az4--x-s3`), and S3 refuses the bucket (\"InvalidBucketName\"); use the zone ID (`data.aws_availability_zones` gives `zone_ids`)",
                    b.address
                ),
                related,
                fix: None,
            });
            return;
        }
        // The zone ID the name carries: `base--<zone-id>--x-s3`.
        let Some(bucket) = b.attr("bucket") else {
            return;
        };
        let bucket_name = known(self.module, &bucket.value);
        if !bucket_name.complete {
            return;
        }
        let Some(named) = bucket_name
            .text
            .strip_suffix("--x-s3")
            .and_then(|rest| rest.rsplit_once("--"))
            .map(|(_, id)| id)
        else {
            return;
        };
        if zone_id(named) && zone_id(&zone) && named != zone {
            found.push(Problem {
                file: b.file,
                span: span_of(&bucket.value),
                key: "directory-zone",
                title: format!("Directory bucket name is for zone `{named}`, its location `{zone}`"),
                message: format!(
                    "`{}` is named for zone `{named}` (`--{named}--x-s3`) but placed in `{zone}`: the zone in a directory bucket's name must be its location's, and S3 refuses the bucket (\"InvalidBucketName\")",
                    b.address
                ),
                related: vec![Related {
                    file: b.file,
                    span: span_of(&name.value),
                    message: "the location's zone".into(),
                }],
                fix: None,
            });
        }
    }
}

/// `us-east-1a`, `eu-central-2b`: a region followed by a zone letter.
fn zone_name(text: &str) -> bool {
    let Some((region, letter)) = text.split_at_checked(text.len().saturating_sub(1)) else {
        return false;
    };
    let parts: Vec<&str> = region.split('-').collect();
    letter.bytes().all(|b| b.is_ascii_lowercase())
        && parts.len() >= 3
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts
            .last()
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// `use1-az4`, `euc1-az2`, `usw2-lax1-az1`: a zone ID (a Local Zone's has a middle part).
fn zone_id(text: &str) -> bool {
    let Some((head, az)) = text.rsplit_once("-az") else {
        return false;
    };
    !head.is_empty()
        && head
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !az.is_empty()
        && az.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zone_names_and_ids() {
        for name in [
            "us-east-1a",
            "eu-central-2b",
            "ap-southeast-4c",
            "us-gov-west-1a",
        ] {
            assert!(zone_name(name), "{name}");
            assert!(!zone_id(name), "{name}");
        }
        for id in ["use1-az4", "euc1-az2", "usw2-lax1-az1"] {
            assert!(zone_id(id), "{id}");
            assert!(!zone_name(id), "{id}");
        }
        assert!(!zone_name("us-east-1"));
        assert!(!zone_name("a"));
        assert!(!zone_id("az1"));
    }
}
