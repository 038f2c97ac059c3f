//! What a module's route tables say about its subnets: which route to an internet
//! gateway (public), and which have a default route at all (a way out, through a NAT
//! gateway or anything else). Read once per module by the rules about where traffic can
//! go (`internet-route-missing`, `subnet-egress-missing`).
//!
//! A subnet is taken as private only when that is certain from the module: every route
//! table associated with it (through `aws_route_table_association`) is a table of the
//! module, and the tables' routes are all followed. A route, association or table given
//! by a variable, a local or a module output makes the whole module unknown.

use std::collections::BTreeSet;

use super::expr::{RefCollector, Target};
use super::{BlockInfo, Module};

/// The resource addresses an expression names of one of `types`.
pub fn named(expr: &hcl_edit::expr::Expression, types: &[&str]) -> Vec<String> {
    let mut refs = RefCollector::default();
    refs.expr(expr);
    refs.refs
        .into_iter()
        .filter(
            |r| matches!(&r.target, Target::Resource { ty, .. } if types.contains(&ty.as_str())),
        )
        .map(|r| r.target.address())
        .collect()
}

/// Whether an expression is a reference to the module's internet gateway; `None` when
/// it cannot be known (a variable, a local).
fn is_igw(expr: &hcl_edit::expr::Expression) -> Option<bool> {
    let mut refs = RefCollector::default();
    refs.expr(expr);
    if refs.refs.is_empty() {
        // A written-out id (`igw-…`), or a value this rule does not follow.
        return None;
    }
    if refs
        .refs
        .iter()
        .any(|r| matches!(&r.target, Target::Resource { ty, .. } if ty == "aws_internet_gateway"))
    {
        return Some(true);
    }
    refs.refs
        .iter()
        .all(|r| matches!(r.target, Target::Resource { .. }))
        .then_some(false)
}

/// Whether a route may lead to the internet: through an internet gateway (or a gateway
/// that cannot be told), or through a firewall or load-balancer endpoint, a network
/// interface or a transit gateway, which may pass it on to one (inspection layouts
/// route the NAT gateway's subnet through a firewall endpoint). Routes through NAT
/// gateways, egress-only gateways, virtual private gateways and peering connections
/// (AWS never routes edge to edge through a peer's gateways) are certainly not to the
/// internet from this subnet.
fn through_other<'e>(get: impl Fn(&str) -> Option<&'e hcl_edit::expr::Expression>) -> bool {
    if let Some(gw) = get("gateway_id")
        && is_igw(gw) != Some(false)
    {
        return true;
    }
    [
        "vpc_endpoint_id",
        "network_interface_id",
        "transit_gateway_id",
        "local_gateway_id",
        "core_network_arn",
        "carrier_gateway_id",
    ]
    .iter()
    .any(|k| get(k).is_some())
}

/// Whether an expression reads `each` (`each.value.id`, `each.key`).
fn mentions_each(expr: &hcl_edit::expr::Expression) -> bool {
    super::expr::traversal_path(expr).is_some_and(|(root, _)| root == "each")
}

/// Whether a route may be a way out of the VPC: its IPv4 destination is `0.0.0.0/0` or
/// cannot be read (a variable), through anything but a peering connection (a peer's
/// gateways are never used for edge-to-edge routing).
fn is_default<'e>(get: impl Fn(&str) -> Option<&'e hcl_edit::expr::Expression>) -> bool {
    if get("vpc_peering_connection_id").is_some() {
        return false;
    }
    let text = |k: &str| get(k).map(super::expr::static_str);
    match text("cidr_block").or_else(|| text("destination_cidr_block")) {
        Some(Some(cidr)) => cidr == "0.0.0.0/0",
        // Written with a variable or a reference: it may be the default.
        Some(None) => true,
        None => {
            get("destination_prefix_list_id").is_none()
                && get("ipv6_cidr_block").is_none()
                && get("destination_ipv6_cidr_block").is_none()
        }
    }
}

/// What the module says about its subnets' routes to the internet.
pub struct Routes {
    /// Route tables with a route through an internet gateway, and those this cannot be
    /// known of.
    pub public_tables: BTreeSet<String>,
    /// Route tables with a default route (`0.0.0.0/0`, or a destination this cannot
    /// read) through anything: a NAT gateway, an internet gateway, an appliance.
    pub egress_tables: BTreeSet<String>,
    /// Route tables with a default route that certainly goes through an
    /// `aws_internet_gateway` of the module (not a transit gateway, an appliance or a
    /// gateway given by a variable).
    pub igw_tables: BTreeSet<String>,
    /// Subnet address → the route tables associated with it.
    pub tables_of: std::collections::HashMap<String, Vec<String>>,
    /// Some route or association could not be followed: nothing is known.
    pub unknown: bool,
    /// A default route whose table could not be told (it may be any table's): which
    /// subnets have no way out is not known, though which reach an internet gateway is.
    pub egress_unknown: bool,
    /// The module changes its VPCs' main route tables.
    pub main_changed: bool,
}

