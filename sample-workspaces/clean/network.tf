data "aws_availability_zones" "available" {
  state = "available"
}

locals {
  private_subnets = {
    for index, zone in slice(data.aws_availability_zones.available.names, 0, var.zone_count) :
    zone => cidrsubnet(var.vpc_cidr, 8, index)
  }
}

resource "aws_vpc" "main" {
  cidr_block           = var.vpc_cidr
  enable_dns_hostnames = true
  enable_dns_support   = true

  tags = {
    Name = "payments-${var.environment_suffix}"
  }
}

resource "aws_subnet" "private" {
  for_each = local.private_subnets

  vpc_id            = aws_vpc.main.id
  availability_zone = each.key
  cidr_block        = each.value

  tags = {
    Name = "payments-private-${each.key}-${var.environment_suffix}"
  }
}

resource "aws_flow_log" "main" {
  vpc_id          = aws_vpc.main.id
  traffic_type    = "ALL"
  iam_role_arn    = aws_iam_role.flow_logs.arn
  log_destination = aws_cloudwatch_log_group.flow_logs.arn
}
