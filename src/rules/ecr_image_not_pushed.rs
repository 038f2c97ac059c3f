//! # Container image from a repository the configuration leaves empty
//!
//! ## What it does
//! Reports an `aws_ecs_task_definition` whose `container_definitions`, or an
//! `aws_lambda_function` whose `image_uri`, takes its image from an `aws_ecr_repository`
//! created in the same module, when nothing in the module may push an image: no block
//! runs `docker push` (or `docker buildx … --push`) or any `local-exec` command (a build
//! script), there is no `docker_registry_image`, and no module is called (a build
//! module). In the `contract` profile (on in task folders): a task's
//! answer is deployed and tested on its own, with no pipeline to push images first.
//!
//! ## Why is this bad?
//! A repository is created empty. The task definition is accepted, but every task the
//! service starts fails with `CannotPullContainerError: … not found`, the service never
//! reaches its desired count, and whatever waits for it (the load balancer's health
//! checks, `wait_for_steady_state`, the integration tests) fails. A Lambda function
//! from an empty repository is not created at all (`InvalidParameterValueException:
//! Source image … does not exist`).
//!
//! ## Example
//! ```hcl
//! resource "aws_ecr_repository" "app" {
//!   name = "app"
//! }
//!
//! resource "aws_ecs_task_definition" "app" {
//!   family = "app"
//!   container_definitions = jsonencode([{
//!     name  = "app"
//!     image = "${aws_ecr_repository.app.repository_url}:latest"
//!   }])
//! }
//! ```
//! Use instead an image that exists when the service starts (a public image until the
//! pipeline pushes one, or a build step in the configuration):
//! ```hcl
//!     image = "public.ecr.aws/docker/library/httpd:2.4"
//! ```
//!
//! ## Fix safety
//! No fix: which image to run is the application's choice.
//!
//! ## Root cause
//! The repository and the service were written together, and the step between them,
//! building and pushing the image, was left to someone else.
//!
//! ## Impact
//! A service that never runs, or a function that is not created.
//!
//! ## References
//! - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_cannot_pull_image.html
//! - https://docs.aws.amazon.com/lambda/latest/dg/images-create.html

use super::{Class, Rule};
use crate::finding::{Finding, Related, Severity};
use crate::model::expr::{RefCollector, Target};
use crate::model::{Model, Module};

pub struct EcrImageNotPushed;

/// Whether a block of the module may build and push an image: one that runs `docker
/// push` or `buildx … --push`, a `docker_registry_image`, any `local-exec` provisioner
/// (a build script), or a module call (a build module).
fn pushes(model: &Model<'_>, module: &Module<'_>) -> bool {
    module.blocks.iter().any(|b| {
        b.label(0) == "docker_registry_image"
            || b.kind == crate::model::BlockKind::Module
            || model.src(b.file).get(b.span.clone()).is_some_and(|t| {
                t.contains("docker push")
                    || (t.contains("buildx") && t.contains("--push"))
                    || t.contains("local-exec")
            })
    })
}

impl Rule for EcrImageNotPushed {
    fn id(&self) -> &'static str {
        "ecr-image-not-pushed"
    }

    fn severity(&self) -> Severity {
        Severity::High
    }

    fn class(&self) -> Class {
        Class::Contract
    }

    fn profile(&self) -> Option<&'static str> {
        Some(super::CONTRACT)
    }

    fn check(&self, model: &Model<'_>, out: &mut Vec<Finding>) {
        // A build step in a file that did not parse may be missing.
        for module in model.modules.iter().filter(|m| m.terraform_parsed()) {
            let users: Vec<_> = module
                .resources("aws_ecs_task_definition")
                .filter_map(|b| Some((b, b.attr("container_definitions")?)))
                .chain(
                    module
                        .resources("aws_lambda_function")
                        .filter_map(|b| Some((b, b.attr("image_uri")?))),
                )
                .collect();
            if users.is_empty() || pushes(model, module) {
                continue;
            }
            for (b, attr) in users {
                let mut refs = RefCollector::default();
                refs.expr(&attr.value);
                let mut seen = Vec::new();
                for r in refs.refs {
                    let Target::Resource { ty, .. } = &r.target else {
                        continue;
                    };
                    if ty != "aws_ecr_repository" {
                        continue;
                    }
                    let address = r.target.address();
                    if seen.contains(&address) {
                        continue;
                    }
                    let Some(repo) = module.block(&address) else {
                        continue;
                    };
                    seen.push(address.clone());
                    let lambda = b.label(0) == "aws_lambda_function";
                    let mut f = self.finding(
                        b.file,
                        r.span.clone(),
                        format!("`{}` runs an image from the empty `{address}`", b.address),
                        format!(
                            "`{}` takes its image from `{address}`, which this configuration creates empty, and nothing in the module builds and pushes an image to it: {}",
                            b.address,
                            if lambda {
                                "Lambda refuses to create the function (`Source image … does not exist`)"
                            } else {
                                "every task fails with `CannotPullContainerError`, and the service never runs"
                            }
                        ),
                    );
                    f.address = Some(b.address.clone());
                    f.key = address.clone();
                    f.related.push(Related {
                        file: repo.file,
                        span: repo.header(),
                        message: "created empty".into(),
                    });
                    out.push(f);
                }
            }
        }
    }
}