impl Routes {
    pub fn of(module: &Module<'_>) -> Routes {
        let mut r = Routes {
            public_tables: BTreeSet::new(),
            egress_tables: BTreeSet::new(),
            igw_tables: BTreeSet::new(),
            tables_of: std::collections::HashMap::new(),
            unknown: false,
            egress_unknown: false,
            main_changed: !module
                .resource_indexes(&[
                    "aws_main_route_table_association",
                    "aws_default_route_table",
                ])
                .is_empty(),
        };
        const TABLES: &[&str] = &["aws_route_table"];
        for table in module.resources("aws_route_table") {
            if table.body().blocks().any(|b| b.ident.as_str() == "dynamic") {
                r.public_tables.insert(table.address.clone());
                r.egress_tables.insert(table.address.clone());
                continue;
            }
            // `route = [ … ]` written as an attribute: not read here.
            if table.attr("route").is_some() {
                r.public_tables.insert(table.address.clone());
                r.egress_tables.insert(table.address.clone());
            }
            for route in table.body().get_blocks("route") {
                let get = |k: &str| route.body.get_attribute(k).map(|a| &a.value);
                if is_default(get) {
                    r.egress_tables.insert(table.address.clone());
                    if get("gateway_id").and_then(is_igw) == Some(true) {
                        r.igw_tables.insert(table.address.clone());
                    }
                }
                if through_other(|k| route.body.get_attribute(k).map(|a| &a.value)) {
                    r.public_tables.insert(table.address.clone());
                }
            }
        }
        for route in module.resources("aws_route") {
            // `route_table_id = each.value.id` over `for_each = aws_route_table.x`.
            let tables = route
                .attr("route_table_id")
                .map(|a| {
                    let direct = named(&a.value, TABLES);
                    if !direct.is_empty() || !mentions_each(&a.value) {
                        return direct;
                    }
                    route
                        .attr("for_each")
                        .map(|f| named(&f.value, TABLES))
                        .unwrap_or_default()
                })
                .unwrap_or_default();
            let get = |k: &str| route.attr(k).map(|a| &a.value);
            let default = is_default(get);
            let other = through_other(get);
            if !default && !other {
                continue;
            }
            if tables.is_empty() {
                // Only a way out through the internet is unknown then; a NAT gateway
                // route says nothing about which subnets are public.
                if other {
                    r.unknown = true;
                } else {
                    r.egress_unknown = true;
                }
                continue;
            }
            if default {
                r.egress_tables.extend(tables.iter().cloned());
                if get("gateway_id").and_then(is_igw) == Some(true) {
                    r.igw_tables.extend(tables.iter().cloned());
                }
            }
            if other {
                r.public_tables.extend(tables);
            }
        }
        for assoc in module.resources("aws_route_table_association") {
            // An association of a gateway (`gateway_id`) routes no subnet.
            let Some(subnet) = assoc.attr("subnet_id") else {
                continue;
            };
            // `subnet_id = each.value.id` (or `each.key`…) over `for_each = aws_subnet.x`:
            // the subnets iterated over.
            let over = |attr: &hcl_edit::structure::Attribute, types: &[&str]| {
                let direct = named(&attr.value, types);
                if !direct.is_empty() || !mentions_each(&attr.value) {
                    return direct;
                }
                assoc
                    .attr("for_each")
                    .map(|f| named(&f.value, types))
                    .unwrap_or_default()
            };
            let subnets = over(subnet, &["aws_subnet"]);
            let tables = assoc
                .attr("route_table_id")
                .map(|a| over(a, TABLES))
                .unwrap_or_default();
            // Both read from `each.value` (a map of subnet/table pairs): which subnet goes
            // with which table is not known.
            let both_iterated = mentions_each(&subnet.value)
                && assoc
                    .attr("route_table_id")
                    .is_some_and(|a| mentions_each(&a.value));
            if subnets.is_empty() || tables.is_empty() || both_iterated {
                r.unknown = true;
                continue;
            }
            for s in subnets {
                r.tables_of.entry(s).or_default().extend(tables.clone());
            }
        }
        r
    }

