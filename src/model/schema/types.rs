//! The compact provider schema: what `schemas/*.json.gz` hold, shared by the loader and
//! by the generator (`examples/gen-schema.rs`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One provider version: every resource and data source type with its block schema.
#[derive(Debug, Default, Clone, Serialize, Deserialize, PartialEq)]
pub struct ProviderSchema {
    /// `aws`: the type prefix (`aws_…`) and the `required_providers` key.
    pub provider: String,
    /// `registry.terraform.io/hashicorp/aws`.
    pub source: String,
    /// The provider version the schema was generated from (`5.99.1`).
    pub version: String,
    /// Where the data comes from: the npm package and its version.
    pub package: String,
    pub package_version: String,
    pub licence: String,
    pub resources: BTreeMap<String, BlockSchema>,
    pub data_sources: BTreeMap<String, BlockSchema>,
}

/// The body of a block: its arguments, nested blocks and computed-only attributes.
#[derive(Debug, Default, Clone, Serialize, Deserialize, PartialEq)]
pub struct BlockSchema {
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub args: BTreeMap<String, ArgSchema>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub blocks: BTreeMap<String, NestedBlock>,
    /// Attributes that can be read (`aws_lb.main.arn_suffix`) but not set.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub computed: Vec<String>,
}

/// An argument: a coarse type (`string`, `number`, `bool`, `list(string)`, `map(string)`,
/// `object`, `list(object)`, `any`…) and whether it is required.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ArgSchema {
    #[serde(rename = "t")]
    pub ty: String,
    #[serde(rename = "r", default, skip_serializing_if = "is_false")]
    pub required: bool,
}

impl ArgSchema {
    /// An object-typed attribute that Terraform also accepts written as blocks
    /// (`ingress { … }` on `aws_security_group`).
    pub fn may_be_block(&self) -> bool {
        matches!(self.ty.as_str(), "object" | "list(object)")
    }
}

/// How many blocks of one name a body may hold.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Nesting {
    /// At most one block (`max` is 1).
    Single,
    /// A list or set of blocks; the maximum is not known beyond 1.
    List,
}

/// A nested block type.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct NestedBlock {
    #[serde(rename = "n")]
    pub nesting: Nesting,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub min: u32,
    /// A block whose contents the source does not describe (deeply recursive blocks such
    /// as wafv2 `statement`): it exists, its inside is not checked.
    #[serde(rename = "o", default, skip_serializing_if = "is_false")]
    pub opaque: bool,
    #[serde(rename = "b", default)]
    pub block: BlockSchema,
}

impl NestedBlock {
    pub fn max(&self) -> Option<u32> {
        (self.nesting == Nesting::Single).then_some(1)
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}
