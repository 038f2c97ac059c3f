output "key_arn" {
  description = "ARN of the infrastructure secrets key"
  value       = aws_kms_key.infrastructure_secrets.arn
}

output "log_group_names" {
  description = "Names of the audit log groups"
  value = [
    aws_cloudwatch_log_group.iam_activity.name,
    aws_cloudwatch_log_group.security_admin.name,
    aws_cloudwatch_log_group.auditor.name,
    aws_cloudwatch_log_group.service_roles.name,
    aws_cloudwatch_log_group.kms_activity.name,
  ]
}

output "role_arns" {
  description = "ARNs of the security admin and auditor roles"
  value = {
    security_admin = aws_iam_role.security_admin.arn
    auditor        = aws_iam_role.auditor.arn
  }
}
