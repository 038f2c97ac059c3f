output "vpc_id" {
  description = "Identifier of the VPC"
  value       = aws_vpc.main.id
}

output "private_subnet_ids" {
  description = "Private subnet identifiers by availability zone"
  value       = { for zone, subnet in aws_subnet.private : zone => subnet.id }
}
