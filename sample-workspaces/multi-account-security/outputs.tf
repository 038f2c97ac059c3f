output "organization_id" {
  description = "Identifier of the organization"
  value       = aws_organizations_organization.main.id
}

output "primary_key_arn" {
  description = "ARN of the primary multi-region key"
  value       = aws_kms_key.primary.arn
}

output "replica_key_arns" {
  description = "ARNs of the replica keys in the secondary region"
  value       = [aws_kms_replica_key.secondary.arn, aws_kms_replica_key.secondary_logs.arn]
}