    /// Whether the subnet certainly has no route to an internet gateway; with the route
    /// tables that show it.
    pub fn private(&self, module: &Module<'_>, subnet: &BlockInfo<'_>) -> Option<Vec<String>> {
        if self.unknown {
            return None;
        }
        match self.tables_of.get(&subnet.address) {
            Some(tables) => tables
                .iter()
                .all(|t| !self.public_tables.contains(t))
                .then(|| tables.clone()),
            None => {
                // The main route table: only the local route when the VPC is the
                // module's own and its main table is left alone.
                let own_vpc = subnet
                    .attr("vpc_id")
                    .is_some_and(|v| !named(&v.value, &["aws_vpc"]).is_empty());
                (own_vpc && !self.main_changed && module.block(&subnet.address).is_some())
                    .then(Vec::new)
            }
        }
    }

    /// Whether the subnet certainly has no default route (no way out of the VPC but
    /// through endpoints); with the route tables that show it.
    pub fn isolated(&self, module: &Module<'_>, subnet: &BlockInfo<'_>) -> Option<Vec<String>> {
        if self.unknown || self.egress_unknown {
            return None;
        }
        match self.tables_of.get(&subnet.address) {
            Some(tables) => tables
                .iter()
                .all(|t| !self.egress_tables.contains(t) && !self.public_tables.contains(t))
                .then(|| tables.clone()),
            None => self.private(module, subnet),
        }
    }

    /// Whether the subnet's default route certainly goes to an internet gateway of the
    /// module: every table it may be associated with is known and has such a route (a
    /// subnet has one association; several tables are the branches of a conditional or
    /// the choices of an iteration, any of which may be the one).
    pub fn public(&self, subnet: &BlockInfo<'_>) -> bool {
        !self.unknown
            && self
                .tables_of
                .get(&subnet.address)
                .is_some_and(|t| !t.is_empty() && t.iter().all(|t| self.igw_tables.contains(t)))
    }
}

/// A module that declares subnets and whose routes are all readable, with what it passes
/// to its module calls: what rules need to say a subnet of it is private or public.
pub struct Network {
    pub routes: Routes,
    /// Addresses its module calls receive (a subnet, its VPC, a route table: they may
    /// route it).
    passed: BTreeSet<String>,
}

/// Resources that route a VPC's subnets, or give them a way out, from outside the
/// module that declares them.
const ROUTING: &[&str] = &[
    "aws_route",
    "aws_route_table",
    "aws_route_table_association",
    "aws_main_route_table_association",
    "aws_default_route_table",
    "aws_nat_gateway",
    "aws_internet_gateway",
    "aws_egress_only_internet_gateway",
    "aws_vpc_endpoint",
    "aws_ec2_transit_gateway_vpc_attachment",
];

impl Network {
    /// The module's network, when its routes are all known: none of them unreadable,
    /// and no caller of the module routes its subnets from outside (a route, an
    /// association, a gateway or an endpoint built from one of its outputs).
    pub fn of(model: &crate::model::Model<'_>, module: &Module<'_>) -> Option<Network> {
        module.resources("aws_subnet").next()?;
        for (caller, call) in model.callers_of(&module.dir) {
            let name = call.label(0);
            let routed_outside = caller.resource_indexes(ROUTING).into_iter().any(|i| {
                caller.refs_from_block(i).any(
                    |r| matches!(&r.target, crate::model::expr::Target::Module(m) if m == name),
                )
            });
            // Or passes one to another module that may route it (a registry module, or
            // a local one with routing resources: an endpoints module, say).
            let passed_on = caller
                .blocks_of(crate::model::BlockKind::Module)
                .filter(|other| other.address != call.address)
                .any(|other| {
                    let takes = caller.index_of(&other.address).is_some_and(|i| {
                        caller.refs_from_block(i).any(
                            |r| matches!(&r.target, crate::model::expr::Target::Module(m) if m == name),
                        )
                    });
                    takes
                        && model
                            .called(caller, other)
                            .is_none_or(|m| !m.resource_indexes(ROUTING).is_empty())
                });
            if routed_outside || passed_on {
                return None;
            }
        }
        let routes = Routes::of(module);
        (!routes.unknown).then(|| Network {
            routes,
            passed: module
                .blocks_of(crate::model::BlockKind::Module)
                .filter_map(|m| module.index_of(&m.address))
                .flat_map(|i| module.refs_from_block(i).map(|r| r.target.address()))
                .collect(),
        })
    }

    /// Whether a subnet's routes are all the module's own: neither it nor its VPC is
    /// passed to a module call.
    pub fn known(&self, subnet: &BlockInfo<'_>) -> bool {
        let vpcs = subnet
            .attr("vpc_id")
            .map(|v| named(&v.value, &["aws_vpc"]))
            .unwrap_or_default();
        !self.passed.contains(&subnet.address) && !vpcs.iter().any(|v| self.passed.contains(v))
    }
}
